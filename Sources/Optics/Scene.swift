import Foundation
import TensorCore

/// Invalid optical settings or inputs; the message names the parameter and the problem.
public struct OpticsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Scenes for the coded-diffraction model: complex fields `x ∈ C^{H×W}` per sample.
///
/// A grayscale image `I ∈ [0, 1]` becomes the pure-phase object `x = exp(j·s·I)` with phase scale
/// `s` in radians (default π, so black is phase 0 and white phase π; |x| = 1 everywhere and
/// ‖x‖² = H·W). Any complex field can also be used directly as a scene (`ComplexField` `[B, H, W]`).
/// Training, export and simulate use `SceneModel` (phase range, background offsets, amplitude), whose
/// default is this object with s = Float(Double.pi).
public enum Scene {
    /// The default phase scale `s = π` radians: intensities in [0, 1] span half a wave.
    public static let defaultPhaseScale: Float = .pi

    /// The field shape `[B, H, W]` of a scene image `[B, 1, H, W]` or `[B, H, W]`; throws for any other.
    public static func spatialShape(of image: Tensor) throws -> [Int] {
        let s = image.shape
        if s.count == 4 && s[1] == 1 { return [s[0], s[2], s[3]] }
        if s.count == 3 { return s }
        throw OpticsError("scene image: expected shape [B, 1, H, W] or [B, H, W], got \(s)")
    }

    /// `x[b, i, j] = exp(j·phaseScale·I[b, i, j])`.
    ///
    /// - Parameter image: intensities in [0, 1] (not clamped), shape `[B, 1, H, W]` or `[B, H, W]`.
    /// - Returns: a complex field `[B, H, W]`.
    /// - Throws: `OpticsError` for another shape, a non-finite value or a non-finite phase scale.
    public static func phaseObject(_ image: Tensor, phaseScale: Float = defaultPhaseScale) throws -> ComplexField {
        let s = image.shape
        let spatial = try Scene.spatialShape(of: image)
        guard phaseScale.isFinite else { throw OpticsError("scene phase scale must be finite, got \(phaseScale)") }
        guard image.isFinite else { throw OpticsError("scene image \(s) contains NaN or infinite values") }
        let x = ComplexField(uninitialized: spatial)
        let p = image.pointer, q = x.pointer
        for k in 0..<image.count {
            let phase = phaseScale * p[k]
            q[2 * k] = Foundation.cos(phase)
            q[2 * k + 1] = Foundation.sin(phase)
        }
        return x
    }
}

/// Coded phase masks `φ ∈ R^{L×H×W}` in radians (stored unwrapped while training).
public enum CodedMasks {
    /// Independent uniform phases in [0, 2π), shape `[snapshots, height, width]`.
    public static func random(snapshots: Int, height: Int, width: Int,
                              generator: inout SeededGenerator) -> Tensor {
        Tensor.uniform([snapshots, height, width], low: 0, high: 2 * Float.pi, generator: &generator)
    }
}
