import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask finetune`: quantize a checkpoint's mask with the device's constraints, freeze it, and
/// fine-tune ψ and θ so the recovery fits the mask that will be built.
///
/// The trained system's masks are replaced by their quantized values and frozen; ψ and θ are trained
/// further with the task loss alone (α = 1, ρ = 0, no distillation: the mask can no longer move, and
/// the goal is only that the recovery fits it). Test PSNR/SSIM is reported for the continuous mask, the
/// quantized mask before fine-tuning, and after fine-tuning.
public enum FineTuneJob {
    public struct Result: Codable {
        public var continuous: EvaluationResult
        public var quantized: EvaluationResult
        public var fineTuned: EvaluationResult
        public var checkpoint: String
        public var seconds: Double
    }

    public struct Outcome {
        public let result: Result
        public let report: QuantizationReport
        /// The fine-tuned system, as checkpointed, and its training history.
        public let system: PhaseRetrievalSystem
        public let history: [EpochRecord]
        /// The metrics in the keys `/design/metrics` uses.
        public var metrics: [String: Double] {
            QuantizationScores(continuous: result.continuous, quantized: result.quantized).metrics
                .merging(["psnr_finetuned_db": result.fineTuned.psnr, "ssim_finetuned": result.fineTuned.ssim]) { $1 }
        }
    }

    /// - Parameters:
    ///   - levels, stroke: the device's phase constraints (default: the checkpoint's, which R(φ) used).
    ///   - epochs: fine-tuning epochs; `directory` receives `checkpoint.h5` and `log.jsonl` (`RunFolder`).
    ///   - perturbation: a mask error drawn at every step for the measurements (`TrainingConfig.perturbation`),
    ///     so ψ and θ learn to recover through it; nil keeps the trained checkpoint's (usually none).
    public static func run(checkpoint: String, levels: Int?, stroke: Double?, epochs: Int, directory: String,
                           resume: Bool = false, perturbation: MaskPerturbation? = nil,
                           log: @escaping (String) -> Void) throws -> Outcome {
        let trained = try Checkpoint.load(checkpoint).system
        return try run(trained, source: checkpoint, levels: levels, stroke: stroke, epochs: epochs,
                       folder: RunFolder(directory), resume: resume, perturbation: perturbation, log: log)
    }

    /// Fine-tunes `trained` (loaded from `source`, which errors name; left unchanged) into `folder`.
    static func run(_ trained: PhaseRetrievalSystem, source: String, levels: Int?, stroke: Double?, epochs: Int, folder: RunFolder,
                    resume: Bool, perturbation: MaskPerturbation? = nil, log: @escaping (String) -> Void) throws -> Outcome {
        let constraints = try PhaseConstraints(levels: levels ?? trained.config.levels, stroke: stroke ?? trained.config.stroke)
        let quantized = try PhaseQuantizer(constraints).quantize(trained.masks.value, source: source)
        log("quantized to \(constraints.levels) levels: \(quantized.report)")
        var config = fineTuningConfig(trained.config, constraints: constraints, epochs: epochs)
        if let perturbation { config.perturbation = perturbation }
        try config.checkSettings()
        if let p = config.perturbation { log("training perturbation of the measuring mask: \(p)") }
        let splits = try SceneSplits.load(config)
        let scores = try Evaluation.continuousAndQuantized(trained, quantizedMasks: quantized.phases, images: splits.test,
                                                           batchSize: config.batchSize)
        log(String(format: "continuous mask: PSNR %.2f dB SSIM %.4f; quantized: PSNR %.2f dB SSIM %.4f",
                   scores.continuous.psnr, scores.continuous.ssim, scores.quantized.psnr, scores.quantized.ssim))
        // Rank 0 alone takes the folder (data-parallel fine-tuning under mpirun; one rank otherwise).
        let lock = try ProcessGroup.current.onRoot {
            try DirectoryLock(directory: folder.directory, reserving: Checkpoint.estimatedBytes(try PhaseRetrievalSystem(config: config)))
        }
        let stored = resume ? try Checkpoint.load(folder.checkpoint) : nil
        let trainer = try trained.withMasks(quantized.phases) {
            try Trainer(config: config, splits: splits, teacher: nil, checkpoint: folder.checkpoint, logFile: folder.log,
                        resumingFrom: stored, startingFrom: trained, lock: lock)
        }
        if resume && !trainer.system.masks.value.isBitIdentical(to: quantized.phases) {
            throw TrainingError.checkpoint(path: trainer.checkpointPath, problem: "holds other masks than the quantized ones; fine-tune into a new directory")
        }
        trainer.log = log
        InterruptFlag.install()
        try trainer.run()
        let fineTuned = try Evaluation.evaluate(trainer.system, images: splits.test, batchSize: config.batchSize)
        let result = Result(continuous: scores.continuous, quantized: scores.quantized, fineTuned: fineTuned,
                            checkpoint: trainer.checkpointPath, seconds: trainer.history.reduce(0) { $0 + $1.seconds })
        return Outcome(result: result, report: quantized.report, system: trainer.system, history: trainer.history)
    }

    /// The trained configuration turned into a fine-tuning one: masks frozen at their quantized values
    /// (`constraints` recorded), the task loss alone, `epochs` epochs.
    static func fineTuningConfig(_ trained: TrainingConfig, constraints: PhaseConstraints, epochs: Int) -> TrainingConfig {
        var config = trained
        config.mode = config.snapshots == 1 ? .e2e : .teacher
        config.freezeMasks = true
        config.levels = constraints.levels
        config.stroke = constraints.stroke
        config.alpha = 1; config.beta = 0; config.rho = 0
        config.teacherCheckpoint = nil
        config.initFromTeacher = false
        config.epochs = epochs
        return config
    }
}

extension QuantizationScores {
    /// The scores in the keys `/design/metrics` uses.
    var metrics: [String: Double] {
        ["psnr_continuous_db": continuous.psnr, "ssim_continuous": continuous.ssim,
         "psnr_quantized_db": quantized.psnr, "ssim_quantized": quantized.ssim]
    }
}
