import ArgumentParser
import Fabrication
import Pipeline
import Foundation
import Optics
import Storage
import TensorCore

/// `phasemask simulate`: CDPs of a scene under an exported mask, with the optics of training.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate the CDPs an exported mask (HDF5 design or SLM frames) gives for a scene.")

    @Option(help: "An exported design (.h5), a mask dataset FILE.h5:/DATASET ([L,H,W] or [H,W]; attribute units rad, deg or waves), or SLM frame files (.bmp/.png/.csv), one per snapshot (repeat).")
    var mask: [String]
    @Flag(help: "With a design file: simulate the phases the SLM shows (decoded /slm/display), not /mask/phase.")
    var displayed = false
    @Option(help: "Frames: SLM profile (built-in name or JSON file).") var profile: String?
    @Option(help: "Frames: design size HxW in pixels, e.g. 96x96.") var size: String?
    @Option(help: "Frames: superpixel used on export (default: the largest that fits).") var superpixel: Int?
    @Option(help: "Frames: gray→phase lookup table CSV used on export.") var lut: String?
    @Option(help: "Scene: a PNG/BMP/TIFF image, fashion-mnist:test:INDEX, or FILE.h5:/DATASET (complex [B,H,W,2]).")
    var scene: String
    @Option(help: "Output HDF5 file of the CDPs.") var out: String
    @Flag(help: "Also write a PNG figure of the CDPs beside the output.") var png = false
    @Option(help: "Far field: zero-padding factor (default: the design's verification setting, else 1).") var oversampling: Int?
    @OptionGroup(title: "Propagation (default: the design's, else far field)") var optics: PropagationOptions
    @Option(help: "Noise: none, gaussian:SNR_DB, poisson:PHOTONS or camera:photons=N,read=E[,well=E][,bits=B].") var noise: String = "none"
    @Option(help: "Seed of the noise draws.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("With a design file: model a panel leaving this share of the light unmodulated (0…1), at panel resolution with the design's carrier; /cdp is then the whole sensor with its first-order window recorded for reconstruct.", valueName: "fraction"))
    var zeroOrder: Double?
    @OptionGroup(title: "Scene model of image scenes (default: the design's; 0:pi, pure phase, for frames)")
    var sceneOptions: SceneModelOptions
    @Option(help: ArgumentHelp("Amplitude image A of an image scene (PNG/BMP/TIFF or fashion-mnist:SPLIT:INDEX): amplitude "
                               + "A0 + (A1 − A0)·A with --amplitude-range (default A = the scene image).", valueName: "image"))
    var amplitude: String?
    @OptionGroup(title: "Camera frames") var frameOptions: FrameRenderOptions
    @Option(help: ArgumentHelp("Before 0.2: phase scale s, the same as --phase-range 0:s.", visibility: .hidden))
    var phaseScale: Double?

    func validate() throws {
        if let oversampling, !(1...DesignFile.maximumOversampling).contains(oversampling) {
            throw ValidationError("--oversampling must be in 1…\(DesignFile.maximumOversampling), got \(oversampling)")
        }
        _ = try phaseRange()
        _ = try parseNoise(noise)
    }

    /// `--phase-range`, or `--phase-scale s` as 0:s; nil when neither is given.
    func phaseRange() throws -> (low: Double, high: Double)? {
        let parsed = try sceneOptions.parsed()
        guard let phaseScale else { return parsed.phaseRange }
        guard parsed.phaseRange == nil else { throw ValidationError("give --phase-range or --phase-scale, not both") }
        do { return try SceneModel.parsePhaseRange("0:\(phaseScale)") } catch let error as OpticsError {
            throw ValidationError("--phase-scale: \(error.description)")
        }
    }

    func run() throws {
        guard let first = mask.first else { throw ValidationError("give --mask") }
        let input: SimulationJob.MaskInput
        if mask.count == 1, let split = first.range(of: ":/"),
           ["h5", "hdf5"].contains(URL(fileURLWithPath: String(first[..<split.lowerBound])).pathExtension.lowercased()) {
            input = .dataset(first)
        } else if mask.count == 1 && ["h5", "hdf5"].contains(URL(fileURLWithPath: first).pathExtension.lowercased()) {
            input = .design(path: first, displayed: displayed)
        } else {
            guard let profile, let size else { throw ValidationError("SLM frames need --profile and --size") }
            let dims = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard dims.count == 2, dims.allSatisfy({ $0 > 0 }) else { throw ValidationError("--size must be HxW, got '\(size)'") }
            input = .frames(paths: mask, profile: profile, size: (dims[0], dims[1]), superpixel: superpixel, lut: lut)
        }
        var o = SimulationJob.Options(mask: input, scene: scene, out: out)
        o.oversampling = oversampling
        o.sensing = try optics.sensing()
        o.noise = try parseNoise(noise)
        o.seed = seed
        o.zeroOrder = zeroOrder
        let parsed = try sceneOptions.parsed()
        o.phaseRange = try phaseRange()
        o.amplitudeRange = parsed.amplitudeRange
        o.backgroundOffset = parsed.backgroundOffset ?? 0
        o.amplitude = amplitude
        o.log = { print("note: \($0)") }
        if let rendering = try frameOptions.rendering() { o.frames = (rendering, frameOptions.frameTiff!) }
        if png { o.figure = URL(fileURLWithPath: out).deletingPathExtension().appendingPathExtension("png").path }
        let (cdp, simulator, written) = try SimulationJob.run(o)
        let what = zeroOrder == nil ? "CDPs" : "sensor images"
        let geometry = simulator.sensing.propagation == .farField ? "" : ", \(simulator.sensing)"
        print("wrote \(out): \(what) \(cdp.shape)\(geometry), \(simulator.noise), scenes \(simulator.sceneModel)")
        if let figure = o.figure { print("wrote \(figure)") }
        for file in written { print("wrote \(file)") }
    }
}

/// `phasemask verify`: recompute the stored CDPs from the stored mask and bitmaps.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an exported design: re-encoded frames and recomputed CDPs must match the stored ones.")

    @Argument(help: "The exported HDF5 design file.") var file: String
    @Option(help: "SLM frame files to check, one per snapshot (default: those written beside FILE).") var frames: [String] = []
    @Flag(help: "Do not look for frame files beside FILE.") var noFrames = false
    @Option(help: "Largest accepted relative CDP error (per pattern, max-norm).") var tolerance: Double = 1e-5
    @Option(help: ArgumentHelp("A correction file the device or its software adds to every frame itself (repeat); fails if the frames already hold it.", valueName: "file"))
    var deviceCorrection: [String] = []
    @OptionGroup(title: "Propagation (must be the design's; default: the design's)") var optics: PropagationOptions

    func run() throws {
        let chosen: [String]? = noFrames ? [] : (frames.isEmpty ? nil : frames)
        let report = try VerifyJob.run(file: file, frames: chosen, tolerance: tolerance, deviceCorrections: deviceCorrection,
                                       sensing: try optics.sensing())
        print(report)
        if !report.passed { throw ExitCode(1) }
    }
}
