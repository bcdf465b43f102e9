import ArgumentParser
import Fabrication
import Foundation
import Optics
import Storage
import TensorCore

/// `phasemask calibrate-lut`: a measured phase response → the lookup table `export --lut` reads.
struct CalibrateLUT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate-lut",
        abstract: "Fit a monotone gray→phase lookup table for one wavelength from a measured (gray, phase) CSV or a fringe-shift stack.")

    @Option(help: "Measured response: CSV 'gray,phase' (radians), every gray level of the panel once, in increasing order.")
    var measured: String?
    @Option(help: ArgumentHelp("Or a fringe-shift stack FILE.h5:/DATASET [levels, rows, columns]: one camera frame per gray level of the two-region pattern (upper half gray 0, lower half gray g), fringes along the columns.", valueName: "file.h5:/dataset"))
    var fringes: String?
    @Option(help: "SLM profile: built-in name or JSON file (bit depth, gray range).") var slm: String
    @Option(help: "Wavelength the table is for, metres.") var wavelength: Double
    @Option(help: ArgumentHelp("Wavelength of the measurement, metres (default: --wavelength; for a stack, its wavelength_m attribute).", valueName: "metres"))
    var measuredWavelength: Double?
    @Option(help: "Output table STEM.csv; STEM_linear.csv and STEM_fit.png are written beside it.") var out: String

    func run() throws {
        guard out.lowercased().hasSuffix(".csv") else { throw ValidationError("--out must name a .csv file, got '\(out)'") }
        let profile = try SLMCatalog.resolve(slm)
        let measurement: LUTMeasurement
        switch (measured, fringes) {
        case (let path?, nil):
            measurement = try LUTMeasurement.csv(path: path, wavelength: measuredWavelength ?? wavelength, maxGray: profile.maxGray)
        case (nil, let spec?):
            measurement = try LUTMeasurement.fringes(spec: spec, wavelength: measuredWavelength, maxGray: profile.maxGray)
        default:
            throw ValidationError("give exactly one of --measured CSV and --fringes FILE.h5:/DATASET")
        }
        let calibration = try LUTCalibration(measurement, wavelength: wavelength, maxGray: profile.maxGray)
        print(calibration.summary)
        for path in try calibration.write(to: out, profile: profile) { print("wrote \(path)") }
    }
}

/// `phasemask simulate-fringes`: the fringe-shift stack `calibrate-lut --fringes` reads, for a known response.
struct SimulateFringes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-fringes",
        abstract: "Simulate a two-region fringe-shift stack (one frame per gray level) for a panel with a known phase response.")

    @Option(help: "SLM profile: built-in name or JSON file.") var slm: String
    @Option(help: "True response: CSV 'gray,phase' (radians) at the profile's wavelength (default: the profile's linear response).")
    var lut: String?
    @Option(help: ArgumentHelp("Or a gamma-shaped response stroke·(g/2^bits)^gamma: the stroke in radians (e.g. 7.5).", valueName: "radians"))
    var stroke: Double?
    @Option(help: "Exponent of the gamma-shaped response.") var gamma: Double = 1
    @Option(help: "Camera frame size ROWSxCOLUMNS.") var size: String = "32x128"
    @Option(help: "Fringe period on the camera, pixels.") var period: Double = 8
    @Option(help: "Standard deviation of Gaussian noise added to the frames (fringe amplitude 2).") var noise: Double = 0
    @Option(help: "Seed of the noise.") var seed: UInt64 = 0
    @Option(help: "Output HDF5 file; the stack is /frames with attributes gray_levels and wavelength_m.") var out: String

    func run() throws {
        let profile = try SLMCatalog.resolve(slm)
        let dims = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims[0] >= 8, dims[1] >= 16 else { throw ValidationError("--size must be ROWSxCOLUMNS, at least 8x16") }
        guard period >= 2, noise >= 0 else { throw ValidationError("--period must be ≥ 2 pixels and --noise ≥ 0") }
        let response: (Int) -> Double
        if let lut {
            let encoder = try GrayEncoder(profile: profile, lut: try PhaseLUT.load(path: lut, maxGray: profile.maxGray))
            response = { (try? encoder.phase(forGray: $0)) ?? .nan }
        } else if let stroke {
            let levels = Double(profile.maxGray + 1)
            response = { stroke * pow(Double($0) / levels, gamma) }
        } else {
            let encoder = GrayEncoder(profile: profile)
            response = { (try? encoder.phase(forGray: $0)) ?? .nan }
        }
        let grays = Array(0...profile.maxGray)
        guard grays.allSatisfy({ response($0).isFinite }) else {
            throw ValidationError("\(lut ?? "the response") must give a phase for every gray level 0…\(profile.maxGray)")
        }
        var generator = SeededGenerator(seed: seed)
        let frames = FringeStack.simulate(grays: grays, phase: response, rows: dims[0], columns: dims[1], period: period,
                                          noise: noise, generator: &generator)
        let file = try HDF5File.create(path: out)
        do {
            try file.write(frames, to: "/frames", requireFinite: true)
            try file.setAttribute("gray_levels", .ints(grays), on: "/frames")
            try file.setAttribute("wavelength_m", .double(profile.designWavelength), on: "/frames")
            try file.setAttribute("description", .string("two-region fringe-shift stack: upper half gray 0, lower half gray g"), on: "/frames")
            try file.close()
        } catch {
            file.discard()
            throw error
        }
        print("wrote \(out): /frames \(frames.shape), \(profile.name) at \(profile.designWavelength) m")
    }
}
