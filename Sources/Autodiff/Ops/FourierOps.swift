import Foundation
import TensorCore

// Fourier-optics ops: orthonormal 2-D DFTs and phase modulation by coded masks.

/// Orthonormal 2-D DFT `F z` of every `[H, W]` slice of a field `[..., H, W]` (convention in
/// `TensorCore/FFT.swift`). F is unitary, so the pullback is `ḡz += Fᴴ ḡ` (the inverse transform).
public func fft2(_ z: ComplexVariable) -> ComplexVariable { fourier(z, forward: true, op: .fft2) }

/// Orthonormal inverse 2-D DFT `Fᴴ z` of every `[H, W]` slice. Pullback: `ḡz += F ḡ`.
public func ifft2(_ z: ComplexVariable) -> ComplexVariable { fourier(z, forward: false, op: .ifft2) }

private func fourier(_ z: ComplexVariable, forward: Bool, op: AutodiffOp) -> ComplexVariable {
    precondition(z.shape.count >= 2, "FFT2 needs [..., H, W], got \(z.shape)")
    let out = ComplexField(uninitialized: z.shape)
    if forward { FFT.forward(z.field, into: out) } else { FFT.inverse(z.field, into: out) }
    let node = z.tape.record(out.storage, op: op, inputs: [z.node], readsInputValues: false) { gOut, inputs in
        guard let gz = inputs[0].gradient else { return }
        let g = ComplexField(storage: gOut)
        let back = ComplexField(uninitialized: g.shape)
        if forward { FFT.inverse(g, into: back) } else { FFT.forward(g, into: back) }
        gz.accumulate(back.storage)
    }
    return ComplexVariable(node: node, tape: z.tape)
}

/// Unit-modulus masks `m_ℓ = exp(jφ_ℓ)` of a phase tensor `[L, H, W]` (radians), as a complex field.
public func phasorTable(_ phase: Tensor) -> ComplexField {
    let m = ComplexField(uninitialized: phase.shape)
    let p = phase.pointer, q = m.pointer
    for k in 0..<phase.count {
        q[2 * k] = Foundation.cos(p[k])
        q[2 * k + 1] = Foundation.sin(p[k])
    }
    return m
}

/// Phase modulation of a batch of fields by L coded masks:
/// `out[b, ℓ, i, j] = exp(j·φ[ℓ, i, j]) · x[b, i, j]`.
///
/// Shapes: `phase` `[L, H, W]` (radians, real), `field` `[B, H, W]` (complex), output `[B, L, H, W]`.
/// Backward, with `ḡ` the output gradient:
/// - `ḡx[b] += Σ_ℓ exp(−jφ_ℓ) ⊙ ḡ[b, ℓ]` (the adjoint of the modulation);
/// - `ḡφ[ℓ] += Σ_b Im(ḡ[b, ℓ] ⊙ conj(out[b, ℓ]))`, from `∂out/∂φ = j·out` and `dL = Re(conj(ḡ)·dout)`.
public func modulate(phase: Variable, field: ComplexVariable) -> ComplexVariable {
    precondition(phase.shape.count == 3 && field.shape.count == 3 && phase.shape[1...] == field.shape[1...],
                 "modulate: phase \(phase.shape) must be [L, H, W] and field \(field.shape) [B, H, W]")
    let l = phase.shape[0], b = field.shape[0], n = phase.shape[1] * phase.shape[2]
    let masks = phasorTable(phase.value)
    let out = Tensor(uninitialized: [b, l, phase.shape[1], phase.shape[2], 2])
    let pm = masks.pointer, px = field.node.value.pointer, po = out.pointer
    for s in 0..<b {
        for c in 0..<l {
            let m = pm + 2 * c * n, x = px + 2 * s * n, o = po + 2 * (s * l + c) * n
            for k in 0..<n {
                o[2 * k] = m[2 * k] * x[2 * k] - m[2 * k + 1] * x[2 * k + 1]
                o[2 * k + 1] = m[2 * k] * x[2 * k + 1] + m[2 * k + 1] * x[2 * k]
            }
        }
    }
    let node = field.tape.record(out, op: AutodiffOp.modulate, inputs: [phase.node, field.node]) { gOut, inputs in
        let g = gOut.pointer, pm = masks.pointer, po = out.pointer
        if let gx = inputs[1].gradient?.pointer {
            for s in 0..<b {
                for c in 0..<l {
                    let m = pm + 2 * c * n, gs = g + 2 * (s * l + c) * n, dst = gx + 2 * s * n
                    for k in 0..<n {   // conj(m)·ḡ
                        dst[2 * k] += m[2 * k] * gs[2 * k] + m[2 * k + 1] * gs[2 * k + 1]
                        dst[2 * k + 1] += m[2 * k] * gs[2 * k + 1] - m[2 * k + 1] * gs[2 * k]
                    }
                }
            }
        }
        if let gp = inputs[0].gradient?.pointer {
            for s in 0..<b {
                for c in 0..<l {
                    let gs = g + 2 * (s * l + c) * n, os = po + 2 * (s * l + c) * n, dst = gp + c * n
                    for k in 0..<n { dst[k] += gs[2 * k + 1] * os[2 * k] - gs[2 * k] * os[2 * k + 1] }
                }
            }
        }
    }
    return ComplexVariable(node: node, tape: field.tape)
}
