import Autodiff
import Foundation
import TensorCore

/// The mask regularizer R(φ) of Eq. (4), built from the same `PhaseConstraints` the quantizer uses, so
/// training pulls the masks toward exactly the phases fabrication will produce. Phases in radians;
/// R is dimensionless and averaged over all n = L·H·W mask pixels.
///
/// **Uniform levels** (`levelPhases == nil`, levels `2πk/K`):
///
///     R(φ) = mean(1 − cos(Kφ)) + strokeWeight · mean((K²/2) · d_s(φ)²)     (second term only if stroke < 2π)
///
/// The first term is smooth, 2π-periodic, ≥ 0 and zero exactly at `φ = 2πk/K`. The second penalizes
/// phases the device cannot produce: with `ψ = wrap(φ) ∈ [0, 2π)` and stroke s,
/// `d_s = 0` for `ψ ≤ s`, else `min(ψ − s, 2π − ψ)` — the distance along the circle to the reachable
/// arc [0, s]. `d_s²` is continuously differentiable wherever it matters: it is flat (value and slope
/// 0) on the reachable arc, its slope is 0 from both sides at the arc ends s and 2π ≡ 0, and wrapping
/// causes no jump because 0 and 2π both lie on the reachable arc. Its only kink is at the middle of
/// the unreachable arc `(s + 2π)/2`, a maximum of the penalty where the one-sided gradient still
/// points to a nearest end; minimizers never sit there. The factor K²/2 matches the curvature of
/// `1 − cos(Kd) ≈ K²d²/2` near a level, so both terms have the same scale.
///
/// **Measured, non-uniform levels** (`levelPhases` given): `R(φ) = mean((K²/2) · d_L(φ)²)` with d_L the
/// circular distance from wrap(φ) to the nearest listed level. This is the same smooth quadratic well
/// around every level (zero exactly at the measured phases, same curvature as the uniform penalty),
/// with kinks only at the midpoints between neighbouring levels (maxima). All listed levels lie within
/// the stroke, so no separate stroke term is needed: unreachable phases are far from every level.
public struct PhaseRegularizer: Equatable, Sendable {
    public let constraints: PhaseConstraints
    /// Weight of the stroke term relative to the quantization term (uniform levels, stroke < 2π).
    public let strokeWeight: Float

    public init(constraints: PhaseConstraints, strokeWeight: Float = 1) {
        self.constraints = constraints
        self.strokeWeight = strokeWeight
    }

    /// R(φ) as a scalar `[1]` on the tape, for masks of any shape (normally `[L, H, W]`).
    /// Backward: `ḡφ_i += ḡ · R'(φ_i) / n`, with `R' = K sin(Kφ) + strokeWeight·K²·δ_s` (uniform) or
    /// `K²·δ_L` (measured), δ the signed circular offset from the nearest reachable point.
    public func callAsFunction(_ phi: Variable) -> Variable {
        let n = phi.value.count
        var total = 0.0
        let slope = Tensor(uninitialized: phi.shape)
        for i in 0..<n {
            let (value, derivative) = penalty(Double(phi.value.pointer[i]))
            total += value
            slope.pointer[i] = Float(derivative / Double(n))
        }
        let out = Tensor([Float(total / Double(max(n, 1)))], shape: [1])
        let node = phi.tape.record(out, op: OpticsOp.regularizer, inputs: [phi.node]) { g, inputs in
            inputs[0].gradient?.accumulate(slope, scale: g.pointer[0])
        }
        return Variable(node: node, tape: phi.tape)
    }

    /// R(φ) without a tape.
    public func value(_ phi: Tensor) -> Double {
        var total = 0.0
        for i in 0..<phi.count { total += penalty(Double(phi.pointer[i])).value }
        return total / Double(max(phi.count, 1))
    }

    /// Per-pixel penalty and its derivative with respect to φ.
    func penalty(_ phi: Double) -> (value: Double, derivative: Double) {
        let k = Double(constraints.levels), curvature = k * k / 2
        let psi = wrapPhase(phi)
        if let levels = constraints.levelPhases {
            let delta = nearestLevelOffset(psi, levels)
            return (curvature * delta * delta, 2 * curvature * delta)
        }
        var value = 1 - cos(k * phi), derivative = k * sin(k * phi)
        if constraints.stroke < 2 * Double.pi, psi > constraints.stroke {
            let above = psi - constraints.stroke, below = 2 * Double.pi - psi
            let delta = above <= below ? above : -below
            let w = Double(strokeWeight)
            value += w * curvature * delta * delta
            derivative += w * 2 * curvature * delta
        }
        return (value, derivative)
    }
}

/// Signed circular offset `ψ − level` (in (−π, π]) to the nearest of `levels` (all in [0, 2π)).
func nearestLevelOffset(_ psi: Double, _ levels: [Double]) -> Double {
    var best = Double.infinity
    for level in levels {
        var d = psi - level
        d -= 2 * Double.pi * (d / (2 * Double.pi)).rounded()
        if abs(d) < abs(best) { best = d }
    }
    return best
}
