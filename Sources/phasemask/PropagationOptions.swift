import ArgumentParser
import Foundation
import Optics

/// The sensing-geometry options of `train`, `design`, `experiment`, `export`, `simulate`, `verify`,
/// `reconstruct` and `import-frame` (docs/optics.md, "Near-field propagation"), parsed one way. The
/// units are in the names: µm, nm and mm on the command line, metres in every file.
///
/// Without `--propagation` the command uses the far field, or what the design, checkpoint or CDP file
/// records; an explicit geometry must agree with a recorded one (`SensingChoice` in Pipeline).
struct PropagationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("From the mask to the sensor: far-field (a lens or the Fraunhofer zone; the default), angular-spectrum "
                               + "(exact free space over --distance-mm) or fresnel (paraxial); the near field needs --pixel-pitch-um, "
                               + "--wavelength-nm and --distance-mm, and usually --pad.", valueName: "model"))
    var propagation: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Near field: pixel pitch of the mask (and of the sensor grid) in micrometres.", valueName: "µm"))
    var pixelPitchUm: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp("Near field: wavelength of the light in nanometres.", valueName: "nm"))
    var wavelengthNm: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp("Near field: distance from the mask to the sensor in millimetres.", valueName: "mm"))
    var distanceMm: Double?
    @Option(help: ArgumentHelp("Near field: zero padding f: the mask sits in the middle of an fN × fN grid, which the sensor records "
                               + "whole (default 1; the sampling check says which f a distance needs).", valueName: "f"))
    var pad: Int?

    var isUsed: Bool { propagation != nil || pixelPitchUm != nil || wavelengthNm != nil || distanceMm != nil || pad != nil }

    /// The geometry given, nil when no option is; every inconsistency is a `ValidationError` naming the
    /// option. The sampling check (which needs the mask's size) comes later, in the job.
    func sensing() throws -> SensingModel? {
        guard isUsed else { return nil }
        guard let name = propagation else {
            throw ValidationError("--pixel-pitch-um, --wavelength-nm, --distance-mm and --pad describe a near-field geometry: "
                                  + "give --propagation angular-spectrum or fresnel with them")
        }
        guard let model = Propagation.Model(rawValue: name) else {
            throw ValidationError("--propagation must be \(Propagation.Model.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        if let pad, !(1...NearFieldSampling.maximumPad).contains(pad) {
            throw ValidationError("--pad must be in 1…\(NearFieldSampling.maximumPad), got \(pad)")
        }
        guard model != .farField else {
            if pixelPitchUm != nil || wavelengthNm != nil || distanceMm != nil || pad != nil {
                throw ValidationError("--pixel-pitch-um, --wavelength-nm, --distance-mm and --pad apply to --propagation "
                                      + "angular-spectrum or fresnel, not far-field")
            }
            return .farField
        }
        let missing = [("--pixel-pitch-um", pixelPitchUm), ("--wavelength-nm", wavelengthNm), ("--distance-mm", distanceMm)]
            .filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let pitch = pixelPitchUm, let lambda = wavelengthNm, let z = distanceMm else {
            throw ValidationError("--propagation \(name) needs " + missing.joined(separator: ", "))
        }
        do {
            // Division by a power of ten is correctly rounded: 633 nm reads back as 6.33e-07 m.
            let g = try NearFieldGeometry(pitch: pitch / 1e6, wavelength: lambda / 1e9, distance: z / 1e3)
            return try SensingModel(oversampling: pad ?? 1, propagation: try Propagation(model, g))
        } catch let error as OpticsError {
            throw ValidationError("--propagation \(name): \(error.description)")
        }
    }

    func validate() throws { _ = try sensing() }
}
