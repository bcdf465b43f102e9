import Foundation

/// The one formatter of `phasemask bench` output: a row is the name, left-aligned and padded (or cut)
/// to `nameWidth` characters, then the value right-aligned in `valueWidth` characters with `decimals`
/// digits after the point, a space, and the unit.
///
/// Each subcommand keeps the layout its figures have always been printed (and quoted in the docs)
/// with: `kernels` (also `conv`, `unet`), `optics`, `recovery`, `simulate`.
public struct BenchmarkTable: Sendable, Equatable {
    /// One measured figure.
    public struct Row: Sendable, Equatable {
        public let name: String
        public let value: Double
        public let unit: String
    }

    public let nameWidth: Int
    public let valueWidth: Int
    public let decimals: Int

    public static let kernels = BenchmarkTable(nameWidth: 44, valueWidth: 10, decimals: 1)
    public static let optics = BenchmarkTable(nameWidth: 56, valueWidth: 12, decimals: 2)
    public static let recovery = BenchmarkTable(nameWidth: 56, valueWidth: 8, decimals: 4)
    public static let simulate = BenchmarkTable(nameWidth: 64, valueWidth: 12, decimals: 3)

    /// The row as one line, with `note` appended (e.g. a share of a reference figure).
    public func line(_ row: Row, note: String = "") -> String {
        row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + String(format: "%\(valueWidth).\(decimals)f %@", row.value, row.unit) + note
    }

    /// Every row as a line.
    public func lines(_ rows: [Row]) -> [String] { rows.map { line($0) } }
}
