import Foundation
import TensorCore

// Plain-loop references for the optics kernels: explicit modulation, padding, O(n²) DFTs.

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

/// Reference CDPs `y[b, ℓ] = |F P (exp(jφ_ℓ) ⊙ x_b)|²`, `[B, L, fH, fW]`.
public func naiveCDP(_ x: ComplexField, masks: Tensor, oversampling f: Int) -> Tensor {
    let (b, l, h, w) = (x.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(x, masks: masks, sign: 1)
    let spectra = naiveDFT2(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), sign: -1)
    let y = Tensor(uninitialized: [b, l, f * h, f * w])
    for k in 0..<y.count { y.pointer[k] = spectra[k].re * spectra[k].re + spectra[k].im * spectra[k].im }
    return y
}

/// Reference `Γz = (1/L) Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Fᴴ (w_ℓ ⊙ F P (exp(jφ_ℓ) ⊙ z))` per sample, `[B, H, W]`.
public func naiveGamma(_ z: ComplexField, masks: Tensor, weights: Tensor, oversampling f: Int) -> ComplexField {
    let (b, l, h, w) = (z.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(z, masks: masks, sign: 1)
    let spectra = naiveDFT2(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), sign: -1)
    for k in 0..<spectra.count {
        let (re, im) = spectra[k]
        spectra[k] = (re * weights.pointer[k], im * weights.pointer[k])
    }
    let back = naiveCrop(naiveDFT2(spectra, sign: 1), height: h, width: w)
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

/// Reference coded fields `Z[b, ℓ] = F P (exp(jφ_ℓ) ⊙ x_b)`, `[B, L, fH, fW]` (the operator A of
/// `CodedDiffractionOperator`).
public func naiveCodedField(_ x: ComplexField, masks: Tensor, oversampling f: Int) -> ComplexField {
    let (b, l, h, w) = (x.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let v = naiveModulate(x, masks: masks, sign: 1)
    let spectra = naiveDFT2(naivePad(ComplexField(storage: v.storage.reshaped([b * l, h, w, 2])), factor: f), sign: -1)
    return ComplexField(storage: spectra.storage.reshaped([b, l, f * h, f * w, 2]))
}

/// Reference adjoint `Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Fᴴ Z[b, ℓ]`, `[B, H, W]`, written out independently of
/// `naiveCodedField` (inverse DFT, crop, demodulate, sum over snapshots).
public func naiveCodedAdjoint(_ z: ComplexField, masks: Tensor) -> ComplexField {
    let (b, l, h, w) = (z.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let back = naiveCrop(naiveDFT2(ComplexField(storage: z.storage.reshaped([b * l, z.shape[2], z.shape[3], 2])), sign: 1),
                         height: h, width: w)
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
