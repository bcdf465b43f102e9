import ArgumentParser
import Fabrication
import Foundation
import Optics
import Storage
import TensorCore

/// `phasemask export`: quantize a trained mask and write the HDF5 design file, the SLM frames and,
/// with lithography settings, the binary masks, GDSII and summary.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantize a mask and write HDF5, SLM bitmaps and (optionally) lithography files.")

    @Option(help: "The mask φ [L, H, W] in radians, as an HDF5 dataset: FILE.h5:/DATASET.") var mask: String
    @Option(help: "Phase levels K (lithography needs a power of two).") var levels: Int = 8
    @Option(help: "SLM phase stroke in radians (default 2π).") var stroke: Double?
    @Option(help: "Measured level phases in radians, comma-separated (non-uniform device).") var levelPhases: String?
    @Option(help: "SLM profile: pluto-2, x13138, slm-200, meadowlark-1920x1152, or a JSON profile file.") var slm: String
    @Option(help: "SLM pixels per design pixel (default: the largest that fits).") var superpixel: Int?
    @Option(help: "Gray→phase lookup table, CSV 'gray,phase' (radians).") var lut: String?
    @Option(help: "Lithography: design wavelength in metres.") var wavelength: Double?
    @Option(help: "Lithography: substrate refractive index.") var index: Double?
    @Option(help: "Lithography: pixel pitch in metres (whole nanometres).") var pitch: Double?
    @Flag(help: "Lithography: etch levels (K − ℓ) mod K (conjugate phase).") var conjugate = false
    @Option(help: "FashionMNIST test scenes (file order) stored with their CDPs for verify; 0 for none.") var scenes: Int = 4
    @Option(help: "Zero-padding factor of the sensing model.") var oversampling: Int = 1
    @Option(help: "Phase scale s of the scenes exp(j·s·I), radians.") var phaseScale: Double = Double.pi
    @Option(help: "Directory holding the FashionMNIST IDX files.") var data: String = IDXFile.fashionMNISTDirectory
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "File name stem of the outputs.") var name: String = "design"

    func run() throws {
        let phi = try readMaskDataset(mask)
        let constraints = try PhaseConstraints(levels: levels, stroke: stroke ?? 2 * Double.pi,
                                               levelPhases: try levelPhases.map(parseList))
        let profile = try SLMCatalog.resolve(slm)
        let table = try lut.map { try PhaseLUT.load(path: $0, maxGray: profile.maxGray) }
        let settings = ExportSettings(constraints: constraints, profile: profile, superpixel: superpixel, lut: table,
                                      fabrication: try fabricationSettings())
        let export = try DesignExport(mask: phi, settings: settings, source: mask)
        let simulator = try Simulator(oversampling: oversampling, phaseScale: Float(phaseScale))
        var verification: VerificationData? = nil
        if scenes > 0 {
            let images = try IDXFile.readFashionMNIST(.test, limit: scenes, directory: data).images.tensor(0..<scenes)
            let field = try simulator.field(.intensity(Resize.resize(images, height: phi.shape[1], width: phi.shape[2])))
            verification = try VerificationData.compute(scenes: field, export: export, oversampling: oversampling,
                                                        measure: simulator.measure)
        }
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let metadata = DesignMetadata(softwareVersion: PhaseMaskVersion.string, configurationJSON: try configurationJSON())
        let paths = try export.writeAll(to: directory, stem: name, metadata: metadata, verification: verification)
        print(export.quantized.report)
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

    private func configurationJSON() throws -> String {
        var options: [String: String] = ["mask": mask, "levels": "\(levels)", "slm": slm, "scenes": "\(scenes)",
                                         "oversampling": "\(oversampling)", "phaseScale": "\(phaseScale)"]
        let optional: [String: CustomStringConvertible?] = [
            "stroke": stroke, "levelPhases": levelPhases, "superpixel": superpixel, "lut": lut,
            "wavelength": wavelength, "index": index, "pitch": pitch]
        for case let (key, value?) in optional { options[key] = value.description }
        if conjugate { options["conjugate"] = "true" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(options), as: UTF8.self)
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
