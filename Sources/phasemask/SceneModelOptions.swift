import ArgumentParser
import Foundation
import Optics

/// The scene-model options of `train`, `design`, `experiment` and `simulate` (docs/optics.md, "Scene
/// model"). Parsed and checked when the command line is read, so a bad value stops the command with
/// one line before anything is created.
struct SceneModelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Phase range of the scenes in radians: I = 0 → MIN, I = 1 → MAX; numbers or multiples of pi "
                               + "(0:pi, 0:2pi, -pi/2:pi/2); at most 2π wide (default 0:pi).", valueName: "min:max"))
    var phaseRange: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Background-phase offset Δ in radians (0…pi): each scene's background (pixels with I = 0) "
                               + "gets its own offset, uniform in ±Δ (default 0).", valueName: "Δ"))
    var backgroundOffset: String?
    @Option(help: ArgumentHelp("Amplitude A0:A1 in [0, 1] at amplitude-image values 0 and 1, either order; without an "
                               + "amplitude image A = I (default 1:1, pure phase).", valueName: "a0:a1"))
    var amplitudeRange: String?

    /// The parsed values (nil where not given).
    struct Parsed {
        var phaseRange: (low: Double, high: Double)?
        var backgroundOffset: Double?
        var amplitudeRange: (atZero: Double, atOne: Double)?
    }

    func parsed() throws -> Parsed {
        var p = Parsed()
        do {
            if let phaseRange { p.phaseRange = try SceneModel.parsePhaseRange(phaseRange) }
        } catch let error as OpticsError {
            throw ValidationError("--phase-range: \(error.description)")
        }
        do {
            if let backgroundOffset {
                let delta = try SceneModel.parseAngle(backgroundOffset)
                if let problem = SceneModel(backgroundOffset: delta).problems().first { throw OpticsError(problem) }
                p.backgroundOffset = delta
            }
        } catch let error as OpticsError {
            throw ValidationError("--background-offset: \(error.description)")
        }
        do {
            if let amplitudeRange { p.amplitudeRange = try SceneModel.parseAmplitudeRange(amplitudeRange) }
        } catch let error as OpticsError {
            throw ValidationError("--amplitude-range: \(error.description)")
        }
        return p
    }

    func validate() throws { _ = try parsed() }

    /// `model` with every option given replacing its setting.
    func apply(to model: inout SceneModel) throws {
        let p = try parsed()
        if let (low, high) = p.phaseRange { (model.phaseMin, model.phaseMax) = (low, high) }
        if let delta = p.backgroundOffset { model.backgroundOffset = delta }
        if let (a0, a1) = p.amplitudeRange { (model.amplitudeAtZero, model.amplitudeAtOne) = (a0, a1) }
    }

    /// The standard model with the options applied.
    func model() throws -> SceneModel {
        var m = SceneModel.standard
        try apply(to: &m)
        return m
    }
}
