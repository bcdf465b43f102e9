import Foundation
import TensorCore

/// Classical phase retrieval from CDPs — the baselines `reconstruct --method er|hio|wf` sets beside
/// the learned recovery. Every method starts from a given estimate (the spectral initialization z*)
/// and uses the operator A of `CodedDiffractionOperator` (`y_ℓ = |A_ℓ x|²`, `AᴴA = L·I`).
///
/// Notation, per sample: a = √max(y, 0) the measured moduli, s = √(Σ_ℓk y_ℓk / (L·H·W)) the modulus
/// of a phase-only object with these CDPs (Parseval: Σ_k y_ℓk = ‖x‖² = s²·H·W for every ℓ).
/// - Measurement projection `P_M x = (1/L) Aᴴ Π(A x)`, with `Π(Z)_k = a_k · Z_k/|Z_k|` (a_k where
///   Z_k = 0): keep each detector pixel's phase, impose the measured modulus. A pixel marked saturated
///   is a lower bound: `Π(Z)_k = max(|Z_k|, a_k) · Z_k/|Z_k|`.
/// - Object projection `P_O x = s · x/|x|` (s where x = 0): the phase-only object constraint |x| = s.
/// - Residual `ρ(x) = ‖ |A x| − a ‖ / ‖a‖` over the batch (a saturated pixel counts only when |A x| < a).
public enum ClassicalRecovery {
    public enum Method: String, CaseIterable, Sendable {
        /// Error reduction (Gerchberg–Saxton / Fienup): `x ← P_O(P_M x)`. ρ does not increase.
        case errorReduction = "er"
        /// Hybrid input-output (Fienup 1982) in the projection form of Bauschke, Combettes and Luke
        /// (JOSA A 19, 2002), which for a support constraint is Fienup's rule (x' = P_M x on the support,
        /// x − βx' off it) and extends it to any object constraint:
        /// `x ← x + P_O((1 + β) P_M x − x) − β P_M x`. The iterate need not satisfy either constraint;
        /// the estimate is `P_O(P_M x)`.
        case hybridInputOutput = "hio"
        /// Wirtinger flow (Candès, Li and Soltanolkotabi, IEEE Trans. Inf. Theory 61, 2015): gradient
        /// descent on the intensity loss `f(z) = (N'/(2L)) Σ_ℓk (|A_ℓ z|²_k − y_ℓk)²` (N' = H'W'; the
        /// factor makes it the paper's (1/2m) Σ_r (|a_rᴴz|² − y_r)² for its unnormalized DFT), with
        /// `z ← z − (μ_τ/‖z₀‖²) ∂f/∂z̄`, `∂f/∂z̄ = (N'/L) Aᴴ[(|A z|² − y) ⊙ A z]` and the paper's
        /// schedule `μ_τ = min(1 − exp(−τ/τ₀), μ_max)`, τ = 1, 2, …, τ₀ = 330, μ_max = 0.2.
        /// Saturated pixels are left out of f.
        case wirtingerFlow = "wf"
    }

    /// HIO's feedback parameter β (Fienup's usual value).
    public static let defaultBeta = 0.9
    /// Wirtinger flow's step schedule.
    public static let wirtingerTau0 = 330.0, wirtingerMaxStep = 0.2

    /// The estimate `[B, H, W]` and `residuals`: ρ of the start, of the estimate after each iteration
    /// (`iterations + 1` values; the last is ρ of the estimate returned). For HIO the estimate of an
    /// iterate x is P_O(P_M x), one more application of A per iteration.
    public struct Outcome {
        public let estimate: ComplexField
        public let residuals: [Double]
    }

    /// Runs `method` for `iterations` steps from `start` `[B, H, W]`.
    public static func run(_ method: Method, _ problem: PhaseRetrievalProblem, start: ComplexField,
                           iterations: Int, beta: Double = defaultBeta) -> Outcome {
        precondition(start.shape == [problem.batch, problem.operator.height, problem.operator.width],
                     "start \(start.shape) does not fit the problem")
        var x = start.copy(), residuals: [Double] = []
        let z0 = (0..<problem.batch).map { problem.squaredNorm(of: x, sample: $0) }
        for step in 0..<max(iterations, 0) {
            switch method {
            case .errorReduction:
                let (pm, rho) = problem.measurementProjection(x)
                residuals.append(rho)
                x = problem.objectProjection(pm)
            case .hybridInputOutput:
                let pm = problem.measurementProjection(x).0
                residuals.append(step == 0 ? problem.residual(x) : problem.residual(problem.objectProjection(pm)))
                let reflected = combine(pm, Float(1 + beta), x, -1)
                x = combine(combine(x, 1, problem.objectProjection(reflected), 1), 1, pm, Float(-beta))
            case .wirtingerFlow:
                let (_, gradient, rho) = problem.intensityLoss(x)
                residuals.append(rho)
                let mu = min(1 - Foundation.exp(-Double(step + 1) / wirtingerTau0), wirtingerMaxStep)
                // The gradient is ∂f/∂Re + j ∂f/∂Im = 2 ∂f/∂z̄.
                x = problem.scaled(x, minus: gradient, by: z0.map { $0 > 0 ? Float(mu / (2 * $0)) : 0 })
            }
        }
        if method == .hybridInputOutput && iterations > 0 { x = problem.objectProjection(problem.measurementProjection(x).0) }
        residuals.append(problem.residual(x))
        return Outcome(estimate: x, residuals: residuals)
    }

    /// `α·u + β·v`.
    static func combine(_ u: ComplexField, _ alpha: Float, _ v: ComplexField, _ beta: Float) -> ComplexField {
        let out = ComplexField(uninitialized: u.shape)
        for k in 0..<(2 * u.count) { out.pointer[k] = alpha * u.pointer[k] + beta * v.pointer[k] }
        return out
    }
}
