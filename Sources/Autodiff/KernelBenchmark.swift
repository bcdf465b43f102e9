import Foundation
import TensorCore

/// `phasemask bench kernels`: throughput of the numerical kernels on this machine, in one run.
public enum KernelBenchmark {
    public struct Line: Sendable {
        public let name: String
        public let value: Double
        public let unit: String

        public init(name: String, value: Double, unit: String) {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    /// Seconds of the fastest of `runs` timed runs (after two untimed ones), repeated until
    /// `minimumSeconds` have passed. On a machine shared with other jobs the fastest run is the least
    /// disturbed one, so every line of `bench kernels` (sgemm included) uses this statistic.
    static func fastest(runs: Int = 10, minimumSeconds: Double = 1, _ body: () -> Void) -> Double {
        body()
        body()
        var best = Double.infinity, count = 0
        let start = Benchmark.now()
        while count < runs || Benchmark.now() - start < minimumSeconds {
            let t0 = Benchmark.now()
            body()
            best = min(best, Benchmark.now() - t0)
            count += 1
        }
        return best
    }

    /// sgemm at 512×512×512: the machine's practical peak, against which the conv figures are judged.
    public static func sgemmPeak() -> Line {
        let n = 512
        var rng = SeededGenerator(seed: 1)
        let a = Tensor.normal([n, n], generator: &rng), b = Tensor.normal([n, n], generator: &rng)
        let c = Tensor(zeros: [n, n])
        let seconds = fastest {
            BLAS.gemm(m: n, n: n, k: n, a: a.pointer, b: b.pointer, c: c.pointer)
        }
        return Line(name: "sgemm 512x512x512", value: 2 * Double(n * n * n) / seconds / 1e9, unit: "GFLOP/s")
    }

    /// conv3×3 (stride 1, padding 1, with bias) throughput at `batch`×`channels`×`size`×`size`, channels →
    /// channels: the forward alone, and forward + backward (gradients of input, weight and bias, as for
    /// an inner U-Net layer). FLOPs counted as `2·N·H·W·Cout·Cin·9` per forward and 3× that for
    /// forward + backward (bias, im2col and bookkeeping not counted).
    public static func conv3x3(batch: Int, channels: Int, size: Int) -> [Line] {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.normal([batch, channels, size, size], generator: &rng)
        let weight = Tensor.normal([channels, channels, 3, 3], std: 0.1, generator: &rng)
        let bias = Tensor.normal([channels], generator: &rng)
        let seed = Tensor.normal([batch, channels, size, size], generator: &rng)
        let flops = 2 * Double(batch * size * size * channels * channels * 9)
        let forward = fastest {
            let tape = Tape(recording: false)
            _ = conv2d(tape.constant(x), weight: tape.constant(weight), bias: tape.constant(bias))
        }
        let both = fastest {
            let tape = Tape()
            let y = conv2d(tape.leaf(x), weight: tape.leaf(weight), bias: tape.leaf(bias))
            tape.backward(from: y.node, seed: seed)
            tape.reset()  // pullbacks of the elementwise ops reference the tape: break the cycle
        }
        let name = "conv3x3 \(channels)->\(channels) \(size)x\(size) batch \(batch)"
        return [Line(name: name + " fwd", value: flops / forward / 1e9, unit: "GFLOP/s"),
                Line(name: name + " fwd+bwd", value: 3 * flops / both / 1e9, unit: "GFLOP/s")]
    }

    /// The conv3×3 backward split in its two products, for profiling: forward + input gradient only
    /// (weight and bias constant) and forward + weight and bias gradients only (input constant), each
    /// as GFLOP/s of `4·N·H·W·Cout·Cin·9` (forward + one product).
    public static func conv3x3Parts(batch: Int, channels: Int, size: Int) -> [Line] {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.normal([batch, channels, size, size], generator: &rng)
        let weight = Tensor.normal([channels, channels, 3, 3], std: 0.1, generator: &rng)
        let bias = Tensor.normal([channels], generator: &rng)
        let seed = Tensor.normal([batch, channels, size, size], generator: &rng)
        let flops = 4 * Double(batch * size * size * channels * channels * 9)
        func run(inputGradient: Bool) -> Double {
            fastest {
                let tape = Tape()
                let xv = inputGradient ? tape.leaf(x) : tape.constant(x)
                let wv = inputGradient ? tape.constant(weight) : tape.leaf(weight)
                let bv = inputGradient ? tape.constant(bias) : tape.leaf(bias)
                tape.backward(from: conv2d(xv, weight: wv, bias: bv).node, seed: seed)
                tape.reset()
            }
        }
        let name = "conv3x3 \(channels)->\(channels) \(size)x\(size) batch \(batch)"
        return [Line(name: name + " fwd+input grad", value: flops / run(inputGradient: true) / 1e9, unit: "GFLOP/s"),
                Line(name: name + " fwd+weight grad", value: flops / run(inputGradient: false) / 1e9, unit: "GFLOP/s")]
    }

    /// Batched orthonormal FFT2 throughput (transforms per second) at `size`×`size`.
    public static func fft(size: Int, batch: Int) -> Line {
        var rng = SeededGenerator(seed: 2)
        let x = ComplexField(storage: Tensor.normal([batch, size, size, 2], generator: &rng))
        let y = ComplexField(uninitialized: [batch, size, size])
        let seconds = fastest { FFT.forward(x, into: y) }
        return Line(name: "fft2 \(size)x\(size) batch \(batch)", value: Double(batch) / seconds, unit: "transforms/s")
    }
}
