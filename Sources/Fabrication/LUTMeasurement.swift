import Foundation
import Optics
import Storage
import TensorCore

/// A panel's measured phase response: one phase per gray level, every level 0…maxGray once, in order
/// (`calibrate-lut` input). Phases in radians at `wavelength`, as measured (they may wrap).
public struct LUTMeasurement: Sendable {
    public let grays: [Int]
    public let phases: [Double]
    /// Metres.
    public let wavelength: Double
    /// The file it came from (errors and the LUT's header name it).
    public let source: String

    /// Checks that `grays` are 0…maxGray, each once, in increasing order; errors name `source`.
    public init(grays: [Int], phases: [Double], wavelength: Double, maxGray: Int, source: String) throws {
        guard grays.count == phases.count, phases.allSatisfy(\.isFinite) else {
            throw FabricationError(source, "every gray level needs one finite phase")
        }
        for (i, pair) in zip(grays, grays.dropFirst()).enumerated() where pair.1 <= pair.0 {
            throw FabricationError(source, "gray levels are not in increasing order: gray \(pair.1) (entry \(i + 2)) follows gray "
                                   + "\(pair.0); list every gray level once, from 0 to \(maxGray)")
        }
        if let outside = grays.first(where: { !(0...maxGray).contains($0) }) {
            throw FabricationError(source, "gray level \(outside) is outside the panel's 0…\(maxGray)")
        }
        let missing = Set(0...maxGray).subtracting(grays).sorted()
        if !missing.isEmpty {
            let shown = missing.prefix(6).map(String.init).joined(separator: ", ") + (missing.count > 6 ? ", …" : "")
            throw FabricationError(source, "\(missing.count) of the gray levels 0…\(maxGray) are missing (\(shown)); "
                                   + "a calibration needs every level")
        }
        guard wavelength.isFinite, wavelength > 0 else {
            throw FabricationError(source, "measurement wavelength must be a positive length in metres, got \(wavelength)")
        }
        (self.grays, self.phases, self.wavelength, self.source) = (grays, phases, wavelength, source)
    }

    /// A CSV `gray,phase` (radians; a header line and `#` comments allowed), one row per gray level.
    public static func csv(path: String, wavelength: Double, maxGray: Int) throws -> LUTMeasurement {
        let table = try CSVFile.read(path: path, header: .automatic, columns: 2)
        let grays = try table.rows.enumerated().map { i, row -> Int in
            guard row[0] == row[0].rounded(), let g = Int(exactly: row[0]) else {
                throw FabricationError(path, "row \(i + 1): gray \(row[0]) is not an integer")
            }
            return g
        }
        return try LUTMeasurement(grays: grays, phases: table.rows.map { $0[1] }, wavelength: wavelength, maxGray: maxGray,
                                  source: path)
    }

    /// A fringe-shift stack `FILE.h5:/DATASET`, float or integer `[G, H, W]`: one camera frame per gray
    /// level (the dataset's int attribute `gray_levels`, else 0…G−1) of a two-region pattern (`FringeStack`).
    /// The wavelength is `wavelength`, else the dataset's `wavelength_m`.
    public static func fringes(spec: String, wavelength: Double?, maxGray: Int) throws -> LUTMeasurement {
        let mask = try MaskDataset(parsing: spec)
        let file = try HDF5File.open(path: mask.path)
        defer { try? file.close() }
        let frames = try readFrames(file, mask.dataset, mask.path)
        let names = try file.attributeNames(of: mask.dataset)
        var grays = Array(0..<frames.shape[0])
        if names.contains("gray_levels") {
            guard case .ints(let listed) = try file.attribute("gray_levels", of: mask.dataset), listed.count == frames.shape[0] else {
                throw FabricationError(mask.path, "\(mask.dataset): gray_levels must list one integer per frame (\(frames.shape[0]))")
            }
            grays = listed
        }
        let lambda = try wavelength ?? (names.contains("wavelength_m") ? file.doubleAttribute("wavelength_m", of: mask.dataset) : nil)
        guard let lambda else {
            throw FabricationError(mask.path, "\(mask.dataset) has no wavelength_m attribute; give the measurement wavelength")
        }
        let phases = try FringeStack.phases(frames, source: "\(mask.path): \(mask.dataset)")
        return try LUTMeasurement(grays: grays, phases: phases, wavelength: lambda, maxGray: maxGray, source: spec)
    }

    private static func readFrames(_ file: HDF5File, _ dataset: String, _ path: String) throws -> Tensor {
        let (type, shape) = try file.datasetInfo(dataset)
        guard shape.count == 3, shape[1] >= 8, shape[2] >= 16 else {
            throw FabricationError(path, "\(dataset) has shape \(shape); a fringe stack is [gray levels, rows ≥ 8, columns ≥ 16]")
        }
        switch type {
        case .uint16: return Tensor(try file.read(UInt16.self, dataset).values.map(Float.init), shape: shape)
        case .uint8: return Tensor(try file.read(UInt8.self, dataset).values.map(Float.init), shape: shape)
        default: return try file.readTensor(dataset, requireFinite: true)
        }
    }
}

/// The two-region fringe-shift measurement of a phase response (as in otslm's calibration): the panel
/// shows gray 0 in its upper half and gray g in its lower half, a tilted reference wave interferes with
/// it, and a camera records straight fringes across both halves, one frame per gray level g. The
/// lower fringes shift against the upper ones by the phase difference φ(g) − φ(0).
///
/// Frames are `[G, H, W]`, rows top to bottom; the upper region is rows `[0, ⌊0.4H⌋)`, the lower one
/// `[⌈0.6H⌉, H)` (a guard band around the boundary), fringes run along the columns.
public enum FringeStack {
    /// The phase of each frame: each region's rows are averaged into a profile along the columns (mean
    /// removed, Hann window), the fringe frequency k0 is the strongest bin 1…W/2 of the first frame's
    /// upper profile, and φ = arg(L(k0) · conj(U(k0))), L, U the lower and upper profiles' DFT
    /// (`Σ_x p(x) e^{−2πj k x/W}`), so fringes `cos(2πk0 x/W + θ)` read as θ. Radians in (−π, π].
    public static func phases(_ frames: Tensor, source: String) throws -> [Double] {
        let (count, h, w) = (frames.shape[0], frames.shape[1], frames.shape[2])
        let upperRows = 0..<(2 * h / 5), lowerRows = ((3 * h + 4) / 5)..<h
        let window = (0..<w).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(w)) }
        func profile(_ g: Int, _ rows: Range<Int>) -> [Double] {
            var p = [Double](repeating: 0, count: w)
            for r in rows { for c in 0..<w { p[c] += Double(frames.pointer[(g * h + r) * w + c]) } }
            let mean = p.reduce(0, +) / Double(w)
            return p.enumerated().map { ($1 - mean) * window[$0] }
        }
        func bin(_ p: [Double], _ k: Int) -> (re: Double, im: Double) {
            var re = 0.0, im = 0.0
            for (x, v) in p.enumerated() {
                let a = -2 * Double.pi * Double(k * x) / Double(w)
                re += v * cos(a)
                im += v * sin(a)
            }
            return (re, im)
        }
        let first = profile(0, upperRows)
        let power = (0...(w / 2)).map { k -> Double in k == 0 ? 0 : { hypot($0.re, $0.im) }(bin(first, k)) }
        let k0 = power.indices.max { power[$0] < power[$1] } ?? 1
        let typical = power.dropFirst().sorted()[power.count / 2]
        guard k0 >= 2, power[k0] > 8 * typical else {
            throw FabricationError(source, "no fringes found in the first frame's upper region (strongest frequency bin \(k0) "
                                   + "of \(w / 2)); expected straight fringes along the columns")
        }
        return (0..<count).map { g in
            let u = bin(profile(g, upperRows), k0), l = bin(profile(g, lowerRows), k0)
            return atan2(l.im * u.re - l.re * u.im, l.re * u.re + l.im * u.im)
        }
    }

    /// Simulated frames `[G, rows, columns]` of the two-region pattern: the upper half of each frame at
    /// `phase(0)`, the lower half at `phase(g)` for each g of `grays`, interfering with a reference
    /// `exp(−2πj x/period)`: `I = |e^{jθ} + e^{−2πj x/period}|² = 2 + 2 cos(θ + 2π x/period)`, plus
    /// Gaussian noise of standard deviation `noise` drawn from `generator`.
    public static func simulate(grays: [Int], phase: (Int) -> Double, rows: Int, columns: Int, period: Double,
                                noise: Double = 0, generator: inout SeededGenerator) -> Tensor {
        let out = Tensor(uninitialized: [grays.count, rows, columns])
        let reference = phase(0)
        for (i, g) in grays.enumerated() {
            let shown = phase(g)
            for r in 0..<rows {
                let theta = r < rows / 2 ? reference : shown
                for c in 0..<columns {
                    var v = 2 + 2 * cos(theta + 2 * Double.pi * Double(c) / period)
                    if noise > 0 { v += noise * Double(generator.normal()) }
                    out.pointer[(i * rows + r) * columns + c] = Float(v)
                }
            }
        }
        return out
    }
}
