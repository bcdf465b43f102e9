import Autodiff
import Foundation
import Optics
import TensorCore

extension Evaluation {
    /// `evaluate` with its batches shared over the ranks of `group` (docs/scaling.md): rank r recovers
    /// the contiguous run of batches `group.share(of: batches)`, each with the batch boundaries of one
    /// process, and the per-image PSNR and SSIM of every rank are gathered and averaged in image order.
    /// The result is one process's, bit for bit, on every rank (with `refinement` too: each estimate is
    /// refined on its own CDPs). When the scenes draw offsets or noise,
    /// every rank still makes the draws of every batch (measuring the batches it does not recover, which
    /// costs the sensing model but not the recovery), so each batch sees the draws of one process.
    static func evaluateShared(_ system: PhaseRetrievalSystem, images: Tensor, batchSize: Int, noise: NoiseModel,
                               seed: UInt64, backgroundOffset: Double, refinement: Int, group: any Communicator) throws -> EvaluationResult {
        var model = system.config.sceneModel
        model.backgroundOffset = backgroundOffset
        if let problem = model.problems().first { throw TrainingError.invalidConfiguration(problem) }
        let n = images.shape[0]
        let batches = (n + batchSize - 1) / batchSize
        let mine = group.share(of: batches)
        let draws = noise != .none || model.backgroundOffset > 0
        let reference = SceneChannels.phase(images)
        var rng = SeededGenerator(seed: seed)
        var scores: [Double] = [], times: [Double] = []
        for k in (draws ? 0 : mine.lowerBound)..<(draws ? batches : mine.upperBound) {
            let range = (k * batchSize)..<min(n, (k + 1) * batchSize)
            let batch = images.slice(range)
            guard mine.contains(k) else {
                let scene = try system.scene(batch, model: model, offsets: true, generator: &rng)
                if noise != .none { _ = noise.sample(system.sensing.measure(scene, masks: system.masks.value), generator: &rng) }
                continue
            }
            let t0 = MonotonicClock.now()
            let tape = Tape(recording: false)
            let scene = try system.scene(batch, model: model, offsets: true, generator: &rng)
            let result = try system.forward(scene: scene, tape: tape, training: false, noise: noise, generator: &rng)
            let estimate = try refined(result, system: system, iterations: refinement)
            times.append(MonotonicClock.now() - t0)
            for i in 0..<range.count {
                let e = estimate.slice(i..<(i + 1)), t = reference.slice((range.lowerBound + i)..<(range.lowerBound + i + 1))
                scores += [ImageMetrics.psnr(estimate: e, reference: t), ImageMetrics.ssim(estimate: e, reference: t)]
            }
        }
        let all = group.allGather(scores)
        precondition(all.count == 2 * n, "evaluation: \(all.count / 2) image scores gathered for \(n) images")
        // The sums of `ImageMetrics`, over the images in order.
        var psnr = 0.0, ssim = 0.0
        for i in 0..<n { psnr += all[2 * i]; ssim += all[2 * i + 1] }
        let sorted = group.allGather(times).sorted()
        return EvaluationResult(psnr: psnr / Double(n), ssim: ssim / Double(n), count: n,
                                secondsPerBatch: sorted.isEmpty ? 0 : sorted[sorted.count / 2], batchSize: batchSize)
    }
}
