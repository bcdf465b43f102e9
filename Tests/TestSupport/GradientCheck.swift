import Autodiff
import TensorCore

/// Finite-difference verification of tape gradients.
///
/// The function under test maps input tensors to an output node of any shape. It is reduced to the
/// scalar `f(x) = Σ_i out_i · r_i` with a fixed random projection `r`, and the tape gradient
/// (seeded with `r`) is compared with the central difference `(f(x + εv) − f(x − εv)) / 2ε` along
/// random Gaussian directions `v` and along single coordinates.
///
/// Tolerance: kernels run in Float32 (unit roundoff u ≈ 6e-8). The central difference has truncation
/// error O(ε²·f‴) and rounding error O(u·|f|/ε); with inputs of order 1 and ε = 1e-2 both stay below
/// about 1e-4 relative, so a relative tolerance of 1e-2 leaves a wide margin while a wrong gradient
/// (a missing term or factor) is off by O(1). Projections are accumulated in Double.
public struct GradientCheckFailure: CustomStringConvertible {
    public let input: Int
    public let direction: String
    public let analytic: Double
    public let numeric: Double
    public var description: String {
        "input \(input) along \(direction): analytic \(analytic) vs numeric \(numeric)"
    }
}

public func checkGradients(inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Double = 1e-2,
                           directions: Int = 3, coordinates: Int = 6, seed: UInt64 = 7,
                           wrt: Set<Int>? = nil,
                           _ function: (Tape, [Variable]) -> Node) -> [GradientCheckFailure] {
    var rng = SeededGenerator(seed: seed)
    let base = inputs.map { $0.copy() }

    func evaluate(_ xs: [Tensor], projection: Tensor?) -> (value: Tensor, projected: Double) {
        let tape = Tape(recording: false)
        let out = function(tape, xs.map { tape.constant($0) })
        var s = 0.0
        if let r = projection {
            for i in 0..<out.value.count { s += Double(out.value.pointer[i]) * Double(r.pointer[i]) }
        }
        return (out.value.copy(), s)
    }

    // Analytic gradients.
    let probe = evaluate(base, projection: nil).value
    let r = Tensor.normal(probe.shape, generator: &rng)
    let tape = Tape()
    let leaves = base.map { tape.leaf($0) }
    let out = function(tape, leaves)
    tape.backward(from: out, seed: r)
    let grads = leaves.map { $0.gradient ?? Tensor(zeros: $0.shape) }

    var failures: [GradientCheckFailure] = []
    for (k, x) in base.enumerated() where wrt?.contains(k) ?? true {
        var probes: [(String, Tensor)] = []
        for d in 0..<directions { probes.append(("random direction \(d)", Tensor.normal(x.shape, generator: &rng))) }
        for _ in 0..<min(coordinates, x.count) {
            let i = Int(rng.next() % UInt64(x.count))
            let v = Tensor(zeros: x.shape)
            v.pointer[i] = 1
            probes.append(("coordinate \(i)", v))
        }
        var gradNorm = 0.0
        for i in 0..<x.count { gradNorm += Double(grads[k].pointer[i] * grads[k].pointer[i]) }
        gradNorm = gradNorm.squareRoot()
        for (label, v) in probes {
            var analytic = 0.0, vNorm = 0.0
            for i in 0..<x.count {
                analytic += Double(grads[k].pointer[i]) * Double(v.pointer[i])
                vNorm += Double(v.pointer[i] * v.pointer[i])
            }
            let plus = base.map { $0.copy() }, minus = base.map { $0.copy() }
            plus[k].accumulate(v, scale: epsilon)
            minus[k].accumulate(v, scale: -epsilon)
            let numeric = (evaluate(plus, projection: r).projected - evaluate(minus, projection: r).projected)
                / (2 * Double(epsilon))
            let floor = 1e-3 * gradNorm * vNorm.squareRoot() + 1e-6
            if abs(analytic - numeric) > tolerance * max(abs(analytic), abs(numeric), floor) {
                failures.append(GradientCheckFailure(input: k, direction: label, analytic: analytic, numeric: numeric))
            }
        }
    }
    return failures
}
