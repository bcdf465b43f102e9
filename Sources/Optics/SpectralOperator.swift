import Autodiff
import TensorCore

/// The spectral-initialization operator Γ (Algorithm 1 of the paper), applied with FFTs:
///
///     Γz = (1/L) Σ_ℓ A_ℓᴴ diag(w_ℓ) A_ℓ z = (1/L) Σ_ℓ exp(−jφ_ℓ) ⊙ Pᴴ Fᴴ( w_ℓ ⊙ F P (exp(jφ_ℓ) ⊙ z) ),
///
/// per sample b, with `w_ℓ = w[b, ℓ]` real detector-plane weights (`SpectralInitialization.Weighting`),
/// `A_ℓ = F P diag(m_ℓ)`, `m_ℓ = exp(jφ_ℓ)`, P the centred zero-padding (so Pᴴ crops back to H×W after
/// the adjoint FFT). With a near-field `propagation`, F is replaced by `T = F⁻¹ diag(H) F` and Fᴴ by
/// `Tᴴ` everywhere below (`SensingModel`); nothing else changes. Γ is never formed as a matrix. It is Hermitian for real w and positive
/// semidefinite when w ≥ 0: `⟨u, Γu⟩ = (1/L) Σ_ℓ Σ_k w_ℓk |(A_ℓ u)_k|²`.
///
/// Shapes: `z` complex `[B, H, W]`; `masks` real `[L, H, W]` (radians); `weights` real `[B, L, H', W']`
/// with `H' = fH`, `W' = fW`; output complex `[B, H, W]`.
///
/// Memory: by default one tape node stores only its input z (plus references to φ and w, which live
/// anyway) and the backward pass recomputes the per-snapshot spectra, so a T-step unrolled
/// initialization keeps O(T·B·H·W) numbers on the tape instead of O(T·B·L·H'·W'). With `keepsProducts`
/// the forward also keeps `B_ℓ v_ℓ` for every (sample, snapshot), `B·L·H·W` complex numbers per
/// application, which saves two of the four FFTs per (sample, snapshot) in the backward pass
/// (`SpectralInitialization.productBudget` chooses).
///
/// Backward, with output gradient ḡ and `B_ℓ = Pᴴ Fᴴ diag(w_ℓ) F P` (Hermitian), `v_ℓ = m_ℓ ⊙ z`,
/// `r_ℓ = m_ℓ ⊙ ḡ`:
/// - z: Γ is C-linear and Hermitian, so `ḡz += Γ ḡ = (1/L) Σ_ℓ conj(m_ℓ) ⊙ B_ℓ r_ℓ`;
/// - w: `∂L/∂w_ℓk = (1/L) Re(conj(G_ℓk) · X_ℓk)` with `X_ℓ = A_ℓ z`, `G_ℓ = A_ℓ ḡ`
///   (from `dΓz = (1/L) A_ℓᴴ(dw_ℓ ⊙ X_ℓ)` and `dL = Re⟨ḡ, dΓz⟩`);
/// - φ: `dm = j·m·dφ` perturbs both the modulation and the demodulation,
///   `dΓz = (1/L) Σ_ℓ [−j dφ ⊙ conj(m_ℓ) ⊙ B_ℓ v_ℓ + conj(m_ℓ) ⊙ B_ℓ(j dφ ⊙ v_ℓ)]`; using B_ℓ = B_ℓᴴ,
///   `∂L/∂φ_ℓ = (1/L) Σ_b [Im(conj(r_ℓ) ⊙ B_ℓ v_ℓ) − Im(conj(B_ℓ r_ℓ) ⊙ v_ℓ)]` (elementwise).
/// The backward costs per (sample, snapshot) 1 forward and 1 inverse FFT for `B_ℓ r_ℓ`, plus 1 + 1
/// for `B_ℓ v_ℓ` when φ needs a gradient and the products were not kept (w needs `X_ℓ`: 1 forward).
public func spectralOperator(_ z: ComplexVariable, masks: Variable, weights: Variable,
                             oversampling: Int = 1, propagation: Propagation = .farField,
                             keepsProducts: Bool = false) -> ComplexVariable {
    SpectralOperator(masks: masks, weights: weights, oversampling: oversampling, propagation: propagation)
        .apply(z, keepsProducts: keepsProducts)
}

/// Γ for fixed masks and weights on the tape; the phasor table exp(jφ) is computed once and shared by
/// every application (the T iterations of the initialization).
struct SpectralOperator {
    let masks: Variable, weights: Variable
    /// The arithmetic, with no variables in it: what Γ's pullback captures.
    let kernel: SpectralKernel

    init(masks: Variable, weights: Variable, oversampling: Int, propagation: Propagation = .farField) {
        precondition(masks.shape.count == 3 && weights.shape.count == 4 && weights.shape[1] == masks.shape[0]
                     && weights.shape[2] == oversampling * masks.shape[1]
                     && weights.shape[3] == oversampling * masks.shape[2],
                     "Γ: weights \(weights.shape) must be [B, L, \(oversampling)H, \(oversampling)W] for masks \(masks.shape)")
        self.masks = masks
        self.weights = weights
        kernel = SpectralKernel(table: phasorTable(masks.value),
                                geometry: CDPGeometry(height: masks.shape[1], width: masks.shape[2], factor: oversampling,
                                                      propagation: propagation))
    }

    /// Bytes one application keeps when products are kept: `B·L·H·W` complex Float32 numbers.
    static func productBytes(batch: Int, snapshots: Int, height: Int, width: Int) -> Int {
        batch * snapshots * height * width * 2 * MemoryLayout<Float>.size
    }

    /// `Γ z`; with `keepsProducts` (and when φ needs a gradient) the forward pass also keeps `B_ℓ v_ℓ`
    /// for the backward pass.
    func apply(_ z: ComplexVariable, keepsProducts: Bool = false) -> ComplexVariable {
        precondition(z.shape.count == 3 && z.shape[0] == weights.shape[0] && z.shape[1...] == masks.shape[1...],
                     "Γ: z \(z.shape) must be [B, H, W] for masks \(masks.shape) and weights \(weights.shape)")
        let out = Tensor(uninitialized: z.node.value.shape)
        let products = keepsProducts && masks.needsGradient && z.tape.isRecording
            ? Tensor(uninitialized: [weights.shape[0], kernel.snapshots, 2 * kernel.geometry.scenePixels]) : nil
        kernel.forward(z.node.value.pointer, weights: weights.value.pointer, into: out.pointer, batch: z.shape[0],
                       products: products?.pointer)
        let kernel = self.kernel
        let node = z.tape.record(out, op: OpticsOp.spectralOperator,
                                 inputs: [z.node, masks.node, weights.node]) { g, inputs in
            kernel.backward(g, z: inputs[0], masks: inputs[1], weights: inputs[2], products: products)
        }
        return ComplexVariable(node: node, tape: z.tape)
    }
}

/// Γ's forward and backward arithmetic for one phasor table `[L, H, W]` (complex) and geometry.
struct SpectralKernel {
    let table: ComplexField
    let geometry: CDPGeometry
    var snapshots: Int { table.shape[0] }

    /// `out_b ← Γ z_b` for every sample; with `products`, also `products[b, ℓ] ← B_ℓ v_bℓ`. Shapes: `z` and
    /// `out` `[B, H, W]` complex, `weights` `[B, L, H', W']`, `products` `[B, L, H, W]` complex.
    func forward(_ z: UnsafePointer<Float>, weights: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                 batch: Int, products: UnsafeMutablePointer<Float>? = nil) {
        let g = geometry, n = g.scenePixels, l = snapshots, invL = 1 / Float(l)
        _ = forEachPiece(batch) { _, samples in
            let ws = CDPWorkspace(g)
            for b in samples {
                let acc = out + 2 * b * n
                acc.update(repeating: 0, count: 2 * n)
                for s in 0..<l {
                    let m = table.pointer + 2 * s * n
                    ws.forwardModulated(mask: m, field: z + 2 * b * n, into: ws.spectrumA)
                    ws.weight(ws.spectrumA, by: weights + (b * l + s) * g.detectorPixels, scale: ws.inverseCount)
                    let bv = ws.adjoint(ws.spectrumA, scratch: ws.bv.pointer)
                    accumulateDemodulated(bv, mask: m, scale: invL, into: acc, count: n)
                    products?.advanced(by: 2 * (b * l + s) * n).update(from: bv, count: 2 * n)
                }
            }
        }
    }

    /// Accumulates the gradients of z `[B, H, W]` complex, φ `[L, H, W]` and w `[B, L, H', W']` from the
    /// output gradient `gOut` `[B, H, W]` complex (formulas in `spectralOperator`'s documentation).
    func backward(_ gOut: Tensor, z: OpInput, masks: OpInput, weights: OpInput, products: Tensor?) {
        let g = geometry, n = g.scenePixels, l = snapshots, invL = 1 / Float(l), batch = z.value.shape[0]
        let needZ = z.needsGradient, needPhi = masks.needsGradient, needW = weights.needsGradient
        let gz = z.gradient?.pointer, gw = weights.gradient?.pointer
        let maxPieces = max(1, min(Parallel.threads, batch))
        let partial = Tensor(zeros: needPhi ? [maxPieces * l * n] : [0])
        let pieces = forEachPiece(batch) { piece, samples in
            let ws = CDPWorkspace(g)
            for b in samples {
                let zb = z.value.pointer + 2 * b * n, gb = gOut.pointer + 2 * b * n
                for s in 0..<l {
                    let m = table.pointer + 2 * s * n, w = weights.value.pointer + (b * l + s) * g.detectorPixels
                    ws.forwardModulated(mask: m, field: gb, into: ws.spectrumB)              // G = A r
                    if needW || (needPhi && products == nil) {
                        ws.forwardModulated(mask: m, field: zb, into: ws.spectrumA)          // X = A v
                    }
                    if let gw {
                        accumulateWeightGradient(ws, into: gw + (b * l + s) * g.detectorPixels, scale: invL)
                    }
                    guard needZ || needPhi else { continue }
                    ws.weight(ws.spectrumB, by: w, scale: ws.inverseCount)
                    let br = ws.adjoint(ws.spectrumB, scratch: ws.br.pointer)                // B r
                    if let gz { accumulateDemodulated(br, mask: m, scale: invL, into: gz + 2 * b * n, count: n) }
                    guard needPhi else { continue }
                    let bv: UnsafePointer<Float>                                             // B v
                    if let products {
                        bv = UnsafePointer(products.pointer + 2 * (b * l + s) * n)
                    } else {
                        ws.weight(ws.spectrumA, by: w, scale: ws.inverseCount)
                        bv = ws.adjoint(ws.spectrumA, scratch: ws.bv.pointer)
                    }
                    accumulatePhaseGradient(mask: m, field: zb, gradient: gb, br: br, bv: bv, scale: invL,
                                            into: partial.pointer + (piece * l + s) * n, count: n)
                }
            }
        }
        if let gPhi = masks.gradient { reducePieces(partial, pieces: pieces, into: gPhi.pointer) }
    }

    /// `ḡw_k += scale · Re(conj(G_k) X_k) / N` from the unscaled spectra `G̃ = √N·G` (spectrum B) and
    /// `X̃ = √N·X` (spectrum A).
    private func accumulateWeightGradient(_ ws: CDPWorkspace, into dst: UnsafeMutablePointer<Float>, scale: Float) {
        let X = ws.spectrumA.pointer, G = ws.spectrumB.pointer, c = scale * ws.inverseCount
        for k in 0..<geometry.detectorPixels { dst[k] += c * (G[2 * k] * X[2 * k] + G[2 * k + 1] * X[2 * k + 1]) }
    }
}

/// `dst_k += scale · [Im(conj(r_k)·(Bv)_k) − Im(conj((Br)_k)·v_k)]` with `r = m ⊙ ḡ` and `v = m ⊙ z`
/// formed on the fly (scene-sized complex vectors; `dst` real).
@inline(__always)
func accumulatePhaseGradient(mask m: UnsafePointer<Float>, field z: UnsafePointer<Float>,
                             gradient g: UnsafePointer<Float>, br: UnsafePointer<Float>, bv: UnsafePointer<Float>,
                             scale: Float, into dst: UnsafeMutablePointer<Float>, count n: Int) {
    for k in 0..<n {
        let mr = m[2 * k], mi = m[2 * k + 1]
        let rr = mr * g[2 * k] - mi * g[2 * k + 1], ri = mr * g[2 * k + 1] + mi * g[2 * k]
        let vr = mr * z[2 * k] - mi * z[2 * k + 1], vi = mr * z[2 * k + 1] + mi * z[2 * k]
        let first = rr * bv[2 * k + 1] - ri * bv[2 * k]       // Im(conj(r)·Bv)
        let second = br[2 * k] * vi - br[2 * k + 1] * vr      // Im(conj(Br)·v)
        dst[k] += scale * (first - second)
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
