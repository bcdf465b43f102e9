import Foundation

/// The learning rate as a function of the optimizer step, so a resumed run continues with exactly the
/// rates an uninterrupted one would have used (the step is the only state).
///
/// - `constant`: `η(t) = η₀`.
/// - `cosine`: linear warm-up over the first `W = round(warmupFraction·T)` steps, then cosine decay to
///   zero at the last step: `η(t) = η₀ · min(1, (t+1)/W) · ½(1 + cos(π t / T))`, for steps t = 0 … T−1
///   of the whole run (T = epochs × steps per epoch).
/// - `decay`: constant, then linear decay to zero over the last `D = round(decayFraction·T)` steps (no
///   warm-up): `η(t) = η₀ · min(1, (T − t)/D)`. The rate stays at its peak for most of a short run and
///   only the final share anneals it.
public enum LearningRateSchedule: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case constant
    case cosine
    case decay

    public var description: String { rawValue }

    /// The rate of step `step` (0-based) of a run of `totalSteps` steps with peak rate `peak`.
    public func rate(peak: Double, step: Int, totalSteps: Int, warmupFraction: Double,
                     decayFraction: Double = 0.2) -> Double {
        switch self {
        case .constant:
            return peak
        case .cosine:
            let total = max(totalSteps, 1)
            let warmup = Int((warmupFraction * Double(total)).rounded())
            let ramp = warmup > 0 ? min(1, Double(step + 1) / Double(warmup)) : 1
            let progress = min(Double(step), Double(total)) / Double(total)
            return peak * ramp * 0.5 * (1 + Foundation.cos(Double.pi * progress))
        case .decay:
            let total = max(totalSteps, 1)
            let decay = max(1, Int((decayFraction * Double(total)).rounded()))
            return peak * min(1, Double(max(total - step, 0)) / Double(decay))
        }
    }
}
