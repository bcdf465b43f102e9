import Foundation
import TensorCore

/// `phasemask bench fft`: the cost per point of the single-slice transforms the optics kernels run
/// (`CDPWorkspace`: one `[N, N]` slice, in place, one thread), with the plan `FFTPlanCache` makes
/// (recorded wisdom where `FFTWisdom` has some) next to the plan FFTW_ESTIMATE guesses alone.
public enum FFTBenchmark {
    public typealias Row = BenchmarkTable.Row
    public static let table = BenchmarkTable(nameWidth: 56, valueWidth: 8, decimals: 2)

    /// One line per side and plan, in ns per point of a forward and an inverse transform, each the
    /// fastest of repeated runs; then FFTW's description of each side's plan.
    public static func report(sides: [Int]) -> [String] {
        var lines: [String] = []
        for side in sides {
            let cached = nanosecondsPerPoint(side: side, usingWisdom: true)
            let estimate = nanosecondsPerPoint(side: side, usingWisdom: false)
            let recorded = FFTWisdom.sides.contains(side)
            let plan = recorded ? (FFTWisdom.isAccepted(side: side) ? "recorded wisdom" : "wisdom rejected, ESTIMATE")
                                : "ESTIMATE"
            lines.append(table.line(Row(name: "fft2 \(side)x\(side) in place, plan: \(plan)", value: cached, unit: "ns/point")))
            if recorded {
                lines.append(table.line(Row(name: "fft2 \(side)x\(side) in place, plan: ESTIMATE alone", value: estimate,
                                            unit: "ns/point")))
            }
        }
        return lines
    }

    /// ns per point of one forward plus one inverse in-place transform of a `side`×`side` slice (with
    /// a copy of the slice into place before each pair, as the optics kernels write it).
    static func nanosecondsPerPoint(side: Int, usingWisdom: Bool) -> Double {
        var rng = SeededGenerator(seed: 3)
        let source = Tensor.normal([side, side, 2], generator: &rng), slice = source.copy()
        let points = side * side
        let repeats = max(1, 400_000 / points)
        func key(_ forward: Bool) -> FFTPlanCache.Key {
            FFTPlanCache.key(batch: 1, height: side, width: side, forward: forward, inPlace: true, threads: 1)
        }
        let seconds = FFTWisdom.withPlan(key(true), usingWisdom: usingWisdom) { forward in
            FFTWisdom.withPlan(key(false), usingWisdom: usingWisdom) { inverse in
                Timing.fastest(warmup: 1, minimumRuns: 5, minimumSeconds: 0.2) {
                    for _ in 0..<repeats {
                        slice.assign(source)   // as the optics kernels write each slice before transforming it
                        FFTPlanCache.execute(forward, slice.pointer, slice.pointer, count: points)
                        FFTPlanCache.execute(inverse, slice.pointer, slice.pointer, count: points)
                    }
                }
            }
        }
        return seconds / Double(2 * repeats * points) * 1e9
    }

    /// Fresh FFTW_PATIENT wisdom for each of `sides`, as Swift dictionary entries for
    /// `FFTWisdom.recorded`.
    public static func recordWisdom(sides: [Int]) -> [String] {
        sides.map { side in "\(side): \"\"\"\n\(FFTWisdom.record(side: side))\"\"\"," }
    }
}
