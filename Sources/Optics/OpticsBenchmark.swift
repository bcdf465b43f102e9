import Autodiff
import Foundation
import TensorCore

/// `phasemask bench optics`: the sensing model against a bare FFTW loop doing the same transforms in
/// the same run, and the cost of the T-step filtered spectral initialization. Release builds only.
public enum OpticsBenchmark {
    public struct Line: Sendable {
        public let name: String
        public let value: Double
        public let unit: String
        public init(name: String, value: Double, unit: String) {
            self.name = name; self.value = value; self.unit = unit
        }
    }

    public struct Size: Sendable {
        public let batch: Int, snapshots: Int, height: Int, width: Int
        public init(batch: Int = 64, snapshots: Int = 9, height: Int = 96, width: Int = 96) {
            self.batch = batch; self.snapshots = snapshots; self.height = height; self.width = width
        }
        var cdps: Int { batch * snapshots }
        var label: String { "B=\(batch) L=\(snapshots) \(height)x\(width)" }
    }

    /// Random pure-phase scenes and uniform masks of the given size.
    static func problem(_ size: Size) -> (ComplexField, Tensor) {
        var rng = SeededGenerator(seed: 42)
        let image = Tensor.uniform([size.batch, size.height, size.width], generator: &rng)
        let scene = try! Scene.phaseObject(image)
        let masks = CodedMasks.random(snapshots: size.snapshots, height: size.height, width: size.width, generator: &rng)
        return (scene, masks)
    }

    /// CDPs per second of `SensingModel.measure` (forward, no tape) and of forward + backward, and the
    /// bare FFTW baseline: one batched in-place plan over the same B·L transforms with `threads` FFTW
    /// threads, nothing else (no modulation, no scaling, no |·|²). The sensing model runs with
    /// `Parallel.threads = threads` and single-threaded FFTW per slice.
    ///
    /// Baseline and sensing model are measured in alternation for `rounds` rounds and each keeps its
    /// best median, so a burst of load from other processes does not fall on one side only.
    public static func sensing(_ size: Size = Size(), threads: Int, rounds: Int = 5) -> [Line] {
        let (scene, masks) = problem(size)
        let model = try! SensingModel()
        let saved = Parallel.threads
        Parallel.threads = threads
        FFT.threads = 1
        defer { Parallel.threads = saved }
        let baseline = BareFFTWLoop(size, threads: threads)
        var forward = Double.infinity, bare = Double.infinity
        for _ in 0..<max(rounds, 1) {
            bare = min(bare, baseline.measure())
            forward = min(forward, Benchmark.measure(minimumSeconds: 0.3) { _ = model.measure(scene, masks: masks) })
        }
        let gradientSeed = Tensor(repeating: 1, shape: [size.batch, size.snapshots, size.height, size.width])
        let both = Benchmark.measure {
            let tape = Tape()
            let y = model.measure(tape.leaf(scene), masks: tape.leaf(masks))
            tape.backward(from: y.node, seed: gradientSeed)
            tape.reset()   // pullbacks capture their inputs' tape: reset breaks the cycle
        }
        let rate = Double(size.cdps) / forward, baseRate = Double(size.cdps) / bare
        return [
            Line(name: "bare FFTW loop \(size.label), \(threads) thr", value: baseRate, unit: "FFTs/s"),
            Line(name: "sensing forward \(size.label), \(threads) thr", value: rate, unit: "CDPs/s"),
            Line(name: "sensing forward / bare FFTW loop", value: 100 * rate / baseRate, unit: "%"),
            Line(name: "sensing forward+backward, \(threads) thr", value: Double(size.cdps) / both, unit: "CDPs/s"),
        ]
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
            Benchmark.measure(minimumSeconds: 0.3) { FFTPlanCache.execute(plan, data.pointer, data.pointer, count: data.count) }
        }
    }

    /// Time and memory of the T-step filtered spectral initialization: forward only (evaluation tape),
    /// and forward + backward with gradients to φ and ψ. Peak memory is `BufferPool.shared.peakLiveBytes`
    /// during the forward + backward run (reset just before it; it includes the inputs) and the
    /// process's peak resident set (`VmHWM`, whole process lifetime).
    public static func spectralInitialization(_ size: Size = Size(), iterations: Int = 25, threads: Int) -> [Line] {
        let (scene, masks) = problem(size)
        let saved = Parallel.threads
        Parallel.threads = threads
        FFT.threads = 1
        defer { Parallel.threads = saved }
        let y = try! SensingModel().measure(scene, masks: masks)
        let initialization = try! SpectralInitialization(iterations: iterations)
        let kernel = SpectralInitialization.gaussianKernel()
        let evaluation = Benchmark.measure(warmup: 1, minimumRuns: 3, minimumSeconds: 0) {
            let tape = Tape(recording: false)
            _ = initialization.estimate(measurements: tape.constant(y), masks: tape.constant(masks),
                                        kernel: tape.constant(kernel))
        }
        var peak = 0
        let training = Benchmark.measure(warmup: 1, minimumRuns: 3, minimumSeconds: 0) {
            BufferPool.shared.resetPeak()
            let tape = Tape()
            let z = initialization.estimate(measurements: tape.constant(y), masks: tape.leaf(masks),
                                            kernel: tape.leaf(kernel))
            tape.backward(from: z.node, seed: z.node.value)
            tape.reset()
            peak = max(peak, BufferPool.shared.peakLiveBytes)
        }
        let mb = 1.0 / Double(1 << 20)
        let label = "\(size.label) T=\(iterations) \(initialization.weighting)"
        return [
            Line(name: "spectral init forward \(label)", value: evaluation, unit: "s"),
            Line(name: "spectral init forward+backward (φ, ψ)", value: training, unit: "s"),
            Line(name: "  peak tensor memory (BufferPool)", value: Double(peak) * mb, unit: "MiB"),
            Line(name: "  peak process RSS (VmHWM)", value: Double(Benchmark.peakResidentBytes() ?? 0) * mb, unit: "MiB"),
        ]
    }
}

extension OpticsBenchmark {
    /// Spectral-initialization recovery (mean |⟨z*, x⟩|/(‖z*‖‖x‖), `Recovery.Experiment`) on images
    /// `[N, 1, H, W]` for L ∈ `snapshots`, each weighting, with the default Gaussian ψ and without
    /// filtering; plus the correlation of a constant field with the scenes (the trivial baseline).
    public static func recovery(images: Tensor, snapshots: [Int] = [1, 9], threads: Int,
                                weightings: [SpectralInitialization.Weighting] = [
                                    .intensity, .truncated(fraction: 0.3), .truncated(fraction: 0.4), .truncated(fraction: 0.6),
                                ]) throws -> [Line] {
        let saved = Parallel.threads
        Parallel.threads = threads
        defer { Parallel.threads = saved }
        let n = images.shape[0], size = "\(images.shape[images.rank - 2])x\(images.shape[images.rank - 1])"
        let x = try Scene.phaseObject(images)
        let constant = ComplexField(uninitialized: x.shape)
        for k in 0..<x.count { constant[k] = (1, 0) }
        var lines = [Line(name: "constant field vs \(n) scenes \(size)",
                          value: Recovery.correlation(constant, x).reduce(0, +) / Double(max(n, 1)), unit: "corr")]
        for l in snapshots {
            for weighting in weightings {
                for (label, kernel) in [("gaussian psi", SpectralInitialization.gaussianKernel()), ("no filter", Recovery.identityKernel)] {
                    let experiment = Recovery.Experiment(snapshots: l, initialization: try SpectralInitialization(weighting: weighting),
                                                         kernel: kernel)
                    lines.append(Line(name: "L=\(l) \(weighting), \(label)", value: try experiment.meanCorrelation(images: images),
                                      unit: "corr"))
                }
            }
        }
        return lines
    }
}
