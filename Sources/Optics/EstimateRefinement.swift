import Foundation
import TensorCore

/// Refinement of a learned estimate by error reduction on the same CDPs (`evaluate --refine N`,
/// `reconstruct --refine N`).
///
/// The U-Net's estimate Î carries the scene's phase reference, which no classical method can recover
/// from intensities alone (docs/optics.md, "Global phase"); error reduction with the phase-only object
/// constraint fits the measured moduli almost exactly but, started from the spectral initialization,
/// lands on an arbitrary global phase. Started from the U-Net's field it keeps that reference:
///
///     x₀ = x(Î) = exp(j(φmin + (φmax − φmin)·Î))        (the scene model's field, |x₀| = 1)
///     x_{t+1} = P_O(P_M x_t),  t = 0 … N−1              (`ClassicalRecovery.Method.errorReduction`)
///     I = normalizedPhase(x_N)                           (`SceneModel.normalizedPhase`, no re-alignment)
///
/// ρ does not increase along the iterations. Under strong noise, more iterations fit the noise: the
/// number is a choice tied to the photon budget (docs/method.md, "Refinement").
public enum EstimateRefinement {
    /// The iterations `design` reports a refined score with: the measured optimum near 100 photons per
    /// pixel, and most of the gain of longer runs on clean CDPs (docs/method.md, "Refinement").
    public static let defaultIterations = 20

    public struct Outcome {
        /// The refined images I `[B, 1, H, W]` in [0, 1].
        public let images: Tensor
        /// The refined field `[B, H, W]` (modulus s per sample, the phase reference of the start).
        public let field: ComplexField
        /// ρ of the start x₀ and of the refined field.
        public let residualBefore: Double, residualAfter: Double
    }

    /// Refines `estimates` `[B, 1, H, W]` (values clipped to [0, 1] first) with `iterations` ≥ 1 steps of
    /// error reduction on `problem` (the CDPs the estimates were recovered from, and their masks).
    /// - Throws: `OpticsError` for a scene model with an amplitude (the object constraint |x| = s holds
    ///   only for pure-phase scenes), a shape that does not fit the problem, or `iterations` < 1.
    public static func refine(_ estimates: Tensor, problem: PhaseRetrievalProblem, sceneModel: SceneModel,
                              iterations: Int) throws -> Outcome {
        guard iterations >= 1 else { throw OpticsError("refinement needs at least 1 iteration, got \(iterations)") }
        guard sceneModel.isPurePhase else {
            throw OpticsError("refinement by error reduction assumes pure-phase scenes (|x| constant); the scene model is \(sceneModel)")
        }
        let op = problem.operator
        guard estimates.shape == [problem.batch, 1, op.height, op.width] else {
            throw OpticsError("estimates \(estimates.shape) do not fit CDPs of \(problem.batch) scenes of \(op.height)×\(op.width)")
        }
        var pure = sceneModel
        pure.backgroundOffset = 0
        let start = try pure.field(estimates.clipped(to: 0...1))
        let outcome = ClassicalRecovery.run(.errorReduction, problem, start: start, iterations: iterations)
        return Outcome(images: sceneModel.normalizedPhase(of: outcome.estimate), field: outcome.estimate,
                       residualBefore: outcome.residuals.first ?? 0, residualAfter: outcome.residuals.last ?? 0)
    }
}
