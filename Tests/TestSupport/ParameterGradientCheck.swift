import Autodiff
import TensorCore

/// Finite-difference check of the gradients a whole model accumulates into its `Parameter`s.
///
/// `function` builds the model's output on the given tape, reading parameters through
/// `tape.variable`. As in `checkGradients` the output is reduced to `f = Σ out_i·r_i` with a fixed
/// random `r`.
///
/// Why this differs from `checkGradients`: a network is piecewise smooth (ReLU and max-pool kinks)
/// and, with batch statistics, every kink crossed anywhere moves f. Evaluated in Float32, f carries
/// a rounding noise of about 1e-6·|f|, so ε cannot be made small enough to avoid kinks along
/// arbitrary directions. Instead each parameter θ is moved along its own gradient g (the direction
/// with the largest signal, f(θ ± h·ĝ) − f ≈ ±h·‖g‖) by a relative step h = ε·max(‖θ‖, 1) for
/// each ε in `epsilons`; the check passes when, for some ε, the central difference agrees with
/// ‖g‖ to `tolerance` relative to max(‖g‖, `smallGradient` × the median ‖g‖ over all parameters):
/// the floor, and an allowance of the rounding noise of f divided by the step, keep parameters of
/// tiny gradient (whose f changes are at the Float32 noise level) from failing on rounding; such
/// parameters are checked only as far as Float32 resolves them. A wrong or missing gradient term of
/// a parameter that matters fails at every ε. Parameters
/// whose gradient norm is below `zeroGradient` times the median over all parameters (e.g. a
/// convolution bias followed by batch norm) must instead leave f unchanged along a random unit
/// direction, to within `tolerance` times that median per unit step.
public func checkParameterGradients(_ parameters: [Parameter], epsilons: [Double] = [1e-2, 1e-3, 3e-4],
                                    tolerance: Double = 0.05, zeroGradient: Double = 1e-3, smallGradient: Double = 0.05, seed: UInt64 = 11,
                                    _ function: (Tape) -> Node) -> [String] {
    var rng = SeededGenerator(seed: seed)
    let r = Tensor.normal(function(Tape(recording: false)).value.shape, generator: &rng)
    func f() -> Double {
        let out = function(Tape(recording: false)).value
        var s = 0.0
        for i in 0..<out.count { s += Double(out.pointer[i]) * Double(r.pointer[i]) }
        return s
    }
    // Rounding noise of f: a few Float32 ulps (u ≈ 6e-8) of every term, 1e-6 · Σ|out_i·r_i|.
    let base = function(Tape(recording: false)).value
    var magnitude = 0.0
    for i in 0..<base.count { magnitude += abs(Double(base.pointer[i]) * Double(r.pointer[i])) }
    let noise = 1e-6 * magnitude
    func norm(_ t: Tensor) -> Double {
        var s = 0.0
        for i in 0..<t.count { s += Double(t.pointer[i]) * Double(t.pointer[i]) }
        return s.squareRoot()
    }
    /// Central difference of f along the unit vector `direction` with step `h`.
    func slope(_ p: Parameter, _ direction: Tensor, _ h: Double) -> Double {
        let original = p.value.copy()
        p.value.accumulate(direction, scale: Float(h))
        let plus = f()
        p.value.assign(original)
        p.value.accumulate(direction, scale: Float(-h))
        let minus = f()
        p.value.assign(original)
        return (plus - minus) / (2 * h)
    }
    for p in parameters { p.zeroGradient() }
    let tape = Tape()
    tape.backward(from: function(tape), seed: r)
    tape.reset()
    var failures: [String] = []
    let norms = parameters.map { norm($0.gradient) }.sorted()
    let typical = norms.isEmpty ? 0 : norms[norms.count / 2]
    for p in parameters {
        let g = p.gradient.copy(), gNorm = norm(g), scale = max(norm(p.value), 1)
        if gNorm < zeroGradient * typical {
            let v = Tensor.normal(p.shape, generator: &rng)
            v.accumulate(v, scale: Float(1 / norm(v)) - 1)
            let numeric = slope(p, v, epsilons[0] * scale)
            if abs(numeric) > tolerance * typical {
                failures.append("\(p.name): gradient \(gNorm) but f changes at \(numeric) per unit step")
            }
            continue
        }
        let direction = g.copy()
        direction.accumulate(direction, scale: Float(1 / gNorm) - 1)
        let steps = epsilons.map { $0 * scale }
        let numerics = steps.map { slope(p, direction, $0) }
        let allowed = steps.map { tolerance * max(gNorm, smallGradient * typical) + noise / $0 }
        if !zip(numerics, allowed).contains(where: { abs($0 - gNorm) <= $1 }) {
            failures.append("\(p.name): ‖g‖ = \(gNorm), central differences along g \(numerics)")
        }
    }
    return failures
}
