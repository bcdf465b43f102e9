import Autodiff
import TensorCore

/// The coded-diffraction sensing model M_φ (Eq. (1) of the paper, without noise; see `NoiseModel`).
///
/// For a scene `x ∈ C^{H×W}` and masks `φ ∈ R^{L×H×W}` (radians), the coded diffraction patterns
/// (CDPs) are the far-field intensities
///
///     y_ℓ = |F P (exp(jφ_ℓ) ⊙ x)|²,   ℓ = 1…L,
///
/// with F the orthonormal 2-D DFT (`TensorCore/FFT.swift`; zero frequency at index (0, 0)) and P the
/// centred zero-padding by the integer `oversampling` factor f, so the detector plane is
/// `H' × W' = fH × fW`. The scene sits at rows `⌊(H' − H)/2⌋ …` and columns `⌊(W' − W)/2⌋ …`; when
/// `H' − H` is odd (even f, odd H) the extra padding row goes to the bottom and the extra column to
/// the right. (In the far field the padding position only multiplies F P x by a linear phase ramp, so y
/// does not depend on it; in the near field it is where the mask sits on the sensor.) Units: y is in units of |x|², and since F and P preserve norms, `Σ_{u,v} y_ℓ = ‖x‖²` for every
/// snapshot (Parseval).
///
/// The paper writes the mask as `A_ℓ = diag(e^{jφ_ℓ})ᴴ`; we modulate by `exp(+jφ_ℓ)`, i.e. the paper's
/// φ is our −φ. Nothing else depends on this sign.
///
/// Near field (`propagation` not `.farField`): F is replaced by the propagation
/// `T = F⁻¹ diag(H) F` over the distance z (`Propagation`), `y_ℓ = |T P (exp(jφ_ℓ) ⊙ x)|²`, and the
/// detector is the whole padded plane in real space (a sensor f times wider than the mask at its
/// pitch, row 0 at the top; no frequency layout). |H| = 1 on every frequency of a grid that passes
/// `check(height:width:)`, so T is unitary and Parseval still holds. Everything downstream (Γ, the
/// classical recoveries, the shapes) is the same in both regimes.
public struct SensingModel: Equatable, Sendable, CustomStringConvertible {
    /// Integer zero-padding factor f ≥ 1 before the propagation (the far field's oversampling, the near
    /// field's `--pad`).
    public let oversampling: Int
    /// From the mask plane to the sensor (default: the far field).
    public let propagation: Propagation

    /// The far field without padding: PhaseMask's sensing model before 0.4, and the default.
    public static let farField = try! SensingModel()

    public init(oversampling: Int = 1, propagation: Propagation = .farField) throws {
        guard oversampling >= 1 else { throw OpticsError("oversampling factor must be an integer ≥ 1, got \(oversampling)") }
        self.oversampling = oversampling
        self.propagation = propagation
    }

    /// The sampling problems of this geometry for an `height × width` mask (`NearFieldSampling`), each
    /// one sentence; empty in the far field and for a near-field grid that holds the propagation.
    public func samplingProblems(height: Int, width: Int) -> [String] {
        propagation.samplingProblems(height: height, width: width, pad: oversampling)
    }

    /// Throws the first of `samplingProblems(height:width:)`.
    public func check(height: Int, width: Int) throws {
        if let first = samplingProblems(height: height, width: width).first { throw OpticsError(first) }
    }

    /// "far field" (", oversampling f" when f > 1), or the near-field model and geometry with its padding.
    public var description: String {
        switch propagation {
        case .farField: return oversampling > 1 ? "far field, oversampling \(oversampling)" : "far field"
        default: return "\(propagation), pad \(oversampling)"
        }
    }

    /// Detector-plane size `(H', W') = (fH, fW)` for a scene of `height × width`.
    public func detectorSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (oversampling * height, oversampling * width)
    }

    /// The CDPs `y = M_φ(x)` on the tape, differentiable with respect to the masks and the scene.
    ///
    /// - Parameters:
    ///   - scene: complex `[B, H, W]`.
    ///   - masks: real `[L, H, W]`, radians.
    /// - Returns: real `[B, L, H', W']`, `y ≥ 0`.
    ///
    /// Backward (recomputing `X_bℓ = A_ℓ x_b` with `A_ℓ = T P diag(m_ℓ)`, `m_ℓ = exp(jφ_ℓ)`, T = F or the
    /// near-field propagation): the sensor-field gradient is `2 ḡy ⊙ X`, pulled back to the modulated
    /// field `ḡv = Pᴴ Tᴴ(2 ḡy ⊙ X)`; then
    /// `ḡx_b += Σ_ℓ conj(m_ℓ) ⊙ ḡv_bℓ` and `ḡφ_ℓ += Σ_b Im(ḡv_bℓ ⊙ conj(v_bℓ))` with `v = m ⊙ x`.
    /// Only x and φ are kept for the backward pass (no per-snapshot intermediates).
    public func measure(_ scene: ComplexVariable, masks: Variable) -> Variable {
        precondition(scene.shape.count == 3 && masks.shape.count == 3 && masks.shape[1...] == scene.shape[1...],
                     "measure: scene \(scene.shape) must be [B, H, W] and masks \(masks.shape) [L, H, W]")
        let (batch, snapshots) = (scene.shape[0], masks.shape[0])
        let geometry = CDPGeometry(height: scene.shape[1], width: scene.shape[2], factor: oversampling,
                                   propagation: propagation)
        let table = phasorTable(masks.value)
        let y = Tensor(uninitialized: [batch, snapshots, geometry.paddedHeight, geometry.paddedWidth])
        _ = forEachPiece(batch) { _, samples in
            let ws = CDPWorkspace(geometry)
            for b in samples {
                for l in 0..<snapshots {
                    Self.intensity(ws, mask: table.pointer + 2 * l * geometry.scenePixels,
                                   field: scene.node.value.pointer + 2 * b * geometry.scenePixels,
                                   into: y.pointer + (b * snapshots + l) * geometry.detectorPixels)
                }
            }
        }
        let node = scene.tape.record(y, op: OpticsOp.measure, inputs: [scene.node, masks.node]) { g, inputs in
            Self.backward(g, scene: inputs[0], masks: inputs[1], table: table, geometry: geometry)
        }
        return Variable(node: node, tape: scene.tape)
    }

    /// `y_ℓ = |A_ℓ x|²` for one sample and snapshot.
    static func intensity(_ ws: CDPWorkspace, mask: UnsafePointer<Float>, field: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<Float>) {
        ws.forwardModulated(mask: mask, field: field, into: ws.spectrumA)
        let s = ws.spectrumA.pointer, c = ws.inverseCount
        for k in 0..<ws.geometry.detectorPixels { y[k] = c * (s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1]) }
    }

    /// Shapes: `gy` `[B, L, H', W']`, `scene` `[B, H, W, 2]`, `masks` `[L, H, W]`, `table` `[L, H, W]` complex.
    private static func backward(_ gy: Tensor, scene: OpInput, masks: OpInput, table: ComplexField,
                                 geometry: CDPGeometry) {
        let (batch, snapshots) = (scene.value.shape[0], masks.value.shape[0])
        let n = geometry.scenePixels
        let gx = scene.gradient?.pointer
        let maxPieces = max(1, min(Parallel.threads, batch))
        let partial = Tensor(zeros: masks.needsGradient ? [maxPieces * snapshots * n] : [0])
        let pieces = forEachPiece(batch) { piece, samples in
            let ws = CDPWorkspace(geometry)
            let v = ws.v.pointer, gv = ws.bv.pointer
            for b in samples {
                for l in 0..<snapshots {
                    let m = table.pointer + 2 * l * n
                    ws.modulate(m, scene.value.pointer + 2 * b * n, into: v)
                    ws.forward(v, into: ws.spectrumA)
                    // ḡX = 2ḡy ⊙ X; with unscaled transforms Fᴴ(2ḡy ⊙ F v) = F̃ᴴ((2/N)ḡy ⊙ F̃ v).
                    ws.weight(ws.spectrumA, by: gy.pointer + (b * snapshots + l) * geometry.detectorPixels,
                              scale: 2 * ws.inverseCount)
                    ws.adjoint(ws.spectrumA, into: gv)
                    if let gx {
                        let dst = gx + 2 * b * n
                        for k in 0..<n {   // conj(m)·ḡv
                            dst[2 * k] += m[2 * k] * gv[2 * k] + m[2 * k + 1] * gv[2 * k + 1]
                            dst[2 * k + 1] += m[2 * k] * gv[2 * k + 1] - m[2 * k + 1] * gv[2 * k]
                        }
                    }
                    if masks.needsGradient {
                        let dst = partial.pointer + (piece * snapshots + l) * n
                        for k in 0..<n { dst[k] += gv[2 * k + 1] * v[2 * k] - gv[2 * k] * v[2 * k + 1] }
                    }
                }
            }
        }
        if let gPhi = masks.gradient {
            reducePieces(partial, pieces: pieces, into: gPhi.pointer)
        }
    }

    /// CDPs without a tape: `[B, H, W]` scene and `[L, H, W]` masks to `[B, L, H', W']`.
    public func measure(_ scene: ComplexField, masks: Tensor) -> Tensor {
        let tape = Tape(recording: false)
        return measure(tape.constant(scene), masks: tape.constant(masks)).value
    }
}
