import Foundation

/// Phase conventions shared by training (the regularizer R(φ)), the quantizer and the exporters.
///
/// - Phases are in radians. Masks are trained unwrapped; `wrap` maps them to [0, 2π) for export.
/// - A device offers `levels` phase values. Uniform devices have levels `2πk/K`, `k = 0…K−1`; a
///   measured (non-uniform) device lists its own `levelPhases`.
/// - `stroke` is the largest phase the device can produce (2π for a full-range SLM; less when an SLM
///   calibrated for a shorter wavelength drives a longer one). Uniform levels are then spread over
///   `[0, stroke)` only if `stroke == 2π`; with a shorter stroke the uniform levels `2πk/K` beyond the
///   stroke are unreachable, so the reachable set is `{2πk/K : 2πk/K ≤ stroke}`.
public struct PhaseConstraints: Equatable, Codable, Sendable {
    /// Number of fabricable phase levels K (≥ 2).
    public let levels: Int
    /// Largest reachable phase in radians, in (0, 2π].
    public let stroke: Double
    /// Explicit level phases in radians (ascending, within [0, stroke]); nil means uniform `2πk/K`.
    public let levelPhases: [Double]?

    public enum Invalid: Error, CustomStringConvertible, Equatable {
        case tooFewLevels(Int)
        case badStroke(Double)
        case badLevelPhases(String)

        public var description: String {
            switch self {
            case .tooFewLevels(let k): return "phase levels must be at least 2, got \(k)"
            case .badStroke(let s): return "phase stroke must be in (0, 2π] radians, got \(s)"
            case .badLevelPhases(let why): return "level phases: \(why)"
            }
        }
    }

    public init(levels: Int, stroke: Double = 2 * Double.pi, levelPhases: [Double]? = nil) throws {
        guard levels >= 2 else { throw Invalid.tooFewLevels(levels) }
        guard stroke.isFinite, stroke > 0, stroke <= 2 * Double.pi + 1e-9 else { throw Invalid.badStroke(stroke) }
        if let phases = levelPhases {
            guard phases.count == levels else {
                throw Invalid.badLevelPhases("\(phases.count) values given for \(levels) levels")
            }
            guard phases.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= stroke + 1e-9 }) else {
                throw Invalid.badLevelPhases("every phase must be finite and within [0, stroke]")
            }
            guard zip(phases, phases.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw Invalid.badLevelPhases("phases must be strictly increasing")
            }
        }
        self.levels = levels
        self.stroke = min(stroke, 2 * Double.pi)
        self.levelPhases = levelPhases
    }

    /// True when the levels are the uniform `2πk/K` over a full 2π stroke.
    public var isUniformFullStroke: Bool { levelPhases == nil && stroke >= 2 * Double.pi - 1e-9 }

    /// The phases (radians) the device can actually produce, ascending.
    public var reachablePhases: [Double] {
        if let phases = levelPhases { return phases }
        return (0..<levels).map { 2 * Double.pi * Double($0) / Double(levels) }.filter { $0 <= stroke + 1e-9 }
    }
}

/// Wraps a phase in radians to [0, 2π).
@inline(__always)
public func wrapPhase(_ phi: Double) -> Double {
    let twoPi = 2 * Double.pi
    let r = phi - twoPi * (phi / twoPi).rounded(.down)
    return r >= twoPi ? 0 : r
}

/// A phase wrapped to [0, 2π) as Float, still below 2π after rounding to Float (a value that would
/// round up to 2π becomes 0, the same phase).
@inline(__always)
public func wrapPhaseToFloat(_ phi: Double) -> Float {
    let f = Float(wrapPhase(phi))
    return f >= Float(2 * Double.pi) ? 0 : f
}

/// Smallest circular distance between two phases in radians, in [0, π].
@inline(__always)
public func circularDistance(_ a: Double, _ b: Double) -> Double {
    abs(wrapToPi(a - b))
}

/// Maps a phase difference to (−π, π].
@inline(__always)
public func wrapToPi(_ x: Double) -> Double {
    let twoPi = 2 * Double.pi
    var r = x - twoPi * (x / twoPi).rounded()
    if r <= -Double.pi { r += twoPi }
    if r > Double.pi { r -= twoPi }
    return r
}
