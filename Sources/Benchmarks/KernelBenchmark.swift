import Autodiff
import Foundation
import TensorCore

/// `phasemask bench kernels` and `bench conv`: throughput of the numerical kernels on this machine.
///
/// Every figure is the fastest of repeated runs (`Timing.fastest`, 2 untimed runs, then at least 10
/// runs and 1 s), sgemm included.
public enum KernelBenchmark {
    public typealias Row = BenchmarkTable.Row

    /// `bench kernels`: sgemm on `threads` OpenBLAS threads; the convolutions on `tileThreads` threads
    /// over pixel tiles with OpenBLAS at one thread (or, with `tileThreads` 1, on `threads` OpenBLAS
    /// threads); batched FFT2. `rounds` rounds over all kernels spread each kernel's samples over the
    /// whole run, so a burst of load from another process spoils one round, not the figure; each row
    /// reports its best round, and a convolution row its share of the sgemm figure.
    public static func report(threads: Int, tileThreads: Int, scratch: Int, rounds: Int,
                              output: (String) -> Void) {
        output("OpenBLAS \(BLAS.coreName) kernels; sgemm on \(threads) OpenBLAS thread(s); conv on " +
               (tileThreads > 1 ? "\(tileThreads) tile threads, OpenBLAS 1 thread" : "\(threads) OpenBLAS thread(s)") +
               "; best of \(rounds) rounds")
        ConvolutionTiling.scratchFloats = scratch
        var best: [Row] = []
        for _ in 0..<max(rounds, 1) {
            let rows = round(threads: threads, tileThreads: tileThreads)
            best = best.isEmpty ? rows : zip(best, rows).map { $0.value >= $1.value ? $0 : $1 }
        }
        for row in best { output(line(row, sgemm: best[0].value)) }
    }

    /// A row of `bench kernels`; a convolution's row ends with its share of the `sgemm` GFLOP/s.
    static func line(_ row: Row, sgemm: Double) -> String {
        let share = row.name.hasPrefix("conv") ? String(format: "  %5.1f%% of sgemm", 100 * row.value / sgemm) : ""
        return BenchmarkTable.kernels.line(row, note: share)
    }

    /// One round of `bench kernels`: sgemm first (the reference), then the convolutions and FFTs.
    static func round(threads: Int, tileThreads: Int) -> [Row] {
        BLAS.setThreads(threads)
        Parallel.threads = 1
        var rows = [sgemmPeak()]
        BLAS.setThreads(tileThreads > 1 ? 1 : threads)
        Parallel.threads = tileThreads
        for (batch, channels, size) in [(32, 16, 32), (32, 16, 16), (32, 32, 32), (32, 32, 16), (8, 64, 96)] {
            rows += conv3x3(batch: batch, channels: channels, size: size)
        }
        return rows + [fft(size: 32, batch: 288), fft(size: 96, batch: 64)]
    }

    /// `bench conv`: conv3×3 at one size, whole and split in its two backward products (for profiling).
    public static func convolutionReport(threads: Int, tileThreads: Int, scratch: Int, minimumRows: Int,
                                         batch: Int, channels: Int, size: Int) -> [String] {
        BLAS.setThreads(tileThreads > 1 ? 1 : threads)
        Parallel.threads = tileThreads
        ConvolutionTiling.scratchFloats = scratch
        ConvolutionTiling.minimumRows = minimumRows
        let rows = conv3x3(batch: batch, channels: channels, size: size)
            + conv3x3Parts(batch: batch, channels: channels, size: size)
        return BenchmarkTable.kernels.lines(rows)
    }

    /// sgemm at 512×512×512: the machine's practical peak, against which the conv figures are judged.
    static func sgemmPeak() -> Row {
        let n = 512
        var rng = SeededGenerator(seed: 1)
        let a = Tensor.normal([n, n], generator: &rng), b = Tensor.normal([n, n], generator: &rng)
        let c = Tensor(zeros: [n, n])
        let seconds = Timing.fastest {
            BLAS.gemm(m: n, n: n, k: n, a: a.pointer, b: b.pointer, c: c.pointer)
        }
        return Row(name: "sgemm 512x512x512", value: 2 * Double(n * n * n) / seconds / 1e9, unit: "GFLOP/s")
    }

    /// Input, weight, bias and output gradient of a conv3×3 with `channels` → `channels` at
    /// `batch`×`channels`×`size`×`size`, and its name in the table.
    struct ConvolutionProblem {
        let x: Tensor, weight: Tensor, bias: Tensor, seed: Tensor
        let name: String
        /// `2·N·H·W·Cout·Cin·9`: the forward's multiply–adds, twice.
        let forwardFLOPs: Double

        init(batch: Int, channels: Int, size: Int) {
            var rng = SeededGenerator(seed: 3)
            x = Tensor.normal([batch, channels, size, size], generator: &rng)
            weight = Tensor.normal([channels, channels, 3, 3], std: 0.1, generator: &rng)
            bias = Tensor.normal([channels], generator: &rng)
            seed = Tensor.normal([batch, channels, size, size], generator: &rng)
            name = "conv3x3 \(channels)->\(channels) \(size)x\(size) batch \(batch)"
            forwardFLOPs = 2 * Double(batch * size * size * channels * channels * 9)
        }
    }

    /// conv3×3 (stride 1, padding 1, with bias) throughput at `batch`×`channels`×`size`×`size`, channels →
    /// channels: the forward alone, and forward + backward (gradients of input, weight and bias, as for
    /// an inner U-Net layer). FLOPs counted as `2·N·H·W·Cout·Cin·9` per forward and 3× that for
    /// forward + backward (bias, im2col and bookkeeping not counted).
    static func conv3x3(batch: Int, channels: Int, size: Int) -> [Row] {
        let p = ConvolutionProblem(batch: batch, channels: channels, size: size)
        let forward = Timing.fastest {
            let tape = Tape(recording: false)
            _ = conv2d(tape.constant(p.x), weight: tape.constant(p.weight), bias: tape.constant(p.bias))
        }
        let both = Timing.fastest {
            let tape = Tape()
            let y = conv2d(tape.leaf(p.x), weight: tape.leaf(p.weight), bias: tape.leaf(p.bias))
            tape.backward(from: y.node, seed: p.seed)
            tape.reset()  // pullbacks of the elementwise ops reference the tape: break the cycle
        }
        return [Row(name: p.name + " fwd", value: p.forwardFLOPs / forward / 1e9, unit: "GFLOP/s"),
                Row(name: p.name + " fwd+bwd", value: 3 * p.forwardFLOPs / both / 1e9, unit: "GFLOP/s")]
    }

    /// The conv3×3 backward split in its two products, for profiling: forward + input gradient only
    /// (weight and bias constant) and forward + weight and bias gradients only (input constant), each
    /// as GFLOP/s of `4·N·H·W·Cout·Cin·9` (forward + one product).
    static func conv3x3Parts(batch: Int, channels: Int, size: Int) -> [Row] {
        let p = ConvolutionProblem(batch: batch, channels: channels, size: size)
        func run(inputGradient: Bool) -> Double {
            Timing.fastest {
                let tape = Tape()
                let xv = inputGradient ? tape.leaf(p.x) : tape.constant(p.x)
                let wv = inputGradient ? tape.constant(p.weight) : tape.leaf(p.weight)
                let bv = inputGradient ? tape.constant(p.bias) : tape.leaf(p.bias)
                tape.backward(from: conv2d(xv, weight: wv, bias: bv).node, seed: p.seed)
                tape.reset()
            }
        }
        let flops = 2 * p.forwardFLOPs
        return [Row(name: p.name + " fwd+input grad", value: flops / run(inputGradient: true) / 1e9, unit: "GFLOP/s"),
                Row(name: p.name + " fwd+weight grad", value: flops / run(inputGradient: false) / 1e9, unit: "GFLOP/s")]
    }

    /// Batched orthonormal FFT2 throughput (transforms per second) at `size`×`size`.
    static func fft(size: Int, batch: Int) -> Row {
        var rng = SeededGenerator(seed: 2)
        let x = ComplexField(storage: Tensor.normal([batch, size, size, 2], generator: &rng))
        let y = ComplexField(uninitialized: [batch, size, size])
        let seconds = Timing.fastest { FFT.forward(x, into: y) }
        return Row(name: "fft2 \(size)x\(size) batch \(batch)", value: Double(batch) / seconds, unit: "transforms/s")
    }
}
