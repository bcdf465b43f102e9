import Autodiff
import Foundation
import TensorCore

extension MaskError {
    /// φ' = φ + Δ(φ) on the tape (`OpticsOp.maskError`; `MaskError` has Δ), for φ `[L, H, W]`.
    ///
    /// Backward, the derivative of φ' almost everywhere (wrap(φ) has slope 1 between its jumps, and
    /// the layers' bits are constant between level boundaries):
    /// - `depthScale(s)`: ∂L/∂φ = s·ḡ;
    /// - `layerDepth`, `misalignment`: ∂L/∂φ = ḡ (Δ is piecewise constant in φ);
    /// - `crosstalk(σ)`: ∂L/∂φ = K∗ḡ (the symmetric kernel with zero padding is its own adjoint);
    /// - `lutGamma(γ)`: ∂L/∂φ = γ·x^(γ−1)·ḡ, x = wrap(φ)/2π, taken at x = 10⁻⁶ below that (where the
    ///   slope of γ < 1 has no finite value).
    /// An identity realization returns `phi` itself (nothing recorded).
    public func applied(to phi: Variable, layers: BinaryLayers? = nil) throws -> Variable {
        if isIdentity { return phi }
        let out = try applied(to: phi.value, layers: layers)
        let error = self
        let node = phi.tape.record(out, op: OpticsOp.maskError, inputs: [phi.node]) { g, inputs in
            guard let gx = inputs[0].gradient else { return }
            error.pullback(g, phi: inputs[0].value, into: gx)
        }
        return Variable(node: node, tape: phi.tape)
    }

    /// Adds the vector–Jacobian product of ḡ = `g` at `phi` into `gx` (see `applied(to:layers:)`).
    func pullback(_ g: Tensor, phi: Tensor, into gx: Tensor) {
        switch self {
        case .layerDepth, .misalignment:
            gx.accumulate(g)
        case .depthScale(let s):
            gx.accumulate(g, scale: Float(s))
        case .crosstalk(let sigma):
            let spread = Self.blur((0..<g.count).map { Double(g.pointer[$0]) }, shape: g.shape,
                                   kernel: Self.fringingKernel(sigma: sigma))
            for i in 0..<g.count { gx.pointer[i] += Float(spread[i]) }
        case .lutGamma(let gamma):
            for i in 0..<g.count {
                let x = max(wrapPhase(Double(phi.pointer[i])) / (2 * Double.pi), 1e-6)
                gx.pointer[i] += Float(gamma * pow(x, gamma - 1)) * g.pointer[i]
            }
        }
    }
}
