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
/// ‖g‖ to `tolerance` (relative). A wrong or missing gradient term fails at every ε. Parameters
/// whose gradient norm is below `zeroGradient` times the median over all parameters (e.g. a
/// convolution bias followed by batch norm) must instead leave f unchanged along a random unit
/// direction, to within `tolerance` times that median per unit step.
public func checkParameterGradients(_ parameters: [Parameter], epsilons: [Double] = [1e-2, 1e-3, 3e-4],
                                    tolerance: Double = 0.05, zeroGradient: Double = 1e-3, seed: UInt64 = 11,
                                    _ function: (Tape) -> Node) -> [String] {
    var rng = SeededGenerator(seed: seed)
    let r = Tensor.normal(function(Tape(recording: false)).value.shape, generator: &rng)
    func f() -> Double {
        let out = function(Tape(recording: false)).value
        var s = 0.0
        for i in 0..<out.count { s += Double(out.pointer[i]) * Double(r.pointer[i]) }
        return s
    }
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
        let numerics = epsilons.map { slope(p, direction, $0 * scale) }
        if !numerics.contains(where: { abs($0 - gNorm) <= tolerance * gNorm }) {
            failures.append("\(p.name): ‖g‖ = \(gNorm), central differences along g \(numerics)")
        }
    }
    return failures
}
