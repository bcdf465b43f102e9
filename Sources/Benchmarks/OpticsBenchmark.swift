import Autodiff
import Foundation
import Optics
import TensorCore

/// `phasemask bench optics`: the sensing model against a bare FFTW loop doing the same transforms in
/// the same run, and the cost of the T-step filtered spectral initialization. Release builds only.
public enum OpticsBenchmark {
    public typealias Row = BenchmarkTable.Row

    public struct Size: Sendable {
        public let batch: Int, snapshots: Int, height: Int, width: Int
        public init(batch: Int = 64, snapshots: Int = 9, height: Int = 96, width: Int = 96) {
            self.batch = batch; self.snapshots = snapshots; self.height = height; self.width = width
        }
        var cdps: Int { batch * snapshots }
        var label: String { "B=\(batch) L=\(snapshots) \(height)x\(width)" }
    }

    /// `bench optics`: the sensing model at 1 and `threads` threads, then the `iterations`-step spectral
    /// initialization at `threads` threads, with OpenBLAS at one thread.
    public static func report(threads: Int, iterations: Int) -> [String] {
        BLAS.setThreads(1)
        var rows: [Row] = []
        for t in Set([1, threads]).sorted() { rows += sensing(threads: t) }
        rows += spectralInitialization(iterations: iterations, threads: threads)
        return BenchmarkTable.optics.lines(rows)
    }

    /// Random pure-phase scenes and uniform masks of the given size.
    static func problem(_ size: Size) -> (ComplexField, Tensor) {
        var rng = SeededGenerator(seed: 42)
        let image = Tensor.uniform([size.batch, size.height, size.width], generator: &rng)
        let scene = try! Scene.phaseObject(image)
        let masks = CodedMasks.random(snapshots: size.snapshots, height: size.height, width: size.width, generator: &rng)
        return (scene, masks)
    }

    /// Runs `body` with `Parallel.threads = threads` and single-threaded FFTW, then restores the workers.
    static func withWorkers<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let saved = Parallel.threads
        Parallel.threads = threads
        FFT.threads = 1
        defer { Parallel.threads = saved }
        return try body()
    }

    /// CDPs per second of `SensingModel.measure` (forward, no tape) and of forward + backward, and the
    /// bare FFTW baseline: one batched in-place plan over the same B·L transforms with `threads` FFTW
    /// threads, nothing else (no modulation, no scaling, no |·|²). The sensing model runs with
    /// `Parallel.threads = threads` and single-threaded FFTW per slice.
    ///
    /// Baseline and sensing model are measured in alternation for `rounds` rounds and each keeps its
    /// best median, so a burst of load from other processes does not fall on one side only.
    static func sensing(_ size: Size = Size(), threads: Int, rounds: Int = 5) -> [Row] {
        let (scene, masks) = problem(size)
        let model = try! SensingModel()
        return withWorkers(threads) {
            let baseline = BareFFTWLoop(size, threads: threads)
            var forward = Double.infinity, bare = Double.infinity
            for _ in 0..<max(rounds, 1) {
                bare = min(bare, baseline.measure())
                forward = min(forward, Timing.median(minimumSeconds: 0.3) { _ = model.measure(scene, masks: masks) })
            }
            let gradientSeed = Tensor(repeating: 1, shape: [size.batch, size.snapshots, size.height, size.width])
            let both = Timing.median {
                let tape = Tape()
                let y = model.measure(tape.leaf(scene), masks: tape.leaf(masks))
                tape.backward(from: y.node, seed: gradientSeed)
                tape.reset()   // pullbacks capture their inputs' tape: reset breaks the cycle
            }
            let rate = Double(size.cdps) / forward, baseRate = Double(size.cdps) / bare
            return [
                Row(name: "bare FFTW loop \(size.label), \(threads) thr", value: baseRate, unit: "FFTs/s"),
                Row(name: "sensing forward \(size.label), \(threads) thr", value: rate, unit: "CDPs/s"),
                Row(name: "sensing forward / bare FFTW loop", value: 100 * rate / baseRate, unit: "%"),
                Row(name: "sensing forward+backward, \(threads) thr", value: Double(size.cdps) / both, unit: "CDPs/s"),
            ]
        }
    }

    /// One batched, in-place FFTW plan over B·L transforms of H×W (from `FFTPlanCache`, with `threads`
    /// FFTW threads), and its data.
    struct BareFFTWLoop {
        let data: ComplexField
        let plan: OpaquePointer

        init(_ size: Size, threads: Int) {
            var rng = SeededGenerator(seed: 3)
            data = ComplexField(storage: Tensor.normal([size.cdps, size.height, size.width, 2], generator: &rng))
            plan = FFTPlanCache.plan(batch: size.cdps, height: size.height, width: size.width, forward: true,
                                     inPlace: true, threads: threads)
        }

        /// Median seconds per execution of the whole batch.
        func measure() -> Double {
            Timing.median(minimumSeconds: 0.3) { FFTPlanCache.execute(plan, data.pointer, data.pointer, count: data.count) }
        }
    }

    /// Time and memory of the T-step filtered spectral initialization: forward only (evaluation tape),
    /// and forward + backward with gradients to φ and ψ. Peak memory is `BufferPool.shared.peakLiveBytes`
    /// during the forward + backward run (reset just before it; it includes the inputs) and the
    /// process's peak resident set (`VmHWM`, whole process lifetime).
    static func spectralInitialization(_ size: Size = Size(), iterations: Int = 25, threads: Int) -> [Row] {
        let (scene, masks) = problem(size)
        return withWorkers(threads) {
            let y = try! SensingModel().measure(scene, masks: masks)
            let initialization = try! SpectralInitialization(iterations: iterations)
            let kernel = SpectralInitialization.gaussianKernel()
            let evaluation = Timing.median(warmup: 1, minimumRuns: 3, minimumSeconds: 0) {
                let tape = Tape(recording: false)
                _ = initialization.estimate(measurements: tape.constant(y), masks: tape.constant(masks),
                                            kernel: tape.constant(kernel))
            }
            var peak = 0
            let training = Timing.median(warmup: 1, minimumRuns: 3, minimumSeconds: 0) {
                BufferPool.shared.resetPeak()
                let tape = Tape()
                let z = initialization.estimate(measurements: tape.constant(y), masks: tape.leaf(masks),
                                                kernel: tape.leaf(kernel))
                tape.backward(from: z.node, seed: z.node.value)
                tape.reset()
                peak = max(peak, BufferPool.shared.peakLiveBytes)
            }
            let label = "\(size.label) T=\(iterations) \(initialization.weighting)"
            return [
                Row(name: "spectral init forward \(label)", value: evaluation, unit: "s"),
                Row(name: "spectral init forward+backward (φ, ψ)", value: training, unit: "s"),
                Row(name: "  peak tensor memory (BufferPool)", value: Timing.mebibytes(peak), unit: "MiB"),
                Row(name: "  peak process RSS (VmHWM)", value: Timing.mebibytes(Timing.peakResidentBytes() ?? 0), unit: "MiB"),
            ]
        }
    }
}
