import Autodiff
import Foundation
import NeuralNetwork
import Optics
import TensorCore

/// Data-parallel training (docs/scaling.md): the global batch of B images is split over the N ranks of
/// `Trainer.group` in contiguous shares `[B·r/N, B·(r+1)/N)`, so the batch size and the learning rate
/// mean what they mean in one process.
///
/// One step on rank r:
/// 1. Every rank draws what one process would draw from the step's stream, for the whole batch: the
///    background offsets, the mask perturbation (`--perturb`, the same on every rank), and (with noise)
///    the noise of the whole batch's clean CDPs, measured once more without a tape. Rank r keeps its
///    share, so each image sees the draws it would see in one process.
/// 2. Forward and backward of its share, with batch norm over the global batch (`Tape.sampleStatistics`:
///    per-sample partial sums gathered and added in global sample order, as one process adds them).
///    The loss is the share's loss times b_r / B, so the sum over ranks is the global-batch mean.
/// 3. The trainable parameters' gradients, one flat buffer in parameter order, are summed over the ranks
///    in rank order (`Communicator.allReduceSum`); every rank gets the same bits and takes the same Adam
///    step, so the ranks' parameters never drift apart.
/// 4. The loss terms (weighted by b_r / B) and the stop flag are summed in one small reduction, so every
///    rank stops after the same step.
///
/// Against one process the only differences left are the sums the kernels form over the batch inside
/// one rank (convolution weight and bias gradients, the mask gradient): each rank sums its share, then
/// the shares are added. They change the last bits of those gradients (docs/scaling.md gives the
/// measured effect on the trained parameters).
extension Trainer {
    func dataParallelStep(_ images: Tensor, generator: inout SeededGenerator) throws -> (Objective.Terms, stop: Bool) {
        let weighted = try accumulateSharedGradients(images, generator: &generator)
        optimizer.step()
        system.zeroGradients()
        let summed = group.allReduceSum(weighted + [InterruptFlag.isRaised ? 1 : 0])
        let global = Objective.Terms(task: summed[1], regularizer: summed[2], cdp: summed[3], feature: summed[4], total: summed[0])
        return (global, summed[5] > 0)
    }

    /// Steps 1–3 without the update: the global batch's gradient summed into every rank's parameter
    /// gradients; returns this rank's loss terms weighted by b_r / B (total, task, R, cdp, feat).
    func accumulateSharedGradients(_ images: Tensor, generator: inout SeededGenerator) throws -> [Double] {
        let batch = images.shape[0]
        let share = group.share(of: batch)
        let weight = Double(share.count) / Double(batch)
        let tape = Tape()
        tape.sampleStatistics = GroupSampleStatistics(group: group, globalBatch: batch)
        let wholeScene = try system.scene(images, offsets: true, generator: &generator)
        let scene = ComplexField(storage: wholeScene.storage.slice(share))
        let phi = tape.variable(system.masks)
        let measuring = try system.measuringMasks(phi, training: true, generator: &generator)
        var y = system.sensing.measure(tape.constant(scene), masks: measuring)
        if noise != .none {
            let noisy = noise.sample(system.sensing.measure(wholeScene, masks: measuring.value), generator: &generator)
            y = NoiseModel.replaced(y, by: noisy.slice(share))
        }
        let output = try system.recover(y, masks: phi, training: true)
        let targets = try teacher.map { try teacherTargets($0, scene: scene) }
        let (loss, terms) = objective.loss(output, images: SceneChannels.phase(images.slice(share)),
                                           masks: tape.variable(system.masks), teacher: targets,
                                           meanEnergy: globalMeanEnergy)
        tape.backward(from: Float(weight) * loss)
        allReduceGradients()
        return [terms.total, terms.task, terms.regularizer, terms.cdp, terms.feature].map { $0 * weight }
    }

    /// Sums the trainable parameters' gradients over the ranks: one flat buffer in the system's
    /// parameter order, summed in rank order.
    func allReduceGradients() {
        let trainable = system.parameters.filter { !$0.isFrozen }
        let count = trainable.reduce(0) { $0 + $1.gradient.count }
        if gradientBuffer.count != count { gradientBuffer = [Float](repeating: 0, count: count) }
        gradientBuffer.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for p in trainable {
                (buffer.baseAddress! + offset).update(from: p.gradient.pointer, count: p.gradient.count)
                offset += p.gradient.count
            }
            group.allReduceSum(buffer)
            offset = 0
            for p in trainable {
                p.gradient.pointer.update(from: buffer.baseAddress! + offset, count: p.gradient.count)
                offset += p.gradient.count
            }
        }
    }

    /// `mean(t²)` of a KD target over the global batch (every rank's share of it).
    func globalMeanEnergy(_ target: Tensor) -> Double {
        let sums = group.allReduceSum([Objective.energy(target), Double(target.count)])
        return sums[0] / max(sums[1], 1)
    }

    /// Before the first step: every rank must hold the same parameters, statistics and position (read
    /// from the same checkpoint, built from the same seed). A rank that read another file — a run folder
    /// not shared between the nodes — is reported instead of training something else silently.
    func checkRanksAgree() throws {
        guard group.size > 1 else { return }
        var hasher = FNV1a()
        for p in system.parameters { hasher.add(p.value) }
        for (_, t) in system.unet.buffers { hasher.add(t) }
        let mine = [Double(hasher.value >> 32), Double(hasher.value & 0xFFFF_FFFF), Double(progress.epoch), Double(progress.step),
                    Double(history.count)]
        let all = group.allGather(mine)
        for r in 1..<group.size where Array(all[(5 * r)..<(5 * r + 5)]) != Array(all[0..<5]) {
            throw RanksDisagree(description: "rank \(r) starts from other parameters or another position than rank 0 "
                                + "(every node must see the same run folder and checkpoint: put --out on a shared file system)")
        }
    }
}

/// Batch norm's `SampleStatistics` over the ranks of a group: the per-sample partials of every rank are
/// gathered (rank order = global sample order) and added from the first sample on, as one process
/// would. Rank 0 owns the totals for γ̄, β̄.
final class GroupSampleStatistics: SampleStatistics {
    let group: any Communicator
    let globalBatch: Int

    init(group: any Communicator, globalBatch: Int) {
        self.group = group
        self.globalBatch = globalBatch
    }

    var ownsTotals: Bool { group.isRoot }

    func totals(_ partials: [Double], perSample k: Int) -> [Double] {
        let all = group.allGather(partials)
        precondition(all.count == globalBatch * k, "batch norm: \(all.count) partials gathered for \(globalBatch) samples × \(k)")
        var totals = [Double](repeating: 0, count: k)
        for n in 0..<globalBatch {
            for j in 0..<k { totals[j] += all[n * k + j] }
        }
        return totals
    }
}

/// The ranks of a data-parallel run did not start from the same state; every rank knows.
public struct RanksDisagree: AgreedFailure, CustomStringConvertible {
    public let description: String
}

/// 64-bit FNV-1a over the bit patterns of tensors (a fingerprint, not a security hash).
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ t: Tensor) {
        for i in 0..<t.count {
            var bits = t.pointer[i].bitPattern
            for _ in 0..<4 {
                value = (value ^ UInt64(bits & 0xFF)) &* 0x0000_0100_0000_01B3
                bits >>= 8
            }
        }
    }
}
