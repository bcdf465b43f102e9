import Autodiff
import NeuralNetwork
import TensorCore

/// `phasemask bench unet`: throughput of the recovery network alone (no optics), for profiling.
public enum UNetBenchmark {
    public typealias Row = BenchmarkTable.Row

    /// `bench unet`: on `threads` threads over convolution tiles and batch-norm channels, OpenBLAS at
    /// one thread.
    public static func report(threads: Int, batch: Int, size: Int, depth: Int, channels: Int) throws -> [String] {
        BLAS.setThreads(1)
        Parallel.threads = threads
        return BenchmarkTable.kernels.lines(try run(batch: batch, size: size, depth: depth, channels: channels))
    }

    /// Images per second of a training step (forward, MSE, backward, Adam) and of an evaluation
    /// forward, each the fastest of at least 5 runs and 1 s after one untimed run, and the peak of live
    /// tensors.
    static func run(batch: Int, size: Int, depth: Int, channels: Int) throws -> [Row] {
        var rng = SeededGenerator(seed: 1)
        let net = UNet(baseChannels: channels, depth: depth, generator: &rng)
        let adam = Adam(parameters: net.parameters)
        let x = Tensor.normal([batch, 2, size, size], generator: &rng)
        let target = Tensor.uniform([batch, 1, size, size], generator: &rng)
        func step() throws {
            let tape = Tape()
            let (output, _) = try net.forward(tape.constant(x), training: true)
            tape.backward(from: meanSquaredError(output, tape.constant(target)))
            tape.reset()
            adam.step()
            net.zeroGradients()
        }
        func evaluate() throws {
            _ = try net.forward(Tape(recording: false).constant(x), training: false)
        }
        let train = try Timing.fastest(warmup: 1, minimumRuns: 5, step)
        let eval = try Timing.fastest(warmup: 1, minimumRuns: 5, evaluate)
        let name = "unet d\(depth) c\(channels) \(size)x\(size) batch \(batch)"
        return [Row(name: name + " train step", value: Double(batch) / train, unit: "images/s"),
                Row(name: name + " eval", value: Double(batch) / eval, unit: "images/s"),
                Row(name: "peak live tensors", value: Double(BufferPool.shared.peakLiveBytes) / 1e6, unit: "MB")]
    }
}
