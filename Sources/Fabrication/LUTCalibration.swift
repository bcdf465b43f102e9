import Figures
import Foundation
import Optics
import Storage

/// A measured phase response turned into the lookup table `export --lut` reads, for one wavelength.
///
/// 1. Unwrap the measured phases along the grays (steps below π); a response that falls overall
///    (an inverted panel) is handled as its mirror image.
/// 2. Monotone fit: the least-squares non-decreasing sequence (pool-adjacent-violators), so noise never
///    makes two grays swap order.
/// 3. Scale to the target wavelength λ: × λm/λ (λm the measurement's; dispersion ignored, as on export).
/// 4. Stroke S = fit(last) − fit(first) + δ (δ the median step). S ≥ 2π: the **2π sub-range** — the
///    run of consecutive grays a…b with fit(b) − fit(a) < 2π − δ/2 holding the most levels (the finest
///    steps; ties to the lowest a). S < 2π: every gray; export then truncates or compresses.
/// 5. Table: the sub-range's grays with phase fit(g) − fit(a), so gray a shows phase 0, at the panel's
///    own gray values (0…1023 on a 10-bit panel); the linearization table maps each input level
///    k of 2^bits to the gray nearest phase 2πk/2^bits.
public struct LUTCalibration: Sendable {
    public let measurement: LUTMeasurement
    /// Target wavelength λ, metres.
    public let wavelength: Double
    /// Measured phases unwrapped and scaled to λ, relative to the first gray (mirrored if the response falls).
    public let measured: [Double]
    /// The monotone fit of `measured`.
    public let fitted: [Double]
    /// True when the measured response falls with gray (then the table's phases are mirrored back).
    public let falling: Bool
    /// S at λ, radians.
    public let stroke: Double
    /// Indices into `measurement.grays` of the table's grays.
    public let subRange: ClosedRange<Int>
    public let table: PhaseLUT

    public init(_ m: LUTMeasurement, wavelength: Double, maxGray: Int) throws {
        guard wavelength.isFinite, wavelength > 0 else {
            throw FabricationError("--wavelength", "must be a positive length in metres, got \(wavelength)")
        }
        var unwrapped = [m.phases[0]]
        for (a, b) in zip(m.phases, m.phases.dropFirst()) { unwrapped.append(unwrapped[unwrapped.count - 1] + wrapToPi(b - a)) }
        let falling = unwrapped[unwrapped.count - 1] < unwrapped[0]
        let scale = m.wavelength / wavelength
        let measured = unwrapped.map { ($0 - unwrapped[0]) * scale * (falling ? -1 : 1) }
        let fitted = Self.monotoneFit(measured)
        let steps = zip(fitted, fitted.dropFirst()).map { $1 - $0 }.sorted()
        let delta = max(steps[steps.count / 2], (fitted[fitted.count - 1] - fitted[0]) / Double(fitted.count - 1))
        let stroke = fitted[fitted.count - 1] - fitted[0] + delta
        let range = stroke >= 2 * Double.pi ? Self.densestTurn(fitted, delta: delta) : 0...(fitted.count - 1)
        let pairs = range.map { (gray: m.grays[$0], phase: (fitted[$0] - fitted[range.lowerBound]) * (falling ? -1 : 1)) }
        (self.measurement, self.wavelength, self.measured, self.fitted, self.falling, self.stroke, self.subRange) =
            (m, wavelength, measured, fitted, falling, stroke, range)
        table = try PhaseLUT(pairs: pairs, maxGray: maxGray, source: m.source)
    }

    /// Least-squares non-decreasing fit (pool adjacent violators, equal weights).
    public static func monotoneFit(_ y: [Double]) -> [Double] {
        var means: [Double] = [], counts: [Int] = []
        for v in y {
            means.append(v)
            counts.append(1)
            while means.count > 1 && means[means.count - 2] > means[means.count - 1] {
                let (m2, c2) = (means.removeLast(), counts.removeLast())
                let (m1, c1) = (means.removeLast(), counts.removeLast())
                means.append((m1 * Double(c1) + m2 * Double(c2)) / Double(c1 + c2))
                counts.append(c1 + c2)
            }
        }
        return zip(means, counts).flatMap { Array(repeating: $0, count: $1) }
    }

    /// The run a…b of a non-decreasing `f` with f(b) − f(a) < 2π − δ/2 and the most entries (ties: lowest a).
    static func densestTurn(_ f: [Double], delta: Double) -> ClosedRange<Int> {
        var best = 0...0, end = 0
        for start in f.indices {
            end = max(end, start)
            while end + 1 < f.count && f[end + 1] - f[start] < 2 * Double.pi - delta / 2 { end += 1 }
            if end - start > best.upperBound - best.lowerBound { best = start...end }
        }
        return best
    }

    /// For each input level k = 0…levels−1, the gray the table shows nearest phase 2πk/levels.
    public func linearization(levels: Int, profile: SLMProfile) throws -> [Int] {
        let encoder = try GrayEncoder(profile: profile, lut: table)
        return (0..<levels).map { encoder.gray(forPhase: 2 * Double.pi * Double($0) / Double(levels)) }
    }

    /// One line on the result.
    public var summary: String {
        let (a, b) = (measurement.grays[subRange.lowerBound], measurement.grays[subRange.upperBound])
        var line = String(format: "stroke %.3fπ at %.4g m (measured at %.4g m", stroke / Double.pi, wavelength, measurement.wavelength)
        line += falling ? ", phase falls with gray)" : ")"
        if stroke >= 2 * Double.pi {
            line += ": 2π sub-range grays \(a)…\(b) (\(subRange.count) levels), phase 0 at gray \(a)"
        } else {
            line += ": below 2π, all \(subRange.count) levels; export truncates or compresses (--stroke-policy)"
        }
        let rms = (zip(measured, fitted).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(fitted.count)).squareRoot()
        return line + String(format: "; monotone fit RMS residual %.4f rad", rms)
    }
}

extension LUTCalibration {
    /// Writes `<stem>.csv` (`gray,phase`, what `export --lut` reads), `<stem>_linear.csv` (`level,gray`
    /// for the 2^bits input levels) and `<stem>_fit.png` into the folder of `path` (= `<stem>.csv`),
    /// all or nothing; returns the paths.
    public func write(to path: String, profile: SLMProfile) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let group = try AtomicFileGroup(directory: url.deletingLastPathComponent().path, name: stem)
        let names = ["\(stem).csv", "\(stem)_linear.csv", "\(stem)_fit.png"]
        do {
            let header = "# phasemask calibrate-lut: \(profile.name), \(profile.bitDepth)-bit, from \(measurement.source)\n# \(summary)\n"
            var text = header + "gray,phase\n"
            for e in table.entries { text += "\(e.gray),\(e.phase)\n" }
            try AtomicFile.write(Array(text.utf8), to: group.stagingPath(names[0]))
            let levels = 1 << profile.bitDepth
            var linear = header + "# input level k shows phase 2*pi*k/\(levels); output: the panel's \(profile.bitDepth)-bit gray\nlevel,gray\n"
            for (k, g) in try linearization(levels: levels, profile: profile).enumerated() { linear += "\(k),\(g)\n" }
            try AtomicFile.write(Array(linear.utf8), to: group.stagingPath(names[1]))
            try plot().writePNG(to: group.stagingPath(names[2]))
            return try group.commit(order: names)
        } catch {
            group.discard()
            throw error
        }
    }

    /// Measured and fitted phase (rad, at λ) against gray, with the 2π sub-range's ends.
    public func plot() -> LinePlot {
        let x = measurement.grays.map(Double.init)
        let sign = falling ? -1.0 : 1.0
        var series = [Series(label: "measured (unwrapped)", x: x, y: measured.map { $0 * sign }, marker: .circle, lineWidth: 0),
                      Series(label: "monotone fit", x: x, y: fitted.map { $0 * sign }, marker: .none, lineWidth: 2)]
        if stroke >= 2 * Double.pi {
            let ends = [subRange.lowerBound, subRange.upperBound]
            series.append(Series(label: "2π sub-range", x: ends.map { x[$0] }, y: ends.map { fitted[$0] * sign },
                                 marker: .diamond, lineWidth: 0))
        }
        let file = measurement.source.components(separatedBy: ":/")[0]
        return LinePlot(title: String(format: "%@ at %.4g m", (file as NSString).lastPathComponent, wavelength),
                        xLabel: "gray", yLabel: "phase (rad)", series: series)
    }
}
