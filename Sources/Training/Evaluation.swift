import Autodiff
import Foundation
import Optics
import TensorCore

/// Test-time quality of a system: PSNR and SSIM of the clipped estimates against the scene images.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public var psnr: Double
    public var ssim: Double
    /// Images evaluated.
    public var count: Int
    /// Median wall time of one forward pass over a batch, seconds.
    public var secondsPerBatch: Double
    public var batchSize: Int
}

public enum Evaluation {
    /// Runs `system` in evaluation mode (batch-norm running statistics, no tape) over `images`
    /// `[n, 1, N, N]` (or `[n, 2, N, N]` with an amplitude channel, `SceneChannels`) in batches, with the system's scene model and the given measurement noise (seeded).
    /// Scenes carry no background offsets unless `backgroundOffset` Δ > 0 asks for them: then each image
    /// gets one drawn uniformly in ±Δ from the same seeded stream, before that batch's noise. The
    /// reference is always the image I.
    /// With `refinement` N > 0 each estimate is refined by N iterations of error reduction on its own
    /// (noisy) CDPs (`EstimateRefinement`; pure-phase scene models only). With more than one rank in
    /// `group` the batches are shared out (`evaluateShared`); the result is the same, bit for bit, on every rank.
    public static func evaluate(_ system: PhaseRetrievalSystem, images: Tensor, batchSize: Int = 100,
                                noise: NoiseModel = .none, seed: UInt64 = 0, backgroundOffset: Double = 0,
                                refinement: Int = 0, group: any Communicator = ProcessGroup.current) throws -> EvaluationResult {
        if group.size > 1 {
            return try evaluateShared(system, images: images, batchSize: batchSize, noise: noise, seed: seed,
                                      backgroundOffset: backgroundOffset, refinement: refinement, group: group)
        }
        let (estimates, times) = try reconstruct(system, images: images, batchSize: batchSize, noise: noise, seed: seed,
                                                 backgroundOffset: backgroundOffset, refinement: refinement)
        let sorted = times.sorted()
        let reference = SceneChannels.phase(images)
        return EvaluationResult(psnr: ImageMetrics.psnr(estimate: estimates, reference: reference),
                                ssim: ImageMetrics.ssim(estimate: estimates, reference: reference),
                                count: images.shape[0], secondsPerBatch: sorted.isEmpty ? 0 : sorted[sorted.count / 2],
                                batchSize: batchSize)
    }

    /// Estimates `[n, 1, N, N]` of I for every scene of `images` (`[n, C, N, N]`), and the wall time of
    /// each batch (including the refinement, when `refinement` > 0 asks for one).
    public static func reconstruct(_ system: PhaseRetrievalSystem, images: Tensor, batchSize: Int = 100,
                                   noise: NoiseModel = .none, seed: UInt64 = 0,
                                   backgroundOffset: Double = 0, refinement: Int = 0) throws -> (Tensor, [Double]) {
        var model = system.config.sceneModel
        model.backgroundOffset = backgroundOffset
        if let problem = model.problems().first { throw TrainingError.invalidConfiguration(problem) }
        let n = images.shape[0]
        let out = Tensor(uninitialized: [n, 1] + images.shape.dropFirst(2))
        let per = out.count / max(n, 1)
        var times: [Double] = []
        var rng = SeededGenerator(seed: seed)
        var start = 0
        while start < n {
            let end = min(start + batchSize, n)
            let batch = images.slice(start..<end)
            let t0 = MonotonicClock.now()
            let tape = Tape(recording: false)
            let scene = try system.scene(batch, model: model, offsets: true, generator: &rng)
            let result = try system.forward(scene: scene, tape: tape, training: false, noise: noise, generator: &rng)
            let estimate = try refined(result, system: system, iterations: refinement)
            times.append(MonotonicClock.now() - t0)
            (out.pointer + start * per).update(from: estimate.pointer, count: (end - start) * per)
            start = end
        }
        return (out, times)
    }
}

extension Evaluation {
    /// The estimate of a forward pass, refined by `iterations` of error reduction on its own CDPs (none: as is).
    static func refined(_ result: PhaseRetrievalSystem.Output, system: PhaseRetrievalSystem, iterations: Int) throws -> Tensor {
        guard iterations > 0 else { return result.estimate.value }
        let problem = try PhaseRetrievalProblem(measurements: result.measurements.value,
                                                operator: try CodedDiffractionOperator(
            masks: system.masks.value, oversampling: system.sensing.oversampling, propagation: system.sensing.propagation))
        return try EstimateRefinement.refine(result.estimate.value, problem: problem, sceneModel: system.config.sceneModel,
                                             iterations: iterations).images
    }
}

/// Test PSNR/SSIM of one system with its trained (continuous) masks and with their quantized values.
public struct QuantizationScores: Codable {
    public var continuous: EvaluationResult
    public var quantized: EvaluationResult

    public init(continuous: EvaluationResult, quantized: EvaluationResult) {
        self.continuous = continuous
        self.quantized = quantized
    }
}

extension Evaluation {
    /// Scores `system` on `images` with its own masks, then with `quantizedMasks` (`[L, N, N]` radians)
    /// in their place; the system's masks are restored afterwards. Fine-tuning and export both report
    /// these two numbers.
    public static func continuousAndQuantized(_ system: PhaseRetrievalSystem, quantizedMasks: Tensor, images: Tensor,
                                              batchSize: Int) throws -> QuantizationScores {
        let continuous = try evaluate(system, images: images, batchSize: batchSize)
        let quantized = try system.withMasks(quantizedMasks) { try evaluate(system, images: images, batchSize: batchSize) }
        return QuantizationScores(continuous: continuous, quantized: quantized)
    }
}
