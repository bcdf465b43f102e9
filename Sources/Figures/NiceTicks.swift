import Foundation

/// A labelled position on an axis or colour bar.
public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String

    public init(_ value: Double, _ label: String) {
        self.value = value
        self.label = label
    }
}

/// "Nice" tick values: multiples of a step from {1, 2, 5} × 10^k.
public enum NiceTicks {
    /// The nice step nearest (in ratio) to `span / targetCount`: the raw step's mantissa m in
    /// [1, 10) becomes 1 below √2, 2 below √10, 5 below √50, otherwise 10.
    public static func step(span: Double, targetCount: Int) -> Double {
        precondition(span > 0 && span.isFinite, "tick span must be positive and finite, got \(span)")
        let raw = span / Double(max(targetCount, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let m = raw / magnitude
        let nice: Double = m < 2.0.squareRoot() ? 1 : m < 10.0.squareRoot() ? 2 : m < 50.0.squareRoot() ? 5 : 10
        return nice * magnitude
    }

    /// The multiples of `step(span:targetCount:)` inside [lower, upper] (a hair of tolerance
    /// keeps end points that rounding would lose). A point range is widened by ±0.5 (or ±10 %).
    /// A step below `minimumStep` (say 1, for counts) is replaced by the nice step nearest it.
    public static func values(lower: Double, upper: Double, targetCount: Int = 5,
                              minimumStep: Double = 0) -> (values: [Double], step: Double) {
        var lo = min(lower, upper), hi = max(lower, upper)
        if hi - lo <= 0 {
            let pad = lo == 0 ? 0.5 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        var s = step(span: hi - lo, targetCount: targetCount)
        if s < minimumStep { s = step(span: minimumStep, targetCount: 1) }
        let first = (lo / s - 1e-9).rounded(.up), last = (hi / s + 1e-9).rounded(.down)
        guard first <= last else { return ([], s) }
        let values = stride(from: first, through: last, by: 1).map { k -> Double in
            let v = k * s
            return v == 0 ? 0 : v   // no negative zero
        }
        return (values, s)
    }

    /// Ticks with labels for [lower, upper], about `targetCount` of them.
    public static func ticks(lower: Double, upper: Double, targetCount: Int = 5, minimumStep: Double = 0) -> [Tick] {
        let (values, step) = values(lower: lower, upper: upper, targetCount: targetCount, minimumStep: minimumStep)
        return values.map { Tick($0, label($0, step: step)) }
    }

    /// `v` printed with just enough decimals for multiples of `step` (step 0.05 → "0.15"), a true
    /// minus sign "−" for negatives, and scientific notation ("2e−5", "1.5e6") when the numbers
    /// are very large or the step very small.
    public static func label(_ v: Double, step: Double) -> String {
        let text: String
        if abs(v) >= 1e6 || (step < 1e-4 && v != 0) {
            let exponent = Int(log10(abs(v)).rounded(.down))
            let digits = max(0, exponent - Int((log10(step) + 1e-9).rounded(.down)))
            let mantissa = String(format: "%.\(min(digits, 6))f", abs(v) / pow(10, Double(exponent)))
            text = (v < 0 ? "-" : "") + trimZeros(mantissa) + "e\(exponent)"
        } else {
            let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
            text = String(format: "%.\(decimals)f", v)
        }
        return text.replacingOccurrences(of: "-", with: "−")
    }

    /// "1.50" → "1.5", "2.00" → "2"; strings without a decimal point are unchanged.
    private static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
