import Foundation
import Optics
import TensorCore

// Plain-loop references for the optics kernels: explicit modulation, padding, O(n²) DFTs.

/// The propagation T of every `[M_h, M_w]` slice of `u` `[N, M_h, M_w]` with O(n²) DFTs: F in the far
/// field, `F⁻¹ (H ⊙ F u)` in the near field (H from `Propagation.transferFunction`).
public func naivePropagate(_ u: ComplexField, _ propagation: Propagation) -> ComplexField {
    let spectrum = naiveDFT2(u, sign: -1)
    guard let h = propagation.transferFunction(height: u.shape[1], width: u.shape[2]) else { return spectrum }
    return naiveDFT2(naiveMultiply(spectrum, by: h, conjugate: false), sign: 1)
}

/// Tᴴ of `naivePropagate`, written out: Fᴴ in the far field, `F⁻¹ (H̄ ⊙ F v)` in the near field.
public func naivePropagateAdjoint(_ v: ComplexField, _ propagation: Propagation) -> ComplexField {
    guard let h = propagation.transferFunction(height: v.shape[1], width: v.shape[2]) else { return naiveDFT2(v, sign: 1) }
    return naiveDFT2(naiveMultiply(naiveDFT2(v, sign: -1), by: h, conjugate: true), sign: 1)
}

/// `u ⊙ h` (or `u ⊙ conj(h)`) for every `[M_h, M_w]` slice of `u`, with `h` `[M_h, M_w]`.
func naiveMultiply(_ u: ComplexField, by h: ComplexField, conjugate: Bool) -> ComplexField {
    let out = ComplexField(uninitialized: u.shape), m = h.count, sign: Float = conjugate ? -1 : 1
    for k in 0..<u.count {
        let (ur, ui) = u[k], (hr, hi) = h[k % m]
        out[k] = (hr * ur - sign * hi * ui, hr * ui + sign * hi * ur)
    }
    return out
}

/// Centred zero-padding of each `[H, W]` slice of `z` `[N, H, W]` to `[N, fH, fW]`; the scene starts at
/// row ⌊(fH − H)/2⌋ and column ⌊(fW − W)/2⌋.
public func naivePad(_ z: ComplexField, factor: Int) -> ComplexField {
    let (n, h, w) = (z.shape[0], z.shape[1], z.shape[2])
    let (ph, pw) = (factor * h, factor * w), (top, left) = ((factor * h - h) / 2, (factor * w - w) / 2)
    let out = ComplexField(zeros: [n, ph, pw])
    for s in 0..<n { for i in 0..<h { for j in 0..<w { out[(s * ph + top + i) * pw + left + j] = z[(s * h + i) * w + j] } } }
    return out
}

/// The inverse window of `naivePad`: crops `[N, fH, fW]` back to `[N, H, W]`.
public func naiveCrop(_ z: ComplexField, height h: Int, width w: Int) -> ComplexField {
    let (n, ph, pw) = (z.shape[0], z.shape[1], z.shape[2])
    let (top, left) = ((ph - h) / 2, (pw - w) / 2)
    let out = ComplexField(zeros: [n, h, w])
    for s in 0..<n { for i in 0..<h { for j in 0..<w { out[(s * h + i) * w + j] = z[(s * ph + top + i) * pw + left + j] } } }
    return out
}

/// `[B, L, H, W]` fields `exp(±jφ_ℓ) ⊙ x_b` (sign +1 modulates, −1 demodulates).
func naiveModulate(_ x: ComplexField, masks: Tensor, sign: Float) -> ComplexField {
    let (b, l, n) = (x.shape[0], masks.shape[0], masks.shape[1] * masks.shape[2])
    let out = ComplexField(uninitialized: [b, l, masks.shape[1], masks.shape[2]])
    for s in 0..<b {
        for c in 0..<l {
            for k in 0..<n {
                let p = masks.pointer[c * n + k], (xr, xi) = x[s * n + k]
                let (mr, mi) = (cos(p), sign * sin(p))
                out[(s * l + c) * n + k] = (mr * xr - mi * xi, mr * xi + mi * xr)
            }
        }
    }
    return out
}

/// Reference CDPs `y[b, ℓ] = |T P (exp(jφ_ℓ) ⊙ x_b)|²` (T = F in the far field), `[B, L, fH, fW]`.
public func naiveCDP(_ x: ComplexField, masks: Tensor, oversampling f: Int,
                     propagation: Propagation = .farField) -> Tensor {
    let (b, l, h, w) = (x.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(x, masks: masks, sign: 1)
    let spectra = naivePropagate(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), propagation)
    let y = Tensor(uninitialized: [b, l, f * h, f * w])
    for k in 0..<y.count { y.pointer[k] = spectra[k].re * spectra[k].re + spectra[k].im * spectra[k].im }
    return y
}

/// Reference `Γz = (1/L) Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Tᴴ (w_ℓ ⊙ T P (exp(jφ_ℓ) ⊙ z))` per sample (T = F in the
/// far field), `[B, H, W]`.
public func naiveGamma(_ z: ComplexField, masks: Tensor, weights: Tensor, oversampling f: Int,
                       propagation: Propagation = .farField) -> ComplexField {
    let (b, l, h, w) = (z.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(z, masks: masks, sign: 1)
    let spectra = naivePropagate(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), propagation)
    for k in 0..<spectra.count {
        let (re, im) = spectra[k]
        spectra[k] = (re * weights.pointer[k], im * weights.pointer[k])
    }
    let back = naiveCrop(naivePropagateAdjoint(spectra, propagation), height: h, width: w)
    let demodulated = ComplexField(zeros: [b, h, w])
    let n = h * w
    for s in 0..<b {
        for c in 0..<l {
            for k in 0..<n {
                let p = masks.pointer[c * n + k], (ur, ui) = back[(s * l + c) * n + k]
                let (acc, mr, mi) = (demodulated[s * n + k], cos(p), -sin(p))
                demodulated[s * n + k] = (acc.re + (mr * ur - mi * ui) / Float(l), acc.im + (mr * ui + mi * ur) / Float(l))
            }
        }
    }
    return demodulated
}

/// Reference coded fields `Z[b, ℓ] = T P (exp(jφ_ℓ) ⊙ x_b)` (T = F in the far field), `[B, L, fH, fW]`
/// (the operator A of `CodedDiffractionOperator`).
public func naiveCodedField(_ x: ComplexField, masks: Tensor, oversampling f: Int,
                            propagation: Propagation = .farField) -> ComplexField {
    let (b, l, h, w) = (x.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(x, masks: masks, sign: 1)
    let spectra = naivePropagate(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), propagation)
    return ComplexField(storage: spectra.storage.reshaped([b, l, f * h, f * w, 2]))
}

/// Reference adjoint `Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Tᴴ Z[b, ℓ]`, `[B, H, W]`, written out independently of
/// `naiveCodedField` (adjoint propagation, crop, demodulate, sum over snapshots).
public func naiveCodedAdjoint(_ z: ComplexField, masks: Tensor, propagation: Propagation = .farField) -> ComplexField {
    let (b, l, h, w) = (z.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let back = naiveCrop(naivePropagateAdjoint(ComplexField(storage: z.storage.reshaped([b * l, z.shape[2], z.shape[3], 2])),
                                               propagation), height: h, width: w)
    let out = ComplexField(zeros: [b, h, w])
    let n = h * w
    for s in 0..<b {
        for c in 0..<l {
            for k in 0..<n {
                let p = masks.pointer[c * n + k], (ur, ui) = back[(s * l + c) * n + k], acc = out[s * n + k]
                out[s * n + k] = (acc.re + cos(p) * ur + sin(p) * ui, acc.im + cos(p) * ui - sin(p) * ur)
            }
        }
    }
    return out
}
