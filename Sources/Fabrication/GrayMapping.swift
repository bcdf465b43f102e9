import Foundation
import Optics
import Storage

/// A measured gray → phase lookup table for one panel at one wavelength.
///
/// The phases are what the panel shows for each *written* gray value, so a table already includes
/// any inversion of the display (`GrayEncoder` does not invert again). Entries need not be monotonic
/// or complete: measured curves are noisy and wrap, and the encoder simply picks, for each target
/// phase, the listed gray value with the least circular phase error (ties: the lower gray value).
/// Gray values must be distinct integers in 0…maxGray, phases finite (radians, wrapped to [0, 2π)
/// on load); at least two entries.
public struct PhaseLUT: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let gray: Int
        /// Radians in [0, 2π).
        public let phase: Double
    }

    /// Entries sorted by gray value.
    public let entries: [Entry]

    public init(pairs: [(gray: Int, phase: Double)], maxGray: Int, source: String) throws {
        guard pairs.count >= 2 else {
            throw FabricationError(source, "a phase lookup table needs at least 2 (gray, phase) entries, got \(pairs.count)")
        }
        var seen = Set<Int>()
        for p in pairs {
            guard (0...maxGray).contains(p.gray) else {
                throw FabricationError(source, "gray value \(p.gray) is outside 0…\(maxGray)")
            }
            guard p.phase.isFinite else {
                throw FabricationError(source, "phase for gray \(p.gray) is not finite")
            }
            guard seen.insert(p.gray).inserted else {
                throw FabricationError(source, "gray value \(p.gray) is listed twice")
            }
        }
        entries = pairs.map { Entry(gray: $0.gray, phase: wrapPhase($0.phase)) }.sorted { $0.gray < $1.gray }
    }

    /// Parses CSV text with one `gray,phase` row per line (phase in radians) through `CSVFile`:
    /// blank lines and `#` comments are skipped, a first line with a non-numeric field is a header
    /// (e.g. `gray,phase`), every other field must be a finite number and every gray value an integer.
    /// Errors name `source` and the line.
    public static func parse(csv text: String, maxGray: Int, source: String) throws -> PhaseLUT {
        try PhaseLUT(table: try CSVFile.parse(text, path: source, header: .automatic, columns: 2),
                     maxGray: maxGray, source: source)
    }

    /// Reads a `gray,phase` CSV file (see `parse(csv:maxGray:source:)`).
    public static func load(path: String, maxGray: Int) throws -> PhaseLUT {
        try PhaseLUT(table: try CSVFile.read(path: path, header: .automatic, columns: 2), maxGray: maxGray, source: path)
    }

    private init(table: CSVTable, maxGray: Int, source: String) throws {
        guard !table.rows.isEmpty else { throw FabricationError(source, "the phase lookup table is empty") }
        let pairs = try table.rows.enumerated().map { index, row -> (gray: Int, phase: Double) in
            guard row[0] == row[0].rounded(), let gray = Int(exactly: row[0]) else {
                throw FabricationError(source, "row \(index + 1): gray value \(row[0]) is not an integer")
            }
            return (gray, row[1])
        }
        try self.init(pairs: pairs, maxGray: maxGray, source: source)
    }

    /// The listed gray value with the least circular error to `phi`, ties to the lower gray value: the
    /// plain scan over every entry (the reference for `GrayEncoder`'s binary search).
    public func nearestGray(_ phi: Double) -> Int {
        let p = wrapPhase(phi)
        var best = entries[0]
        var bestDistance = Double.infinity
        for e in entries {
            let d = circularDistance(p, e.phase)
            if d < bestDistance { best = e; bestDistance = d }
        }
        return best.gray
    }

    /// Half the widest circular gap between neighbouring table phases: the worst encoding error.
    public var worstCaseError: Double {
        let phases = entries.map(\.phase).sorted()
        var gap = phases[0] + 2 * Double.pi - phases[phases.count - 1]
        for (a, b) in zip(phases, phases.dropFirst()) { gap = max(gap, b - a) }
        return gap / 2
    }
}

/// Maps phases to the gray values written to an SLM bitmap and back.
///
/// Linear mapping (`init(profile:)`): `g = round(wrap(φ)/(2π) · gray2Pi)`, halves rounding up. A
/// phase so close to 2π that `g` rounds to `gray2Pi` is the same phase as 0, so it is written as 0;
/// hence g ∈ 0…gray2Pi−1. On an inverted display the written value is `maxGray − g` (zero phase is
/// white). Decoding inverts this: `φ = wrap(2π · g/gray2Pi)` with `g` un-inverted first; gray values
/// above gray2Pi (never written, but a bitmap may hold them) decode by the same linear law, wrapped.
///
/// Table mapping (`init(profile:lut:)`): the listed gray value with the least circular phase error;
/// decoding a gray value not in the table is an error.
///
/// Round trip: |φ − decode(encode(φ))| on the circle is at most π/gray2Pi (half a gray step) for the
/// linear mapping and `lut.worstCaseError` for a table.
public struct GrayEncoder: Sendable {
    public enum Mapping: Equatable, Sendable {
        case linear(gray2Pi: Int, inverted: Bool)
        case table(PhaseLUT)
    }

    public let mapping: Mapping
    /// Largest gray value of the panel.
    public let maxGray: Int
    /// Phase (rad) of each gray value 0…maxGray; NaN for gray values a table does not list.
    private let decodeTable: [Double]
    /// A table's distinct phases, ascending, each with the lowest gray value showing it (for the
    /// nearest-phase search); empty for the linear mapping.
    private let circle: [(phase: Double, gray: Int)]

    public init(profile: SLMProfile) {
        mapping = .linear(gray2Pi: profile.gray2Pi, inverted: profile.inverted)
        maxGray = profile.maxGray
        decodeTable = (0...profile.maxGray).map { g in
            let g0 = profile.inverted ? profile.maxGray - g : g
            return wrapPhase(2 * Double.pi * Double(g0) / Double(profile.gray2Pi))
        }
        circle = []
    }

    /// `lut` must have been validated against this profile's `maxGray` (it is checked again here).
    public init(profile: SLMProfile, lut: PhaseLUT) throws {
        if let bad = lut.entries.first(where: { $0.gray > profile.maxGray }) {
            throw FabricationError("lookup table", "gray value \(bad.gray) exceeds \(profile.maxGray) of \(profile.name)")
        }
        mapping = .table(lut)
        maxGray = profile.maxGray
        var table = [Double](repeating: .nan, count: profile.maxGray + 1)
        for e in lut.entries { table[e.gray] = e.phase }
        decodeTable = table
        var sorted: [(phase: Double, gray: Int)] = []
        for e in lut.entries.sorted(by: { ($0.phase, $0.gray) < ($1.phase, $1.gray) }) where sorted.last?.phase != e.phase {
            sorted.append((e.phase, e.gray))
        }
        circle = sorted
    }

    /// The gray value to write for phase `phi` (radians, any real value).
    public func gray(forPhase phi: Double) -> Int {
        let p = wrapPhase(phi)
        switch mapping {
        case .linear(let gray2Pi, let inverted):
            var g = Int((p / (2 * Double.pi) * Double(gray2Pi)).rounded(.toNearestOrAwayFromZero))
            if g >= gray2Pi { g = 0 }
            return inverted ? maxGray - g : g
        case .table:
            return nearestTableGray(p)
        }
    }

    /// The listed gray with the least circular error to `p` ∈ [0, 2π), ties to the lower gray: the
    /// nearest point on a circle is one of the two neighbours of `p` among the sorted distinct phases,
    /// so a binary search replaces the scan over the table (`PhaseLUT.nearestGray` is the plain scan).
    private func nearestTableGray(_ p: Double) -> Int {
        var low = 0, high = circle.count
        while low < high {
            let mid = (low + high) / 2
            if circle[mid].phase < p { low = mid + 1 } else { high = mid }
        }
        let above = circle[low % circle.count], below = circle[(low + circle.count - 1) % circle.count]
        let (da, db) = (circularDistance(p, above.phase), circularDistance(p, below.phase))
        if da < db { return above.gray }
        if db < da { return below.gray }
        return min(above.gray, below.gray)
    }

    /// The phase (radians, [0, 2π)) the panel shows for written gray value `g`.
    /// Throws for a value outside 0…maxGray or one a lookup table does not list.
    public func phase(forGray g: Int, source: String = "bitmap") throws -> Double {
        guard (0...maxGray).contains(g) else {
            throw FabricationError(source, "gray value \(g) is outside 0…\(maxGray)")
        }
        let p = decodeTable[g]
        guard !p.isNaN else { throw FabricationError(source, "gray value \(g) is not in the phase lookup table") }
        return p
    }

    /// Worst-case circular error of `phase(forGray: gray(forPhase: φ))` against φ, radians.
    public var worstCaseError: Double {
        switch mapping {
        case .linear(let gray2Pi, _): return Double.pi / Double(gray2Pi)
        case .table(let lut): return lut.worstCaseError
        }
    }
}
