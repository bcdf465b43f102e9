import Foundation
import TensorCore

/// `phasemask bench kernels`: throughput of the numerical kernels on this machine, in one run.
public enum KernelBenchmark {
    public struct Line: Sendable {
        public let name: String
        public let value: Double
        public let unit: String
    }

    /// sgemm at 512×512×512: the machine's practical peak, against which the conv figures are judged.
    public static func sgemmPeak() -> Line {
        let n = 512
        var rng = SeededGenerator(seed: 1)
        let a = Tensor.normal([n, n], generator: &rng), b = Tensor.normal([n, n], generator: &rng)
        let c = Tensor(zeros: [n, n])
        let seconds = Benchmark.measure {
            BLAS.gemm(m: n, n: n, k: n, a: a.pointer, b: b.pointer, c: c.pointer)
        }
        return Line(name: "sgemm 512x512x512", value: 2 * Double(n * n * n) / seconds / 1e9, unit: "GFLOP/s")
    }

    /// Batched orthonormal FFT2 throughput (transforms per second) at `size`×`size`.
    public static func fft(size: Int, batch: Int) -> Line {
        var rng = SeededGenerator(seed: 2)
        let x = ComplexField(storage: Tensor.normal([batch, size, size, 2], generator: &rng))
        let y = ComplexField(uninitialized: [batch, size, size])
        let seconds = Benchmark.measure { FFT.forward(x, into: y) }
        return Line(name: "fft2 \(size)x\(size) batch \(batch)", value: Double(batch) / seconds, unit: "transforms/s")
    }
}
