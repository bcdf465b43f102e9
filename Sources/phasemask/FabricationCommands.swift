import ArgumentParser
import Fabrication
import Pipeline
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask export`: quantize a trained mask and write the HDF5 design file, the SLM frames and,
/// with lithography settings, the binary masks, GDSII and summary.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantize a mask and write HDF5, SLM bitmaps and (optionally) lithography files.")

    @Option(help: "Training checkpoint whose mask φ is exported (levels, stroke, optics from its configuration).")
    var model: String?
    @Option(help: "Or the mask φ as an HDF5 dataset FILE.h5:/DATASET: [L, H, W] or [H, W] (one snapshot), in radians unless its attribute units says deg or waves.")
    var mask: String?
    @Option(help: "Phase levels K (default: the checkpoint's, else 8; lithography needs a power of two).") var levels: Int?
    @Option(help: "SLM phase stroke in radians (default: the checkpoint's, else 2π).") var stroke: Double?
    @Option(help: "Measured level phases in radians, comma-separated (non-uniform device).") var levelPhases: String?
    @Option(help: "SLM profile: pluto-2, x13138, slm-200, meadowlark-1920x1152, or a JSON profile file.") var slm: String
    @Option(help: "SLM pixels per design pixel (default: the largest that fits).") var superpixel: Int?
    @Option(help: "Gray→phase lookup table, CSV 'gray,phase' (radians).") var lut: String?
    @Option(help: ArgumentHelp("Carrier added to every frame: a blazed grating blaze:PX,PY (periods in SLM pixels, 0 = none along that axis, |P| ≥ 2) or a Fresnel lens lens:FOCAL_M, so the modulated light leaves the zero order.", valueName: "blaze:PX,PY|lens:FOCAL_M"))
    var carrier: String?
    @Option(help: ArgumentHelp("Flatness correction added to every frame (repeat for several): a Hamamatsu CAL_*.bmp (2π = the profile's gray2Pi), a Santec CSV, a Holoeye or Meadowlark image (2π = 256), a generic 8/16-bit PNG (2π = 2^bits) or FILE.h5:/DATASET in radians; prefix KIND: (hamamatsu, santec, holoeye, meadowlark, image, hdf5) to choose, append ,2pi=GRAY or ,wavelength=METRES to override.", valueName: "[kind:]file[,2pi=G][,wavelength=M]"))
    var correction: [String] = []
    @Option(help: ArgumentHelp("Instead of a design, write native-resolution test frames <name>_test_<pattern>.* to check the panel: checkerboard (orientation), ramp (bit depth, 2π gray value), stripes (2π gray value); repeat for several.", valueName: "checkerboard|ramp|stripes"))
    var testPattern: [String] = []
    @Option(help: ArgumentHelp("SLM: the wavelength the panel is used at, in metres, when it differs from the profile's: the phase response scales by λc/λ; a stroke above 2π uses the 2π sub-range.", valueName: "metres"))
    var operatingWavelength: Double?
    @Option(help: ArgumentHelp("SLM: when the stroke at --operating-wavelength falls below 2π, truncate (phases beyond the stroke go to the nearer end) or compress (every phase × stroke/2π).", valueName: "truncate|compress"))
    var strokePolicy: String = "truncate"
    @Option(help: "Lithography: design wavelength in metres.") var wavelength: Double?
    @Option(help: "Lithography: substrate refractive index.") var index: Double?
    @Option(help: "Lithography: pixel pitch in metres (whole nanometres).") var pitch: Double?
    @Flag(help: "Lithography: etch levels (K − ℓ) mod K (conjugate phase).") var conjugate = false
    @Option(help: "Test scenes stored with their CDPs for verify (FashionMNIST in file order, or the test split of a checkpoint trained on other --data); 0 for none.")
    var scenes: Int = 4
    @Option(help: "Zero-padding factor of the far-field sensing model (default: the checkpoint's, else 1).") var oversampling: Int?
    @OptionGroup(title: "Propagation (default: the checkpoint's, else far field)") var optics: PropagationOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Phase range of the verification scenes in radians (default: the checkpoint's, else 0:pi).",
                               valueName: "min:max"))
    var phaseRange: String?
    @Option(help: ArgumentHelp("Amplitude A0:A1 of the verification scenes (default: the checkpoint's, else 1:1).",
                               valueName: "a0:a1"))
    var amplitudeRange: String?
    @Option(help: ArgumentHelp("Before 0.2: phase scale s, the same as --phase-range 0:s.", visibility: .hidden))
    var phaseScale: Double?
    @Option(help: "With --model: test images for PSNR/SSIM before and after quantization; 0 to skip.")
    var metricsImages: Int = 100
    @Option(help: "Verification scenes of a bare --mask or a FashionMNIST design: a folder of FashionMNIST IDX files (default), or one scene source as for train --data (synthetic:KIND, a folder of images).")
    var data: String = IDXFile.fashionMNISTDirectory
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "File name stem of the outputs.") var name: String = "design"

    func validate() throws {
        if let oversampling, !(1...DesignFile.maximumOversampling).contains(oversampling) {
            throw ValidationError("--oversampling must be in 1…\(DesignFile.maximumOversampling), got \(oversampling)")
        }
        guard scenes >= 0, metricsImages >= 0 else { throw ValidationError("--scenes and --metrics-images must not be negative") }
        _ = try sceneOverrides()
    }

    /// The phase range (`--phase-range`, or `--phase-scale s` as 0:s) and amplitude range given.
    func sceneOverrides() throws -> (phase: (low: Double, high: Double)?, amplitude: (atZero: Double, atOne: Double)?) {
        if phaseRange != nil && phaseScale != nil { throw ValidationError("give --phase-range or --phase-scale, not both") }
        var phase: (low: Double, high: Double)?, amplitude: (atZero: Double, atOne: Double)?
        do {
            if let phaseRange { phase = try SceneModel.parsePhaseRange(phaseRange) }
            if let phaseScale { phase = try SceneModel.parsePhaseRange("0:\(phaseScale)") }
        } catch let error as OpticsError {
            throw ValidationError("--\(phaseScale == nil ? "phase-range" : "phase-scale"): \(error.description)")
        }
        do {
            if let amplitudeRange { amplitude = try SceneModel.parseAmplitudeRange(amplitudeRange) }
        } catch let error as OpticsError {
            throw ValidationError("--amplitude-range: \(error.description)")
        }
        return (phase, amplitude)
    }

    func run() throws {
        var o = ExportOptions(out: out)
        o.model = model; o.mask = mask; o.levels = levels; o.stroke = stroke
        o.levelPhases = try levelPhases.map(parseList)
        o.slm = slm; o.superpixel = superpixel; o.lut = lut; o.carrier = carrier; o.corrections = correction
        o.operatingWavelength = operatingWavelength
        guard let policy = PhaseResponse.Policy(rawValue: strokePolicy) else {
            throw ValidationError("--stroke-policy must be truncate or compress, got '\(strokePolicy)'")
        }
        o.strokePolicy = policy
        o.wavelength = wavelength; o.refractiveIndex = index; o.pitch = pitch; o.conjugate = conjugate
        o.scenes = scenes; o.oversampling = oversampling
        o.sensing = try optics.sensing()
        let (phase, amplitude) = try sceneOverrides()
        if phase != nil || amplitude != nil {
            var model = try model.map { try Checkpoint.configuration(at: $0).sceneModel } ?? .standard
            if let (low, high) = phase { (model.phaseMin, model.phaseMax) = (low, high) }
            if let (a0, a1) = amplitude { (model.amplitudeAtZero, model.amplitudeAtOne) = (a0, a1) }
            o.sceneModel = model
        }
        o.metricsImages = metricsImages; o.data = data; o.name = name
        if !testPattern.isEmpty {
            print(try TestPatternJob.run(testPattern, options: o).summary)
            return
        }
        print(try ExportJob.run(o).summary)
    }
}

func parseList(_ text: String) throws -> [Double] {
    try text.split(separator: ",").map {
        guard let x = Double($0.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("'\($0)' is not a number")
        }
        return x
    }
}

/// `--noise none|gaussian:SNR_DB|poisson:PHOTONS|camera:photons=N,read=E[,well=E][,bits=B]`, the one noise syntax of every command
/// (`NoiseModel(parsing:)`). A bare `gaussian` or `poisson` (the level once came from `--snr` or
/// `--photons`) is refused with the syntax that replaced it.
func parseNoise(_ text: String) throws -> NoiseModel {
    switch text.lowercased() {
    case "gaussian":
        throw ValidationError("--noise gaussian needs its level: --noise gaussian:SNR_DB, e.g. --noise gaussian:30 (--snr is gone)")
    case "poisson":
        throw ValidationError("--noise poisson needs its level: --noise poisson:PHOTONS, e.g. --noise poisson:1000 (--photons is gone)")
    default:
        do { return try NoiseModel(parsing: text) } catch { throw ValidationError("--noise: \(error)") }
    }
}
