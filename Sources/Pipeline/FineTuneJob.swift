import Fabrication
import Foundation
import Optics
import TensorCore
import Training

/// `phasemask finetune`: quantize a checkpoint's mask with the device's constraints, freeze it, and
/// fine-tune ψ and θ so the recovery fits the mask that will be built.
public enum FineTuneJob {
    public struct Outcome {
        public let result: FineTuning.Result
        public let report: QuantizationReport
        /// The metrics in the keys `/design/metrics` uses.
        public var metrics: [String: Double] {
            ["psnr_continuous_db": result.continuous.psnr, "ssim_continuous": result.continuous.ssim,
             "psnr_quantized_db": result.quantized.psnr, "ssim_quantized": result.quantized.ssim,
             "psnr_finetuned_db": result.fineTuned.psnr, "ssim_finetuned": result.fineTuned.ssim]
        }
    }

    /// - Parameters:
    ///   - levels, stroke: the device's phase constraints (default: the checkpoint's, which R(φ) used).
    ///   - epochs: fine-tuning epochs; `directory` receives `checkpoint.h5` and `log.jsonl`.
    public static func run(checkpoint: String, levels: Int?, stroke: Double?, epochs: Int, directory: String,
                           resume: Bool = false, log: @escaping (String) -> Void) throws -> Outcome {
        let trained = try Checkpoint.load(checkpoint).system
        let config = trained.config
        let constraints = try PhaseConstraints(levels: levels ?? config.levels, stroke: stroke ?? config.stroke)
        let masks = trained.masks.value
        let quantized = try PhaseQuantizer(constraints).quantize(masks, source: checkpoint)
        log("quantized to \(constraints.levels) levels: \(quantized.report)")
        let result = try FineTuning.run(checkpoint: checkpoint, quantizedMasks: quantized.phases,
                                        levels: constraints.levels, stroke: constraints.stroke, epochs: epochs,
                                        directory: directory, resume: resume, log: log)
        return Outcome(result: result, report: quantized.report)
    }
}
