import Foundation
import TensorCore

/// CDPs to invert, with the operator that made them: the projections, residual and loss the classical
/// recoveries (`ClassicalRecovery`, whose documentation defines a, s, P_M, P_O and ρ) are built from.
public struct PhaseRetrievalProblem {
    public let `operator`: CodedDiffractionOperator
    /// y `[B, L, H', W']`, units of |x|².
    public let measurements: Tensor
    /// `[B, L, H', W']`, 1 where the pixel is saturated (its value a lower bound), or nil: none.
    public let saturated: [UInt8]?
    /// a = √max(y, 0), flat in y's order.
    let moduli: [Float]
    /// s per sample.
    public let modulus: [Float]

    public init(measurements y: Tensor, operator a: CodedDiffractionOperator, saturated: [UInt8]? = nil) throws {
        guard y.rank == 4, y.shape[1] == a.snapshots, y.shape[2] == a.detectorHeight, y.shape[3] == a.detectorWidth else {
            throw OpticsError("CDPs \(y.shape) do not fit \(a.snapshots) masks of \(a.height)×\(a.width) at "
                              + (a.propagation == .farField ? "oversampling \(a.oversampling)" : "padding \(a.oversampling)")
                              + ": expected [B, \(a.snapshots), \(a.detectorHeight), \(a.detectorWidth)]")
        }
        if let saturated, saturated.count != y.count {
            throw OpticsError("\(saturated.count) saturation flags for \(y.count) CDP values")
        }
        (measurements, self.operator, self.saturated) = (y, a, saturated)
        moduli = y.buffer.map { Float(max($0, 0)).squareRoot() }
        let perSample = y.count / max(y.shape[0], 1), pixels = Double(a.snapshots * a.height * a.width)
        modulus = (0..<y.shape[0]).map { b in
            Float((max(0, y.buffer[(b * perSample)..<((b + 1) * perSample)].reduce(0.0) { $0 + Double($1) }) / pixels).squareRoot())
        }
    }

    public var batch: Int { measurements.shape[0] }

    func isSaturated(_ k: Int) -> Bool { saturated.map { $0[k] != 0 } ?? false }

    /// `(P_M x, ρ(x))`.
    public func measurementProjection(_ x: ComplexField) -> (ComplexField, Double) {
        let z = `operator`.apply(x)
        let rho = residual(of: z)
        for k in 0..<z.count {
            let (re, im) = z[k]
            let magnitude = (re * re + im * im).squareRoot()
            let target = isSaturated(k) ? max(magnitude, moduli[k]) : moduli[k]
            z[k] = magnitude > 0 ? (re * target / magnitude, im * target / magnitude) : (target, 0)
        }
        let out = `operator`.adjoint(z)
        let inverseL = 1 / Float(`operator`.snapshots)
        for k in 0..<(2 * out.count) { out.pointer[k] *= inverseL }
        return (out, rho)
    }

    /// `P_O x`: every pixel of sample b set to modulus s_b, its phase kept.
    public func objectProjection(_ x: ComplexField) -> ComplexField {
        let out = ComplexField(uninitialized: x.shape)
        let n = x.count / max(batch, 1)
        for k in 0..<x.count {
            let (re, im) = x[k], s = modulus[k / n]
            let magnitude = (re * re + im * im).squareRoot()
            out[k] = magnitude > 0 ? (re * s / magnitude, im * s / magnitude) : (s, 0)
        }
        return out
    }

    /// ρ(x) = ‖ |A x| − a ‖ / ‖a‖ over the batch.
    public func residual(_ x: ComplexField) -> Double { residual(of: `operator`.apply(x)) }

    func residual(of z: ComplexField) -> Double {
        var misfit = 0.0, total = 0.0
        for k in 0..<z.count {
            let (re, im) = z[k]
            var d = Double((re * re + im * im).squareRoot()) - Double(moduli[k])
            if isSaturated(k) { d = min(d, 0) }
            misfit += d * d
            total += Double(moduli[k]) * Double(moduli[k])
        }
        return total > 0 ? (misfit / total).squareRoot() : 0
    }

    /// The intensity loss `f(z) = (N'/(2L)) Σ (|A z|² − y)²` over the batch and the unsaturated pixels,
    /// its gradient `∂f/∂Re z + j ∂f/∂Im z = (2N'/L) Aᴴ[(|A z|² − y) ⊙ A z]` `[B, H, W]` (the project's
    /// convention: twice the Wirtinger derivative ∂f/∂z̄), and ρ(z).
    public func intensityLoss(_ x: ComplexField) -> (loss: Double, gradient: ComplexField, residual: Double) {
        let z = `operator`.apply(x)
        let rho = residual(of: z)
        let n = Double(`operator`.detectorHeight * `operator`.detectorWidth), l = Double(`operator`.snapshots)
        var loss = 0.0
        let factor = Float(2 * n / l)
        for k in 0..<z.count {
            let (re, im) = z[k]
            let e = isSaturated(k) ? 0 : re * re + im * im - measurements.pointer[k]
            loss += Double(e) * Double(e)
            z[k] = (factor * e * re, factor * e * im)
        }
        return (loss * n / (2 * l), `operator`.adjoint(z), rho)
    }

    /// ‖x_b‖².
    func squaredNorm(of x: ComplexField, sample b: Int) -> Double {
        let n = x.count / max(batch, 1)
        var s = 0.0
        for k in (2 * b * n)..<(2 * (b + 1) * n) { s += Double(x.pointer[k]) * Double(x.pointer[k]) }
        return s
    }

    /// `x_b − c_b · g_b` per sample.
    func scaled(_ x: ComplexField, minus g: ComplexField, by c: [Float]) -> ComplexField {
        let out = ComplexField(uninitialized: x.shape)
        let n = 2 * x.count / max(batch, 1)
        for k in 0..<(2 * x.count) { out.pointer[k] = x.pointer[k] - c[k / n] * g.pointer[k] }
        return out
    }
}
