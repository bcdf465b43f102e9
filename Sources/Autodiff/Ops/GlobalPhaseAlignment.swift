import Foundation
import TensorCore

/// Removes the global phase of every sample of a complex field `[B, ...]`: with `s_b = Σ_k z_bk` and the
/// unit number `u_b = conj(s_b)/|s_b|`,
///
///     out_b = u_b · z_b,   so that Σ_k out_bk = |s_b| is real and ≥ 0.
///
/// A phase-retrieval estimate is only defined up to a global phase e^{jθ}; this picks the one whose
/// sum (the zero-frequency coefficient, or the mean field) is real and positive. Norms are unchanged.
/// A sample with `|s_b| ≤ 1e-30·‖z_b‖₁` (no defined phase) passes through unchanged (u_b = 1).
///
/// Backward, with `ḡ` the output gradient (∂L/∂Re + j∂L/∂Im) and `c_b = Σ_k conj(ḡ_bk)·out_bk`:
///
///     ḡz_bk += ḡ_bk · conj(u_b) + j · Im(c_b) / conj(s_b)
///
/// (the first term moves z with a fixed rotation; the second is the rotation's response to z through
/// θ_b = arg s_b, dθ = Im(ds/s)). Samples are independent; the sums are in Double.
public func alignGlobalPhase(_ z: ComplexVariable) -> ComplexVariable {
    let b = z.shape[0]
    let n = z.field.count / max(b, 1)
    let out = Tensor(uninitialized: z.node.value.shape)
    let pz = z.node.value.pointer, po = out.pointer
    // Per sample: s_b (re, im) and u_b (re, im); u = 1 and s = 0 for a sample without a phase.
    var sums = [(re: Double, im: Double)](repeating: (0, 0), count: b)
    var rotations = [(re: Float, im: Float)](repeating: (1, 0), count: b)
    for i in 0..<b {
        var sr = 0.0, si = 0.0, l1 = 0.0
        for k in 0..<n {
            let re = Double(pz[2 * (i * n + k)]), im = Double(pz[2 * (i * n + k) + 1])
            sr += re; si += im; l1 += Swift.abs(re) + Swift.abs(im)
        }
        let modulus = (sr * sr + si * si).squareRoot()
        if modulus > 1e-30 * l1 && modulus > 0 {
            sums[i] = (sr, si)
            rotations[i] = (Float(sr / modulus), Float(-si / modulus))
        }
        let (ur, ui) = rotations[i]
        for k in 0..<n {
            let j = 2 * (i * n + k)
            let re = pz[j], im = pz[j + 1]
            po[j] = ur * re - ui * im
            po[j + 1] = ur * im + ui * re
        }
    }
    let node = z.tape.record(out, op: AutodiffOp.alignGlobalPhase, inputs: [z.node]) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, po = out.pointer
        for i in 0..<b {
            let (ur, ui) = rotations[i]
            // Im(c_b) = Σ Im(conj(ḡ)·out) = Σ (Re ḡ · Im out − Im ḡ · Re out).
            var imC = 0.0
            for k in 0..<n {
                let j = 2 * (i * n + k)
                imC += Double(g[j]) * Double(po[j + 1]) - Double(g[j + 1]) * Double(po[j])
            }
            let (sr, si) = sums[i]
            let s2 = sr * sr + si * si
            // j·Im(c)/conj(s) = j·Im(c)·s/|s|² = Im(c)·(−si + j·sr)/|s|².
            let (dr, di) = s2 > 0 ? (Float(-imC * si / s2), Float(imC * sr / s2)) : (0, 0)
            for k in 0..<n {
                let j = 2 * (i * n + k)
                let gr = g[j], gi = g[j + 1]
                // ḡ · conj(u) = (gr + j gi)(ur − j ui)
                gz[j] += gr * ur + gi * ui + dr
                gz[j + 1] += gi * ur - gr * ui + di
            }
        }
    }
    return ComplexVariable(node: node, tape: z.tape)
}
