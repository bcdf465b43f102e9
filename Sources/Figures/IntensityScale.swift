import Foundation

/// How image values become colour-map positions. Diffraction patterns (CDPs) span many decades, so
/// a linear scale shows only the zero-frequency peak; the two logarithmic scales show the tails.
///
/// Each scale maps raw values `y` to displayed values `v`; a panel then maps `v` linearly from its
/// range (by default `displayRange` of the data) onto the colour map, and a colour bar is labelled
/// in `v`.
public enum IntensityScale: Equatable, Sendable {
    /// `v = y`.
    case linear
    /// `v = log10(1 + y / (ε · max y))`, ε > 0 a fraction of the image maximum (e.g. 1e-4):
    /// 0 where y = 0, about `log10(1/ε)` at the maximum; values below ε · max look nearly linear.
    /// Negative y are treated as 0.
    case log1p(epsilon: Double)
    /// `v = 10 · log10(y / max y)` in dB relative to the maximum (0 dB at the maximum), clipped
    /// below at `floor` dB (a negative number such as −50); y ≤ 0 shows as the floor.
    case decibels(floor: Double)

    /// The displayed values of `values` (same count); non-finite inputs stay NaN.
    public func apply(_ values: [Float]) -> [Double] {
        let finite = values.lazy.filter { $0.isFinite }
        let peak = Double(finite.max() ?? 0)
        return values.map { y -> Double in
            guard y.isFinite else { return .nan }
            switch self {
            case .linear:
                return Double(y)
            case .log1p(let epsilon):
                precondition(epsilon > 0, "log1p scale needs ε > 0, got \(epsilon)")
                return peak > 0 ? log10(1 + max(Double(y), 0) / (epsilon * peak)) : 0
            case .decibels(let floor):
                precondition(floor < 0, "decibel floor must be negative, got \(floor)")
                guard peak > 0 && y > 0 else { return floor }
                return max(10 * log10(Double(y) / peak), floor)
            }
        }
    }

    /// The range a colour bar should span for displayed values `displayed`: for dB the fixed
    /// [floor, 0], otherwise the finite minimum and maximum (a point range is widened by ±0.5).
    public func displayRange(of displayed: [Double]) -> ClosedRange<Double> {
        if case .decibels(let floor) = self { return floor...0 }
        let finite = displayed.filter { $0.isFinite }
        guard let lo = finite.min(), let hi = finite.max() else { return 0...1 }
        return lo < hi ? lo...hi : (lo - 0.5)...(hi + 0.5)
    }

    /// A short description for colour-bar labels, e.g. "log10(1 + 1e4·I/max)" for ε = 1e-4, or
    /// "I (dB re max)".
    public func label(quantity: String = "I") -> String {
        switch self {
        case .linear: return quantity
        case .log1p(let epsilon):
            let inverse = 1 / epsilon, decade = log10(inverse).rounded()
            let factor = abs(inverse - pow(10, decade)) < 1e-6 * inverse && decade >= 3
                ? "1e\(Int(decade))" : String(format: "%g", inverse)
            return "log10(1 + \(factor)·\(quantity)/max)"
        case .decibels: return "\(quantity) (dB re max)"
        }
    }
}
