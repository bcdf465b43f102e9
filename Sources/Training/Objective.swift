import Autodiff
import Optics
import TensorCore

/// The training objective of each mode, with every term normalized per element.
///
/// - `L_task = mean_{q,i} (D_θ(z_q)_i − I_{q,i})²` (eq. 3 divided by the number of pixels).
/// - `R(φ)`: `PhaseRegularizer` built from the run's `PhaseConstraints` (mean over mask pixels).
/// - `L_cdp = mean_{q,i} (mean_ℓ y_t[q,ℓ,i] − mean_ℓ y_s[q,ℓ,i])²` (eq. 5 per pixel). CDP values are in
///   units of |x|² per pixel; with pure-phase scenes their mean is 1.
/// - `L_feat = mean_{q,j} (b_t[q,j] − b_s[q,j])²` over the bottleneck elements (eq. 6 per element).
///
/// Teacher, e2e and random: `α·L_task + ρ·R(φ)` (eq. 4). Student: `α·L_task + ρ·R(φ) + β·L_cdp +
/// σ·L_feat` with `σ = 1 − α − β` (eq. 7); `useCDPLoss`/`useFeatureLoss` switch the KD terms off.
/// With `kdNormalization == .energy` each KD term is divided by its target's mean energy over the batch,
/// `L_cdp / mean(mean_ℓ y_t)²` and `L_feat / mean(b_t²)` (constants: no gradient flows through them).
public struct Objective {
    public let config: TrainingConfig
    public let regularizer: PhaseRegularizer

    public init(config: TrainingConfig) throws {
        self.config = config
        regularizer = PhaseRegularizer(constraints: try config.phaseConstraints())
    }

    /// Values of the individual terms for progress and logs.
    public struct Terms {
        public var task = 0.0, regularizer = 0.0, cdp = 0.0, feature = 0.0, total = 0.0

        public var named: [(String, Double)] {
            var t = [("loss", total), ("task", task)]
            if regularizer != 0 { t.append(("R", regularizer)) }
            if cdp != 0 { t.append(("cdp", cdp)) }
            if feature != 0 { t.append(("feat", feature)) }
            return t
        }
    }

    /// The teacher's outputs that the student is pulled toward (computed without a tape).
    public struct TeacherTargets {
        /// `mean_ℓ y_t` `[B, N, N]`.
        public let meanCDP: Tensor
        /// Teacher bottleneck `[B, C, n, n]`.
        public let bottleneck: Tensor
    }

    /// The scalar loss on the tape and its terms. `meanEnergy` gives `mean(t²)` of a KD target for the
    /// energy normalization (default: over `t` itself; data-parallel training: over the global batch).
    public func loss(_ output: PhaseRetrievalSystem.Output, images: Tensor, masks: Variable,
                     teacher: TeacherTargets?, meanEnergy: (Tensor) -> Double = Objective.meanEnergy) -> (Variable, Terms) {
        let tape = output.estimate.tape
        var terms = Terms()
        let task = meanSquaredError(output.estimate, tape.constant(images))
        terms.task = Double(task.value.pointer[0])
        var total = Float(config.alpha) * task
        if config.rho > 0 {
            let r = regularizer(masks)
            terms.regularizer = Double(r.value.pointer[0])
            total = total + Float(config.rho) * r
        }
        if config.mode == .student, let teacher {
            if config.useCDPLoss && config.beta > 0 {
                let cdp = normalized(meanSquaredError(meanOverSnapshots(output.measurements),
                                                      tape.constant(teacher.meanCDP)), by: teacher.meanCDP, meanEnergy)
                terms.cdp = Double(cdp.value.pointer[0])
                total = total + Float(config.beta) * cdp
            }
            if config.useFeatureLoss && config.sigma > 0 {
                let feat = normalized(meanSquaredError(output.bottleneck, tape.constant(teacher.bottleneck)),
                                      by: teacher.bottleneck, meanEnergy)
                terms.feature = Double(feat.value.pointer[0])
                total = total + Float(config.sigma) * feat
            }
        }
        terms.total = Double(total.value.pointer[0])
        return (total, terms)
    }

    /// A KD term with target `t` as trained: unchanged, or `term / mean(t²)` under `.energy` (unchanged
    /// for an all-zero target).
    func normalized(_ term: Variable, by target: Tensor, _ meanEnergy: (Tensor) -> Double = Objective.meanEnergy) -> Variable {
        guard config.kdNormalization == .energy else { return term }
        let energy = meanEnergy(target)
        return energy > 0 ? Float(1 / energy) * term : term
    }

    /// `mean(t²)`, accumulated in double precision.
    public static func meanEnergy(_ target: Tensor) -> Double {
        energy(target) / Double(max(target.count, 1))
    }

    /// `Σ t²`, accumulated in double precision.
    static func energy(_ target: Tensor) -> Double {
        var energy = 0.0
        for i in 0..<target.count { energy += Double(target.pointer[i]) * Double(target.pointer[i]) }
        return energy
    }
}
