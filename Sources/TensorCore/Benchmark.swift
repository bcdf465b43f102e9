import Foundation

/// Wall-clock timing for `phasemask bench` (release builds only; never in unit tests).
public enum Benchmark {
    /// Monotonic time in seconds.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` `warmup` times untimed, then repeatedly until at least `minimumSeconds` have passed
    /// (and at least `minimumRuns` runs); returns the median seconds per run.
    public static func measure(warmup: Int = 2, minimumRuns: Int = 5, minimumSeconds: Double = 0.5,
                               _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        let start = now()
        while times.count < minimumRuns || now() - start < minimumSeconds {
            let t0 = now()
            body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
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
}
