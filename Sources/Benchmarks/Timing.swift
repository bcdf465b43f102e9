import Foundation
import TensorCore

/// Wall-clock statistics for `phasemask bench` (release builds only; never in unit tests).
public enum Timing {
    /// Median seconds per run of `body`: `warmup` untimed runs, then timed runs until at least
    /// `minimumRuns` runs and `minimumSeconds` have passed.
    public static func median(warmup: Int = 2, minimumRuns: Int = 5, minimumSeconds: Double = 0.5,
                              _ body: () throws -> Void) rethrows -> Double {
        let times = try samples(warmup: warmup, minimumRuns: minimumRuns, minimumSeconds: minimumSeconds, body).sorted()
        return times[times.count / 2]
    }

    /// Seconds of the fastest run of `body`, counted as for `median`. On a machine shared with other
    /// jobs the fastest run is the least disturbed one.
    public static func fastest(warmup: Int = 2, minimumRuns: Int = 10, minimumSeconds: Double = 1,
                               _ body: () throws -> Void) rethrows -> Double {
        try samples(warmup: warmup, minimumRuns: minimumRuns, minimumSeconds: minimumSeconds, body).min()!
    }

    private static func samples(warmup: Int, minimumRuns: Int, minimumSeconds: Double,
                                _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        let start = MonotonicClock.now()
        while times.count < max(minimumRuns, 1) || MonotonicClock.now() - start < minimumSeconds {
            let t0 = MonotonicClock.now()
            try body()
            times.append(MonotonicClock.now() - t0)
        }
        return times
    }

    /// Peak resident set size of this process in bytes (`VmHWM` from /proc/self/status), if known.
    public static func peakResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            if let kb = digits.first { return kb * 1024 }
        }
        return nil
    }

    /// CPU seconds (user + system, all threads) this process has used so far (`getrusage`). On a
    /// machine shared with other jobs a difference of two readings is steadier than wall-clock time.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `bytes` in MiB (2²⁰ bytes).
    static func mebibytes(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }
}
