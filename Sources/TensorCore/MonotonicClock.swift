import Foundation

/// Seconds on the system's monotonic clock, for timing runs, epochs and benchmarks (wall time that
/// never jumps with clock adjustments; only differences are meaningful).
public enum MonotonicClock {
    /// Monotonic time in seconds.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
