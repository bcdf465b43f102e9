import Autodiff
import Foundation
import TensorCore

/// How well an estimate matches a scene up to the global phase that CDPs cannot see.
public enum Recovery {
    /// Per-sample `|⟨z_b, x_b⟩| / (‖z_b‖·‖x_b‖) ∈ [0, 1]` for fields `[B, ...]`, with `⟨z, x⟩ = Σ conj(z)·x`.
    /// 1 means z = e^{jc}·a·x for some phase c and a > 0; 0 for a zero field.
    public static func correlation(_ z: ComplexField, _ x: ComplexField) -> [Double] {
        precondition(z.shape == x.shape, "correlation of \(z.shape) with \(x.shape)")
        let batch = max(z.shape.first ?? 1, 1), m = z.count / batch
        return (0..<batch).map { b in
            var re = 0.0, im = 0.0, zz = 0.0, xx = 0.0
            for k in (b * m)..<((b + 1) * m) {
                let (zr, zi) = z[k], (xr, xi) = x[k]
                re += Double(zr) * Double(xr) + Double(zi) * Double(xi)
                im += Double(zr) * Double(xi) - Double(zi) * Double(xr)
                zz += Double(zr) * Double(zr) + Double(zi) * Double(zi)
                xx += Double(xr) * Double(xr) + Double(xi) * Double(xi)
            }
            let denominator = (zz * xx).squareRoot()
            return denominator > 0 ? (re * re + im * im).squareRoot() / denominator : 0
        }
    }

    /// `z_b · e^{jθ_b}` with `e^{jθ_b} = ⟨z_b, x_b⟩/|⟨z_b, x_b⟩|`: the global phase that brings each
    /// estimate closest to its reference field in least squares (`min_θ ‖z e^{jθ} − x‖`). An oracle —
    /// it needs the scene — for telling a method's error from the global phase it cannot know; a
    /// sample with ⟨z, x⟩ = 0 is returned unchanged. Fields `[B, ...]` of equal shape.
    public static func alignGlobalPhase(_ z: ComplexField, to x: ComplexField) -> ComplexField {
        precondition(z.shape == x.shape, "alignment of \(z.shape) to \(x.shape)")
        let batch = max(z.shape.first ?? 1, 1), m = z.count / batch
        let out = z.copy()
        for b in 0..<batch {
            var re = 0.0, im = 0.0
            for k in (b * m)..<((b + 1) * m) {
                let (zr, zi) = z[k], (xr, xi) = x[k]
                re += Double(zr) * Double(xr) + Double(zi) * Double(xi)
                im += Double(zr) * Double(xi) - Double(zi) * Double(xr)
            }
            let size = (re * re + im * im).squareRoot()
            guard size > 0 else { continue }
            let (c, s) = (Float(re / size), Float(im / size))
            for k in (b * m)..<((b + 1) * m) {
                let (zr, zi) = z[k]
                out[k] = (zr * c - zi * s, zr * s + zi * c)
            }
        }
        return out
    }

    /// One spectral-initialization experiment on grayscale images.
    public struct Experiment {
        /// Number of random masks L (uniform phases in [0, 2π), drawn from `seed`).
        public var snapshots: Int
        public var initialization: SpectralInitialization
        /// Filter kernel ψ `[k, k]` (odd k).
        public var kernel: Tensor
        public var phaseScale: Float = Scene.defaultPhaseScale
        public var noise: NoiseModel = .none
        public var seed: UInt64 = 1
        public var batchSize: Int = 64

        public init(snapshots: Int, initialization: SpectralInitialization,
                    kernel: Tensor = SpectralInitialization.gaussianKernel()) {
            self.snapshots = snapshots
            self.initialization = initialization
            self.kernel = kernel
        }

        /// Mean correlation of z* with the pure-phase scenes `exp(j·phaseScale·I)` over all images
        /// `I` `[N, 1, H, W]` (or `[N, H, W]`), in batches of `batchSize`.
        public func meanCorrelation(images: Tensor) throws -> Double {
            try noise.validate()
            let n = images.shape[0], (h, w) = (images.shape[images.rank - 2], images.shape[images.rank - 1])
            var rng = SeededGenerator(seed: seed)
            let masks = CodedMasks.random(snapshots: snapshots, height: h, width: w, generator: &rng)
            let model = try SensingModel(oversampling: initialization.oversampling, propagation: initialization.propagation)
            try model.check(height: h, width: w)
            var total = 0.0
            for start in stride(from: 0, to: n, by: max(batchSize, 1)) {
                let count = min(batchSize, n - start)
                let batch = Tensor(uninitialized: [count, h, w])
                batch.pointer.update(from: images.pointer + start * h * w, count: count * h * w)
                let x = try Scene.phaseObject(batch, phaseScale: phaseScale)
                let y = noise.sample(model.measure(x, masks: masks), generator: &rng)
                let tape = Tape(recording: false)
                let z = initialization.estimate(measurements: tape.constant(y), masks: tape.constant(masks),
                                                kernel: tape.constant(kernel))
                total += Recovery.correlation(z.field, x).reduce(0, +)
            }
            return total / Double(max(n, 1))
        }
    }

    /// The 1×1 identity kernel: G_ψ does nothing (the unfiltered power iteration).
    public static var identityKernel: Tensor { Tensor([1], shape: [1, 1]) }
}
