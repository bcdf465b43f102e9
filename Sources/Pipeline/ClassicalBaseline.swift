import Autodiff
import Foundation
import Optics
import TensorCore
import Training

/// The recoveries that need no trained network — the spectral initialization alone, ER, HIO, WF — from
/// CDPs to the normalized image I, as `reconstruct --method` and the experiment report run them.
public enum ClassicalBaseline {
    public struct Estimate {
        /// I `[B, 1, H, W]` in [0, 1]: the field aligned to Σx real ≥ 0 (docs/optics.md, "Global phase")
        /// and mapped by the scene model (`SceneModel.normalizedPhase`).
        public let images: Tensor
        /// The recovered field `[B, H, W]`, aligned as above.
        public let field: ComplexField
        /// The spectral initialization z* every method starts from, `[B, H, W]`.
        public let initialization: ComplexField
        /// ρ of the final estimate (`ClassicalRecovery`); nil for the spectral initialization alone.
        public let residual: Double?
    }

    /// Recovers from `y` `[B, L, H', W']` taken with `masks` `[L, H, W]` at the initialization's
    /// oversampling and propagation: z* from `initialization` and filter `kernel`, then `method` for `iterations` steps
    /// (nil: z* alone), with `saturated` flags (`[B, L, H', W']`, 1 = lower bound) when given.
    public static func recover(_ y: Tensor, masks: Tensor, initialization: SpectralInitialization, kernel: Tensor,
                               method: ClassicalRecovery.Method?, iterations: Int, sceneModel: SceneModel,
                               saturated: [UInt8]? = nil) throws -> Estimate {
        let tape = Tape(recording: false)
        let start = initialization.estimate(measurements: tape.constant(y), masks: tape.constant(masks),
                                            kernel: tape.constant(kernel)).field
        var field = start, residual: Double?
        if let method {
            let problem = try PhaseRetrievalProblem(measurements: y, operator: try CodedDiffractionOperator(
                masks: masks, oversampling: initialization.oversampling, propagation: initialization.propagation),
                saturated: saturated)
            let outcome = ClassicalRecovery.run(method, problem, start: start, iterations: iterations)
            (field, residual) = (outcome.estimate, outcome.residuals.last)
        }
        field = alignGlobalPhase(tape.constant(field)).field
        return Estimate(images: sceneModel.normalizedPhase(of: field), field: field, initialization: start, residual: residual)
    }

    /// PSNR of `field` mapped to I after taking the global phase from the reference images' fields
    /// (`Recovery.alignGlobalPhase(_:to:)`): the score without the global phase no method can know.
    public static func oraclePSNR(_ field: ComplexField, reference: Tensor, sceneModel: SceneModel) throws -> Double {
        let aligned = Recovery.alignGlobalPhase(field, to: try sceneModel.field(reference))
        return ImageMetrics.psnr(estimate: sceneModel.normalizedPhase(of: aligned), reference: reference)
    }
}
