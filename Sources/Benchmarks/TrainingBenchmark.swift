import Autodiff
import Foundation
import TensorCore
import Training

/// `phasemask bench train`: images per second of one full training step (sensing, T-step filtered
/// spectral initialization, U-Net, loss, backward through everything, Adam) and peak memory.
public enum TrainingBenchmark {
    public struct Result: Sendable {
        public let snapshots: Int
        public let size: Int
        public let batch: Int
        public let iterations: Int
        public let secondsPerStep: Double
        public let imagesPerSecond: Double
        /// Peak bytes held by live tensors during the timed steps.
        public let peakTensorBytes: Int
        /// Peak resident set size of the process so far.
        public let peakResidentBytes: Int?
        /// CPU seconds (user + system, all threads) per step: about `threads` × `secondsPerStep` on an
        /// idle machine, and still meaningful on a busy one.
        public let cpuSecondsPerStep: Double

        /// The one line `bench train` prints.
        public var summary: String {
            String(format: "train step L=%d %dx%d batch %d T=%d: %.1f ms/step, %.1f images/s, peak tensors %.0f MiB, peak RSS %@, CPU %.0f ms/step",
                   snapshots, size, size, batch, iterations, secondsPerStep * 1000, imagesPerSecond,
                   Timing.mebibytes(peakTensorBytes),
                   peakResidentBytes.map { String(format: "%.0f MiB", Timing.mebibytes($0)) } ?? "?",
                   cpuSecondsPerStep * 1000)
        }
    }

    /// `bench train` on `threads` compute threads (`Threading.configure`).
    public static func report(snapshots: Int, size: Int, batch: Int, depth: Int, channels: Int, iterations: Int,
                              steps: Int, threads: Int) throws -> String {
        Threading.configure(threads: threads)
        return try run(snapshots: snapshots, size: size, batch: batch, depth: depth, channels: channels,
                       iterations: iterations, steps: steps).summary
    }

    /// The configuration of a benchmarked training step: an e2e (L = 1) or teacher system with these
    /// sizes, everything else as `TrainingConfig`'s defaults (shared with `MemoryBenchmark`).
    static func stepConfig(snapshots: Int, size: Int, batch: Int, depth: Int, channels: Int,
                           iterations: Int) -> TrainingConfig {
        var config = TrainingConfig()
        config.mode = snapshots == 1 ? .e2e : .teacher
        config.snapshots = snapshots
        config.size = size
        config.batchSize = batch
        config.depth = depth
        config.channels = channels
        config.iterations = iterations
        return config
    }

    /// Times `steps` training steps (after 2 warm-up steps) of an e2e/teacher system with `snapshots`
    /// masks on random scenes of `size`×`size`, in batches of `batch`.
    static func run(snapshots: Int, size: Int, batch: Int, depth: Int = 3, channels: Int = 16,
                    iterations: Int = 25, steps: Int = 10) throws -> Result {
        let config = stepConfig(snapshots: snapshots, size: size, batch: batch, depth: depth, channels: channels,
                                iterations: iterations)
        var rng = SeededGenerator(seed: 1)
        let images = Tensor.uniform([batch, 1, size, size], generator: &rng)
        let splits = SceneSplits(train: images, validation: images, test: images)
        // A folder of its own: the trainer locks its folder, and other runs may hold the temporary one.
        let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("phasemask-bench-\(UUID().uuidString)") as NSString
        defer { try? FileManager.default.removeItem(atPath: scratch as String) }
        let trainer = try Trainer(config: config, splits: splits, teacher: nil,
                                  checkpoint: scratch.appendingPathComponent("checkpoint.h5"),
                                  logFile: scratch.appendingPathComponent("log.jsonl"))
        for _ in 0..<2 { try trainer.trainStep(images, generator: &rng) }
        BufferPool.shared.resetPeak()
        let t0 = MonotonicClock.now(), cpu0 = Timing.processCPUSeconds()
        for _ in 0..<steps { try trainer.trainStep(images, generator: &rng) }
        let seconds = (MonotonicClock.now() - t0) / Double(steps)
        let cpu = (Timing.processCPUSeconds() - cpu0) / Double(steps)
        return Result(snapshots: snapshots, size: size, batch: batch, iterations: iterations, secondsPerStep: seconds,
                      imagesPerSecond: Double(batch) / seconds, peakTensorBytes: BufferPool.shared.peakLiveBytes,
                      peakResidentBytes: Timing.peakResidentBytes(), cpuSecondsPerStep: cpu)
    }
}
