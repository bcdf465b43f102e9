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
    @Option(help: "Lithography: design wavelength in metres.") var wavelength: Double?
    @Option(help: "Lithography: substrate refractive index.") var index: Double?
    @Option(help: "Lithography: pixel pitch in metres (whole nanometres).") var pitch: Double?
    @Flag(help: "Lithography: etch levels (K − ℓ) mod K (conjugate phase).") var conjugate = false
    @Option(help: "Test scenes stored with their CDPs for verify (FashionMNIST in file order, or the test split of a checkpoint trained on other --data); 0 for none.")
    var scenes: Int = 4
    @Option(help: "Zero-padding factor of the sensing model (default: the checkpoint's, else 1).") var oversampling: Int?
    @Option(help: "Phase scale s of the scenes exp(j·s·I), radians (default: the checkpoint's, else π).")
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
    }

    func run() throws {
        var o = ExportOptions(out: out)
        o.model = model; o.mask = mask; o.levels = levels; o.stroke = stroke
        o.levelPhases = try levelPhases.map(parseList)
        o.slm = slm; o.superpixel = superpixel; o.lut = lut
        o.wavelength = wavelength; o.refractiveIndex = index; o.pitch = pitch; o.conjugate = conjugate
        o.scenes = scenes; o.oversampling = oversampling; o.phaseScale = phaseScale
        o.metricsImages = metricsImages; o.data = data; o.name = name
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

/// `none`, `gaussian:SNR_DB` or `poisson:PHOTONS` (`NoiseModel(parsing:)`, the syntax of every command).
func parseNoise(_ text: String) throws -> NoiseModel {
    do { return try NoiseModel(parsing: text) } catch { throw ValidationError("--noise: \(error)") }
}
