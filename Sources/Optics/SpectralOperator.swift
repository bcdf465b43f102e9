import Autodiff
import TensorCore

/// The spectral-initialization operator Γ (Algorithm 1 of the paper), applied with FFTs:
///
///     Γz = (1/L) Σ_ℓ A_ℓᴴ diag(w_ℓ) A_ℓ z = (1/L) Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Fᴴ( w_ℓ ⊙ F P (exp(jφ_ℓ) ⊙ z) ),
///
/// per sample b, with `w_ℓ = w[b, ℓ]` real detector-plane weights (`SpectralInitialization.Weighting`),
/// `A_ℓ = F P diag(m_ℓ)`, `m_ℓ = exp(jφ_ℓ)`, P the centred zero-padding (so Pᴴ crops back to H×W after
/// the adjoint FFT). Γ is never formed as a matrix. It is Hermitian for real w and positive
/// semidefinite when w ≥ 0: `⟨u, Γu⟩ = (1/L) Σ_ℓ Σ_k w_ℓk |(A_ℓ u)_k|²`.
///
/// Shapes: `z` complex `[B, H, W]`; `masks` real `[L, H, W]` (radians); `weights` real `[B, L, H', W']`
/// with `H' = fH`, `W' = fW`; output complex `[B, H, W]`.
///
/// One tape node that stores only its input z (plus references to φ and w, which live anyway): the
/// backward pass recomputes the per-snapshot spectra, so a T-step unrolled initialization keeps
/// O(T·B·H·W) numbers on the tape instead of O(T·B·L·H'·W'). Backward, with output gradient ḡ and
/// `B_ℓ = Pᴴ Fᴴ diag(w_ℓ) F P` (Hermitian), `v_ℓ = m_ℓ ⊙ z`, `r_ℓ = m_ℓ ⊙ ḡ`:
/// - z: Γ is C-linear and Hermitian, so `ḡz += Γ ḡ = (1/L) Σ_ℓ conj(m_ℓ) ⊙ B_ℓ r_ℓ`;
/// - w: `∂L/∂w_ℓk = (1/L) Re(conj(G_ℓk) · X_ℓk)` with `X_ℓ = A_ℓ z`, `G_ℓ = A_ℓ ḡ`
///   (from `dΓz = (1/L) A_ℓᴴ(dw_ℓ ⊙ X_ℓ)` and `dL = Re⟨ḡ, dΓz⟩`);
/// - φ: `dm = j·m·dφ` perturbs both the modulation and the demodulation,
///   `dΓz = (1/L) Σ_ℓ [−j dφ ⊙ conj(m_ℓ) ⊙ B_ℓ v_ℓ + conj(m_ℓ) ⊙ B_ℓ(j dφ ⊙ v_ℓ)]`; using B_ℓ = B_ℓᴴ,
///   `∂L/∂φ_ℓ = (1/L) Σ_b [Im(conj(r_ℓ) ⊙ B_ℓ v_ℓ) − Im(conj(B_ℓ r_ℓ) ⊙ v_ℓ)]` (elementwise).
/// The backward costs 2 forward and 2 inverse FFTs per (sample, snapshot) when φ or w need gradients,
/// 1 + 1 when only z does.
public func spectralOperator(_ z: ComplexVariable, masks: Variable, weights: Variable,
                             oversampling: Int = 1) -> ComplexVariable {
    SpectralOperator(masks: masks, weights: weights, oversampling: oversampling).apply(z)
}

/// Γ for fixed masks and weights; the phasor table exp(jφ) is computed once and shared by every
/// application (the T iterations of the initialization).
struct SpectralOperator {
    let masks: Variable, weights: Variable
    let table: ComplexField
    let oversampling: Int

    init(masks: Variable, weights: Variable, oversampling: Int) {
        precondition(masks.shape.count == 3 && weights.shape.count == 4 && weights.shape[1] == masks.shape[0]
                     && weights.shape[2] == oversampling * masks.shape[1]
                     && weights.shape[3] == oversampling * masks.shape[2],
                     "Γ: weights \(weights.shape) must be [B, L, \(oversampling)H, \(oversampling)W] for masks \(masks.shape)")
        self.masks = masks
        self.weights = weights
        self.table = phasorTable(masks.value)
        self.oversampling = oversampling
    }

    var snapshots: Int { masks.shape[0] }
    var geometry: CDPGeometry { CDPGeometry(height: masks.shape[1], width: masks.shape[2], factor: oversampling) }

    func apply(_ z: ComplexVariable) -> ComplexVariable {
        precondition(z.shape.count == 3 && z.shape[0] == weights.shape[0] && z.shape[1...] == masks.shape[1...],
                     "Γ: z \(z.shape) must be [B, H, W] for masks \(masks.shape) and weights \(weights.shape)")
        let out = Tensor(uninitialized: z.node.value.shape)
        applyForward(z.node.value.pointer, into: out.pointer, batch: z.shape[0])
        let op = self
        let node = z.tape.record(out, inputs: [z.node, masks.node, weights.node]) { o in
            op.backward(o.gradient!, z: z)
        }
        return ComplexVariable(node: node, tape: z.tape)
    }

    /// `out_b ← Γ z_b` for every sample.
    func applyForward(_ z: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, batch: Int) {
        let g = geometry, n = g.scenePixels, l = snapshots, invL = 1 / Float(l)
        _ = forEachPiece(batch) { _, samples in
            let ws = CDPWorkspace(g)
            for b in samples {
                let acc = out + 2 * b * n
                acc.update(repeating: 0, count: 2 * n)
                for s in 0..<l {
                    let m = table.pointer + 2 * s * n
                    ws.forwardModulated(mask: m, field: z + 2 * b * n, into: ws.spectrumA)
                    ws.weight(ws.spectrumA, by: weights.value.pointer + (b * l + s) * g.detectorPixels,
                              scale: ws.inverseCount)
                    ws.adjoint(ws.spectrumA, into: ws.bv.pointer)
                    accumulateDemodulated(ws.bv.pointer, mask: m, scale: invL, into: acc, count: n)
                }
            }
        }
    }

    private func backward(_ gOut: Tensor, z: ComplexVariable) {
        let g = geometry, n = g.scenePixels, l = snapshots, invL = 1 / Float(l), batch = z.shape[0]
        let needZ = z.needsGradient, needPhi = masks.needsGradient, needW = weights.needsGradient
        let gz = needZ ? z.node.gradientBuffer().pointer : nil
        let gw = needW ? weights.node.gradientBuffer().pointer : nil
        let maxPieces = max(1, min(Parallel.threads, batch))
        let partial = Tensor(zeros: needPhi ? [maxPieces * l * n] : [0])
        let pieces = forEachPiece(batch) { piece, samples in
            let ws = CDPWorkspace(g)
            let v = ws.v.pointer, r = ws.r.pointer, bv = ws.bv.pointer, br = ws.br.pointer
            for b in samples {
                for s in 0..<l {
                    let m = table.pointer + 2 * s * n, w = weights.value.pointer + (b * l + s) * g.detectorPixels
                    ws.modulate(m, gOut.pointer + 2 * b * n, into: r)
                    ws.forward(r, into: ws.spectrumB)                           // G = A r
                    if needPhi || needW {
                        ws.modulate(m, z.node.value.pointer + 2 * b * n, into: v)
                        ws.forward(v, into: ws.spectrumA)                       // X = A v
                    }
                    if let gw {
                        let X = ws.spectrumA.pointer, G = ws.spectrumB.pointer
                        let dst = gw + (b * l + s) * g.detectorPixels
                        let c = invL * ws.inverseCount   // X̃ = √N·X, G̃ = √N·G
                        for k in 0..<g.detectorPixels { dst[k] += c * (G[2 * k] * X[2 * k] + G[2 * k + 1] * X[2 * k + 1]) }
                    }
                    guard needZ || needPhi else { continue }
                    ws.weight(ws.spectrumB, by: w, scale: ws.inverseCount)
                    ws.adjoint(ws.spectrumB, into: br)                          // B r
                    if let gz { accumulateDemodulated(br, mask: m, scale: invL, into: gz + 2 * b * n, count: n) }
                    if needPhi {
                        ws.weight(ws.spectrumA, by: w, scale: ws.inverseCount)
                        ws.adjoint(ws.spectrumA, into: bv)                      // B v
                        let dst = partial.pointer + (piece * l + s) * n
                        for k in 0..<n {
                            let first = r[2 * k] * bv[2 * k + 1] - r[2 * k + 1] * bv[2 * k]     // Im(conj(r)·Bv)
                            let second = br[2 * k] * v[2 * k + 1] - br[2 * k + 1] * v[2 * k]    // Im(conj(Br)·v)
                            dst[k] += invL * (first - second)
                        }
                    }
                }
            }
        }
        if needPhi { reducePieces(partial, pieces: pieces, into: masks.node.gradientBuffer().pointer) }
    }
}

/// `acc += scale · conj(m) ⊙ u` for scene-sized complex vectors.
@inline(__always)
func accumulateDemodulated(_ u: UnsafePointer<Float>, mask m: UnsafePointer<Float>, scale: Float,
                           into acc: UnsafeMutablePointer<Float>, count n: Int) {
    for k in 0..<n {
        acc[2 * k] += scale * (m[2 * k] * u[2 * k] + m[2 * k + 1] * u[2 * k + 1])
        acc[2 * k + 1] += scale * (m[2 * k] * u[2 * k + 1] - m[2 * k + 1] * u[2 * k])
    }
}
