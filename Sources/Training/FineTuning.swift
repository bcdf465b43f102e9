import Foundation
import TensorCore

/// Fine-tuning the networks to the mask that will actually be built.
///
/// The trained system's masks are replaced by their quantized values and frozen; ψ and θ are trained
/// further with the task loss alone (α = 1, ρ = 0, no distillation: the mask can no longer move, and
/// the goal is only that the recovery fits it). Test PSNR/SSIM is reported for the continuous mask, the
/// quantized mask before fine-tuning, and after fine-tuning.
public enum FineTuning {

    public struct Result: Codable {
        public var continuous: EvaluationResult
        public var quantized: EvaluationResult
        public var fineTuned: EvaluationResult
        public var checkpoint: String
        public var seconds: Double
    }

    /// - Parameters:
    ///   - checkpoint: the trained system (any mode).
    ///   - quantizedMasks: φ after quantization, `[L, N, N]` radians (same shape as the system's masks).
    ///   - epochs: fine-tuning epochs.
    ///   - directory: output directory for the fine-tuned checkpoint and its log.
    ///   - levels, stroke: the constraints the masks were quantized with (recorded in the configuration).
    public static func run(checkpoint: String, quantizedMasks: Tensor, levels: Int, stroke: Double, epochs: Int,
                           directory: String, resume: Bool = false, log: @escaping (String) -> Void) throws -> Result {
        let trained = try Checkpoint.load(checkpoint).system
        guard quantizedMasks.shape == trained.masks.shape else {
            throw TrainingError.invalidConfiguration("quantized masks \(quantizedMasks.shape) do not match the checkpoint's \(trained.masks.shape)")
        }
        var config = trained.config
        config.mode = config.snapshots == 1 ? .e2e : .teacher
        config.freezeMasks = true
        config.levels = levels
        config.stroke = stroke
        config.alpha = 1; config.beta = 0; config.rho = 0
        config.teacherCheckpoint = nil
        config.initFromTeacher = false
        config.epochs = epochs
        let splits = try SceneSplits.load(config)
        let continuous = try Evaluation.evaluate(trained, images: splits.test, batchSize: config.batchSize)
        trained.masks.value.assign(quantizedMasks)
        let quantized = try Evaluation.evaluate(trained, images: splits.test, batchSize: config.batchSize)
        log(String(format: "continuous mask: PSNR %.2f dB SSIM %.4f; quantized: PSNR %.2f dB SSIM %.4f",
                   continuous.psnr, continuous.ssim, quantized.psnr, quantized.ssim))
        let trainer = try Trainer(config: config, splits: splits, teacher: nil, directory: directory,
                                  resume: resume, startingFrom: trained)
        if resume && !trainer.system.masks.value.isBitIdentical(to: quantizedMasks) {
            throw TrainingError.checkpoint(path: trainer.checkpointPath, problem: "holds other masks than the quantized ones; fine-tune into a new directory")
        }
        trainer.log = log
        InterruptFlag.install()
        try trainer.run()
        let fineTuned = try Evaluation.evaluate(trainer.system, images: splits.test, batchSize: config.batchSize)
        return Result(continuous: continuous, quantized: quantized, fineTuned: fineTuned,
                      checkpoint: trainer.checkpointPath, seconds: trainer.history.reduce(0) { $0 + $1.seconds })
    }
}
