import ArgumentParser
import Fabrication
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
    @Option(help: "Or the mask φ [L, H, W] in radians as an HDF5 dataset: FILE.h5:/DATASET.") var mask: String?
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
    @Option(help: "FashionMNIST test scenes (file order) stored with their CDPs for verify; 0 for none.") var scenes: Int = 4
    @Option(help: "Zero-padding factor of the sensing model (default: the checkpoint's, else 1).") var oversampling: Int?
    @Option(help: "Phase scale s of the scenes exp(j·s·I), radians (default: the checkpoint's, else π).")
    var phaseScale: Double?
    @Option(help: "With --model: test images for PSNR/SSIM before and after quantization; 0 to skip.")
    var metricsImages: Int = 100
    @Option(help: "Directory holding the FashionMNIST IDX files.") var data: String = IDXFile.fashionMNISTDirectory
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "File name stem of the outputs.") var name: String = "design"

    func run() throws {
        let source = try MaskInput(model: model, mask: mask)
        let phi = source.phi
        let constraints = try PhaseConstraints(levels: levels ?? source.config?.levels ?? 8,
                                               stroke: stroke ?? source.config?.stroke ?? 2 * Double.pi,
                                               levelPhases: try levelPhases.map(parseList))
        let profile = try SLMCatalog.resolve(slm)
        let table = try lut.map { try PhaseLUT.load(path: $0, maxGray: profile.maxGray) }
        let settings = ExportSettings(constraints: constraints, profile: profile, superpixel: superpixel, lut: table,
                                      fabrication: try fabricationSettings())
        let export = try DesignExport(mask: phi, settings: settings, source: model ?? mask ?? "mask")
        let f = oversampling ?? source.system?.sensing.oversampling ?? 1
        let simulator = try Simulator(oversampling: f, phaseScale: Float(phaseScale ?? source.config?.phaseScale ?? Double.pi))
        var verification: VerificationData? = nil
        if scenes > 0 {
            let images = try IDXFile.readFashionMNIST(.test, limit: scenes, directory: data).images.tensor(0..<scenes)
            let field = try simulator.field(.intensity(Resize.resize(images, height: phi.shape[1], width: phi.shape[2])))
            verification = try VerificationData.compute(scenes: field, export: export, oversampling: f,
                                                        measure: simulator.measure)
        }
        let metrics = try source.metrics(quantized: export.quantized.phases, images: metricsImages)
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let metadata = DesignMetadata(softwareVersion: PhaseMaskVersion.string,
                                      configurationJSON: try source.configurationJSON(options: options()), metrics: metrics)
        let paths = try export.writeAll(to: directory, stem: name, metadata: metadata, verification: verification)
        print(export.quantized.report)
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { print(String(format: "%@ = %.4f", key, value)) }
        print("SLM \(profile.name): superpixel \(export.layout.superpixel), margins top \(export.layout.top) "
              + "left \(export.layout.left) bottom \(export.layout.bottom) right \(export.layout.right)")
        if let plan = export.lithography { print(plan.summary(), terminator: "") }
        paths.forEach { print("wrote \($0)") }
    }

    private func fabricationSettings() throws -> FabricationSettings? {
        switch (wavelength, index, pitch) {
        case (nil, nil, nil): return nil
        case let (w?, n?, p?): return FabricationSettings(wavelength: w, refractiveIndex: n, pixelPitch: p, conjugated: conjugate)
        default: throw ValidationError("lithography needs all of --wavelength, --index and --pitch")
        }
    }

    /// The export options as strings (stored in the design's configuration JSON).
    private func options() -> [String: String] {
        var options: [String: String] = ["slm": slm, "scenes": "\(scenes)"]
        let optional: [String: CustomStringConvertible?] = [
            "model": model, "mask": mask, "levels": levels, "stroke": stroke, "levelPhases": levelPhases,
            "superpixel": superpixel, "lut": lut, "wavelength": wavelength, "index": index, "pitch": pitch,
            "oversampling": oversampling, "phaseScale": phaseScale]
        for case let (key, value?) in optional { options[key] = value.description }
        if conjugate { options["conjugate"] = "true" }
        return options
    }
}

/// The mask to export: from a checkpoint (with its system and configuration) or an HDF5 dataset.
struct MaskInput {
    let phi: Tensor
    let system: PRSystem?
    var config: TrainingConfig? { system?.config }

    init(model: String?, mask: String?) throws {
        switch (model, mask) {
        case (let path?, nil):
            system = try Checkpoint.load(path).system
            phi = system!.masks.value.copy()
        case (nil, let spec?):
            system = nil
            phi = try readMaskDataset(spec)
        default:
            throw ValidationError("give exactly one of --model CKPT and --mask FILE.h5:/DATASET")
        }
    }

    /// PSNR/SSIM on the first `images` test images with the trained mask and with the quantized one
    /// (the system's mask is restored afterwards). Empty without a checkpoint or with 0 images.
    func metrics(quantized: Tensor, images: Int) throws -> [String: Double] {
        guard let system, images > 0 else { return [:] }
        let c = system.config
        let test = try SceneSplits.load(directory: c.dataDirectory, size: c.size, trainSize: 1, validationSize: 1,
                                        testSize: images).test
        let continuous = try Evaluation.evaluate(system, images: test, batchSize: c.batchSize)
        let trained = system.masks.value.copy()
        system.masks.value.assign(quantized)
        defer { system.masks.value.assign(trained) }
        let after = try Evaluation.evaluate(system, images: test, batchSize: c.batchSize)
        return ["psnr_continuous_db": continuous.psnr, "ssim_continuous": continuous.ssim,
                "psnr_quantized_db": after.psnr, "ssim_quantized": after.ssim]
    }

    /// The checkpoint's training configuration and the export options, as one JSON object.
    func configurationJSON(options: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let exportJSON = String(decoding: try encoder.encode(options), as: UTF8.self)
        guard let config else { return "{\"export\":\(exportJSON)}" }
        let trainingJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        return "{\"export\":\(exportJSON),\"training\":\(trainingJSON)}"
    }
}

/// Reads `FILE.h5:/DATASET` as a finite tensor.
func readMaskDataset(_ spec: String) throws -> Tensor {
    guard let split = spec.range(of: ":/") else {
        throw ValidationError("--mask must be FILE.h5:/DATASET, got '\(spec)'")
    }
    let file = try HDF5File.open(path: String(spec[..<split.lowerBound]))
    defer { try? file.close() }
    return try file.readTensor(String(spec[spec.index(after: split.lowerBound)...]), requireFinite: true)
}

func parseList(_ text: String) throws -> [Double] {
    try text.split(separator: ",").map {
        guard let x = Double($0.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("'\($0)' is not a number")
        }
        return x
    }
}

/// `none`, `gaussian:SNR_DB` or `poisson:PHOTONS`.
func parseNoise(_ text: String) throws -> NoiseModel {
    let parts = text.lowercased().split(separator: ":")
    switch (parts.first.map(String.init), parts.count) {
    case ("none"?, 1): return .none
    case ("gaussian"?, 2): if let snr = Double(parts[1]) { return .gaussian(snrDB: snr) }
    case ("poisson"?, 2): if let n = Double(parts[1]) { return .poisson(photonsPerPixel: n) }
    default: break
    }
    throw ValidationError("--noise must be none, gaussian:SNR_DB or poisson:PHOTONS, got '\(text)'")
}
