import Autodiff
import Foundation
import NeuralNetwork
import Optics
import TensorCore
import Training

/// `phasemask bench memory`: where the memory of one full training step goes (the step of
/// `bench train`: sensing, T-step initialization, U-Net, loss, backward, Adam), from the buffer pool's
/// counters (`BufferPool.shared`) and the tape's own account (`Tape.keptValues`).
///
/// The reported step runs after two warm-up steps, so the pool holds the buffers of a steady step.
/// Rows, in MiB: the tensors alive before the step (parameters, their gradients, Adam's moments, the
/// images); what the forward pass and the loss add, split into the values the tape keeps for the
/// backward pass by the op that computed them and the rest (tensors pullbacks captured — batch-norm
/// statistics, max-pool indices, Γ's phasor table and products — and outputs the caller still holds);
/// the peak of live tensors during the backward pass and over the whole step; the buffers parked in
/// the pool; the process's peak RSS.
public enum MemoryBenchmark {
    public typealias Row = BenchmarkTable.Row
    public static let table = BenchmarkTable(nameWidth: 62, valueWidth: 10, decimals: 1)

    /// `bench memory` on `threads` compute threads (`Threading.configure`).
    public static func report(snapshots: Int, size: Int, batch: Int, depth: Int, channels: Int, iterations: Int,
                              threads: Int) throws -> [String] {
        Threading.configure(threads: threads)
        let title = "one training step L=\(snapshots) \(size)x\(size) batch \(batch) T=\(iterations), "
            + "U-Net depth \(depth), \(channels) channels"
        return [title] + table.lines(try run(snapshots: snapshots, size: size, batch: batch, depth: depth,
                                            channels: channels, iterations: iterations))
    }

    static func run(snapshots: Int, size: Int, batch: Int, depth: Int, channels: Int, iterations: Int) throws -> [Row] {
        let config = TrainingBenchmark.stepConfig(snapshots: snapshots, size: size, batch: batch, depth: depth,
                                                  channels: channels, iterations: iterations)
        try config.checkSettings()
        var rng = SeededGenerator(seed: 1)
        let images = Tensor.uniform([batch, 1, size, size], generator: &rng)
        let system = try PhaseRetrievalSystem(config: config)
        let objective = try Objective(config: config)
        let adam = Adam(parameters: system.parameters, learningRate: Float(config.learningRate))
        for _ in 0..<2 { _ = try step(system, objective, adam, images, &rng) }
        let account = try step(system, objective, adam, images, &rng)
        let mib = 1_048_576.0
        var rows = [Row(name: "live before the step (parameters, gradients, Adam, images)",
                        value: Double(account.before) / mib, unit: "MiB"),
                    Row(name: "added by the forward pass and the loss", value: Double(account.forward) / mib, unit: "MiB")]
        for kept in account.kept where kept.op != "input" {
            rows.append(Row(name: "  kept for the backward pass: \(kept.op) (\(kept.tensors))",
                            value: Double(kept.bytes) / mib, unit: "MiB"))
        }
        let keptTotal = account.kept.filter { $0.op != "input" }.reduce(0) { $0 + $1.bytes }
        rows.append(Row(name: "  captured by pullbacks, held by the caller",
                        value: Double(account.forward - keptTotal) / mib, unit: "MiB"))
        rows += [Row(name: "peak live tensors in the backward pass", value: Double(account.backwardPeak) / mib, unit: "MiB"),
                 Row(name: "peak live tensors in the step", value: Double(account.stepPeak) / mib, unit: "MiB"),
                 Row(name: "buffer pool, free buffers after the step", value: Double(account.pooled) / mib, unit: "MiB")]
        if let rss = Timing.peakResidentBytes() {
            rows.append(Row(name: "peak RSS of the process", value: Double(rss) / mib, unit: "MiB"))
        }
        return rows
    }

    /// Byte counts of one step.
    struct Account {
        var before = 0, forward = 0, backwardPeak = 0, stepPeak = 0, pooled = 0
        var kept: [(op: String, tensors: Int, bytes: Int)] = []
    }

    /// One training step as `Trainer.trainStep` takes it (no teacher), and its account.
    private static func step(_ system: PhaseRetrievalSystem, _ objective: Objective, _ adam: Adam, _ images: Tensor,
                             _ rng: inout SeededGenerator) throws -> Account {
        let pool = BufferPool.shared
        let before = pool.liveBytes
        pool.resetPeak()
        let tape = Tape()
        let scene = try system.scene(images, offsets: true, generator: &rng)
        let output = try system.forward(scene: scene, tape: tape, training: true, noise: system.config.noise,
                                        generator: &rng)
        let (loss, _) = objective.loss(output, images: SceneChannels.phase(images),
                                       masks: tape.variable(system.masks), teacher: nil)
        let forwardPeak = pool.peakLiveBytes, forward = pool.liveBytes - before
        let kept = tape.keptValues()
        pool.resetPeak()
        tape.backward(from: loss)
        let backwardPeak = pool.peakLiveBytes
        adam.step()
        system.zeroGradients()
        return Account(before: before, forward: forward, backwardPeak: backwardPeak,
                       stepPeak: max(forwardPeak, pool.peakLiveBytes, backwardPeak), pooled: pool.pooledBytes, kept: kept)
    }
}
