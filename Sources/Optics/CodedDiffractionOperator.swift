import Autodiff
import Foundation
import TensorCore

/// The linear half of the sensing model, without the modulus:
///
///     A: C^{H×W} → C^{L×H'×W'},   (A x)_ℓ = F P (m_ℓ ⊙ x),   m_ℓ = exp(jφ_ℓ),
///     Aᴴ: C^{L×H'×W'} → C^{H×W},  Aᴴ Z = Σ_ℓ conj(m_ℓ) ⊙ Pᴴ Fᴴ Z_ℓ,
///
/// with F the orthonormal 2-D DFT and P the centred zero-padding by `oversampling` (conventions of
/// `SensingModel`, whose CDPs are `|A x|²`); with a near-field `propagation` F is replaced by the
/// propagation `T = F⁻¹ diag(H) F` and Fᴴ by Tᴴ. Since |m_ℓ| = 1, F (or T on a grid that passes the
/// sampling check, where |H| = 1) is unitary and PᴴP = I, `AᴴA = L·I`:
/// `(1/L) Aᴴ` is the least-squares inverse of A on its range. The classical recoveries
/// (`ClassicalRecovery`) are built from these two maps. Shapes: x `[B, H, W]`, Z `[B, L, H', W']`.
/// Both run one (sample, snapshot) slice at a time in the sensing model's workspace, parallel over
/// samples.
public struct CodedDiffractionOperator {
    /// m_ℓ = exp(jφ_ℓ), `[L, H, W]`.
    public let phasors: ComplexField
    public let oversampling: Int
    public let propagation: Propagation
    let geometry: CDPGeometry

    /// `masks` φ `[L, H, W]` in radians; `oversampling` f ≥ 1; a near-field `propagation` must pass its
    /// sampling check for the masks' size (`SensingModel.check`).
    public init(masks: Tensor, oversampling: Int = 1, propagation: Propagation = .farField) throws {
        guard masks.rank == 3, masks.shape.allSatisfy({ $0 > 0 }) else {
            throw OpticsError("masks must be [L, H, W] with positive sizes, got \(masks.shape)")
        }
        try SensingModel(oversampling: oversampling, propagation: propagation)
            .check(height: masks.shape[1], width: masks.shape[2])
        phasors = phasorTable(masks)
        self.oversampling = oversampling
        self.propagation = propagation
        geometry = CDPGeometry(height: masks.shape[1], width: masks.shape[2], factor: oversampling, propagation: propagation)
    }

    public var snapshots: Int { phasors.shape[0] }
    public var height: Int { geometry.height }
    public var width: Int { geometry.width }
    /// H' = f·H and W' = f·W.
    public var detectorHeight: Int { geometry.paddedHeight }
    public var detectorWidth: Int { geometry.paddedWidth }

    /// `A x` `[B, L, H', W']` of `x` `[B, H, W]`.
    public func apply(_ x: ComplexField) -> ComplexField {
        precondition(x.shape.count == 3 && x.shape[1] == height && x.shape[2] == width,
                     "apply: field \(x.shape) must be [B, \(height), \(width)]")
        let (batch, l, n, d) = (x.shape[0], snapshots, geometry.scenePixels, geometry.detectorPixels)
        let out = ComplexField(uninitialized: [batch, l, detectorHeight, detectorWidth])
        let scale = 1 / Float(d).squareRoot()   // the workspace's transforms are unscaled
        _ = forEachPiece(batch) { _, samples in
            let ws = CDPWorkspace(geometry)
            for b in samples {
                for s in 0..<l {
                    ws.forwardModulated(mask: phasors.pointer + 2 * s * n, field: x.pointer + 2 * b * n, into: ws.spectrumA)
                    let dst = out.pointer + 2 * (b * l + s) * d, src = ws.spectrumA.pointer
                    for k in 0..<(2 * d) { dst[k] = scale * src[k] }
                }
            }
        }
        return out
    }

    /// `Aᴴ Z` `[B, H, W]` of `z` `[B, L, H', W']`.
    public func adjoint(_ z: ComplexField) -> ComplexField {
        precondition(z.shape.count == 4 && z.shape[1] == snapshots && z.shape[2] == detectorHeight && z.shape[3] == detectorWidth,
                     "adjoint: field \(z.shape) must be [B, \(snapshots), \(detectorHeight), \(detectorWidth)]")
        let (batch, l, n, d) = (z.shape[0], snapshots, geometry.scenePixels, geometry.detectorPixels)
        let out = ComplexField(zeros: [batch, height, width])
        let scale = 1 / Float(d).squareRoot()
        _ = forEachPiece(batch) { _, samples in
            let ws = CDPWorkspace(geometry)
            for b in samples {
                let acc = out.pointer + 2 * b * n
                for s in 0..<l {
                    let src = z.pointer + 2 * (b * l + s) * d, spectrum = ws.spectrumA.pointer
                    for k in 0..<(2 * d) { spectrum[k] = scale * src[k] }
                    ws.adjoint(ws.spectrumA, into: ws.v.pointer)
                    let m = phasors.pointer + 2 * s * n, v = ws.v.pointer
                    for k in 0..<n {   // conj(m)·v
                        acc[2 * k] += m[2 * k] * v[2 * k] + m[2 * k + 1] * v[2 * k + 1]
                        acc[2 * k + 1] += m[2 * k] * v[2 * k + 1] - m[2 * k + 1] * v[2 * k]
                    }
                }
            }
        }
        return out
    }
}
