import Autodiff
import NeuralNetwork
import TensorCore

/// `phasemask bench unet`: throughput of the recovery network alone (no optics), for profiling.
enum UNetBenchmark {
    static func run(batch: Int, size: Int, depth: Int, channels: Int) throws -> [KernelBenchmark.Line] {
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
        try step()
        try evaluate()
        let train = try seconds(step), eval = try seconds(evaluate)
        let name = "unet d\(depth) c\(channels) \(size)x\(size) batch \(batch)"
        return [KernelBenchmark.Line(name: name + " train step", value: Double(batch) / train, unit: "images/s"),
                KernelBenchmark.Line(name: name + " eval", value: Double(batch) / eval, unit: "images/s"),
                KernelBenchmark.Line(name: "peak live tensors", value: Double(BufferPool.shared.peakLiveBytes) / 1e6, unit: "MB")]
    }

    /// Fastest of at least 5 runs and 1 s.
    private static func seconds(_ body: () throws -> Void) throws -> Double {
        var best = Double.infinity, runs = 0
        let start = Benchmark.now()
        while runs < 5 || Benchmark.now() - start < 1 {
            let t0 = Benchmark.now()
            try body()
            best = min(best, Benchmark.now() - t0)
            runs += 1
        }
        return best
    }
}
