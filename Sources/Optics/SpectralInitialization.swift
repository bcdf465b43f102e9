import Autodiff
import Foundation
import TensorCore

/// Filtered spectral initialization (Algorithm 1 of the paper): a power iteration for the leading
/// eigenvector of Γ (`SpectralOperator.swift`) with a learned low-pass filter G_ψ after every step.
///
///     z ← z₀                                   (fixed, unit norm per sample; see `GlobalPhase`)
///     repeat T times:  z ← G_ψ(Γ z);  z ← z / ‖z‖   (per sample)
///     z ← z · conj(Σz)/|Σz|                     (only with `GlobalPhase.aligned`)
///     z* = ‖x‖_est · z,   ‖x‖_est = sqrt((1/L) Σ_ℓ Σ_k y_ℓk)
///
/// The final scale uses Parseval: for the orthonormal FFT and norm-preserving padding,
/// `Σ_k y_ℓk = ‖F P (m_ℓ ⊙ x)‖² = ‖x‖²` exactly for every snapshot when there is no noise, so the
/// estimate is exact on clean data (and unbiased under the zero-mean noise models). A near-field
/// propagation that passes its sampling check is unitary too (`SensingModel`), so the same holds.
///
/// G_ψ is `filter2D` with a real k×k kernel ψ (default k = 5, a Gaussian with σ = 1 pixel normalized to
/// sum 1, see `gaussianKernel`). Everything is on the tape: the output is differentiable with respect
/// to φ and ψ through all T iterations, and with respect to y (through the final scale, and through Γ
/// for intensity weights).
public struct SpectralInitialization: Equatable, Sendable {
    /// The global-phase convention of the output. Power iteration ends near `v₁·(v₁ᴴ z₀)`, so the
    /// global phase of z* is set by the start z₀; the U-Net has to read a phase object from z*, and a
    /// phase reference that changes from image to image costs it about 1 dB (docs/optics.md,
    /// "Global phase", has the measurements).
    public enum GlobalPhase: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
        /// A fixed complex Gaussian z₀ drawn from `startSeed` (PhaseMask ≤ 0.1): the global phase of z*
        /// is arg(v₁ᴴ z₀), arbitrary from image to image. Kept so old checkpoints evaluate as before.
        case randomStart = "random-start"
        /// The constant start z₀ = 1/√(HW): the global phase follows arg(v₁ᴴ 1) = −arg(Σ v₁), so Σz*
        /// is close to real and positive, but not exactly (G_ψ sits between the Γ steps).
        case constantStart = "constant-start"
        /// The constant start, then the explicit alignment `z ← z·conj(Σz)/|Σz|` (`alignGlobalPhase`):
        /// Σz* is real and ≥ 0 for every sample, exactly.
        case aligned

        public var description: String { rawValue }
    }

    /// The convention of new systems; checkpoints that do not name one are `randomStart`.
    public static let defaultGlobalPhase = GlobalPhase.aligned

    /// The detector-plane weights w(y) inside Γ.
    public enum Weighting: Equatable, Codable, Sendable, CustomStringConvertible {
        /// `w = y` (differentiable with respect to y). With Gaussian noise some y < 0, and Γ is then no
        /// longer positive semidefinite; truncated weights are immune to that.
        case intensity
        /// `w = 1` on the largest ⌈fraction·H'W'⌉ entries of each CDP y[b, ℓ], 0 elsewhere (ties at the
        /// threshold are all kept). Piecewise constant in y: no gradient flows to y through w.
        case truncated(fraction: Double)

        public var description: String {
            switch self {
            case .intensity: return "intensity weights"
            case .truncated(let f): return "truncated weights (top \(f))"
            }
        }
    }

    /// The default weighting (see docs/optics.md for the FashionMNIST comparison that chose it).
    public static let defaultWeighting = Weighting.truncated(fraction: 0.4)

    /// Number of power iterations T.
    public let iterations: Int
    public let weighting: Weighting
    /// Oversampling factor of the measurements (must match the `SensingModel` that produced them).
    public let oversampling: Int
    /// Propagation of the measurements (must match the `SensingModel` that produced them).
    public let propagation: Propagation
    /// The global-phase convention (start z₀ and alignment).
    public let globalPhase: GlobalPhase
    /// Seed of the random starting point z₀ (`GlobalPhase.randomStart` only).
    public let startSeed: UInt64
    /// Bytes the T applications of Γ may keep for their backward pass. An application that keeps its
    /// products `B_ℓ v_ℓ` (`B·L·H·W` complex Float32 numbers) needs two FFTs per (sample, snapshot) in
    /// the backward pass instead of four. The last ⌊budget / (B·L·H·W·8 bytes)⌋ applications (at most
    /// T) keep them, the others recompute them; the gradients are the same bit for bit. All T fit
    /// for B = 32, L = 9, 32×32, T = 25 (59 MB); at B = 64, L = 9, 96×96 (42 MB per application)
    /// 6 of the 25 do. 0 always recomputes.
    public let productBudget: Int

    /// The default `productBudget`: 256 MiB.
    public static let defaultProductBudget = 256 << 20

    public init(iterations: Int = 25, weighting: Weighting = defaultWeighting, oversampling: Int = 1,
                globalPhase: GlobalPhase = defaultGlobalPhase, startSeed: UInt64 = 0x5EED_0001,
                productBudget: Int = defaultProductBudget, propagation: Propagation = .farField) throws {
        guard iterations >= 1 else { throw OpticsError("spectral initialization needs at least 1 iteration, got \(iterations)") }
        guard oversampling >= 1 else { throw OpticsError("oversampling factor must be an integer ≥ 1, got \(oversampling)") }
        if case .truncated(let f) = weighting, !(f > 0 && f <= 1) {
            throw OpticsError("truncation fraction must be in (0, 1], got \(f)")
        }
        self.iterations = iterations
        self.weighting = weighting
        self.oversampling = oversampling
        self.propagation = propagation
        self.globalPhase = globalPhase
        self.startSeed = startSeed
        self.productBudget = productBudget
    }

    /// The normalized Gaussian `ψ[a, c] ∝ exp(−((a − p)² + (c − p)²) / (2σ²))`, `Σψ = 1`, `p = (k−1)/2`;
    /// `size` odd, σ in pixels.
    public static func gaussianKernel(size: Int = 5, sigma: Float = 1) -> Tensor {
        precondition(size >= 1 && size % 2 == 1 && sigma > 0, "Gaussian kernel needs an odd size and σ > 0")
        let k = Tensor(uninitialized: [size, size])
        let p = Float(size - 1) / 2
        var total: Float = 0
        for a in 0..<size {
            for c in 0..<size {
                let d2 = (Float(a) - p) * (Float(a) - p) + (Float(c) - p) * (Float(c) - p)
                k[a, c] = Foundation.exp(-d2 / (2 * sigma * sigma))
                total += k[a, c]
            }
        }
        for i in 0..<k.count { k.pointer[i] /= total }
        return k
    }

    /// The fixed start z₀ `[batch, H, W]`, unit norm, the same for every sample: the constant
    /// `1/√(HW)`, or (`randomStart`) one complex Gaussian `[H, W]` pattern drawn from `startSeed`.
    public func startingPoint(batch: Int, height: Int, width: Int) -> ComplexField {
        let pattern: Tensor
        if globalPhase == .randomStart {
            var rng = SeededGenerator(seed: startSeed)
            pattern = Tensor.normal([height, width, 2], generator: &rng)
        } else {
            pattern = Tensor(zeros: [height, width, 2])
            for i in 0..<(height * width) { pattern.pointer[2 * i] = 1 }
        }
        let scale = Float(1 / pattern.buffer.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
        let z = ComplexField(uninitialized: [batch, height, width])
        for b in 0..<batch {
            let dst = z.pointer + b * pattern.count
            for i in 0..<pattern.count { dst[i] = scale * pattern.pointer[i] }
        }
        return z
    }

    /// The weights w(y) `[B, L, H', W']` for this configuration.
    public func weights(_ y: Variable) -> Variable {
        switch weighting {
        case .intensity: return y
        case .truncated(let fraction): return y.tape.constant(truncationMask(y.value, fraction: fraction))
        }
    }

    /// The initial estimate z* `[B, H, W]` from measurements y `[B, L, fH, fW]`, masks φ `[L, H, W]`
    /// (radians) and filter kernel ψ `[k, k]`.
    public func estimate(measurements y: Variable, masks: Variable, kernel: Variable) -> ComplexVariable {
        precondition(y.shape.count == 4 && masks.shape.count == 3 && y.shape[1] == masks.shape[0]
                     && y.shape[2] == oversampling * masks.shape[1] && y.shape[3] == oversampling * masks.shape[2],
                     "spectral initialization: measurements \(y.shape) do not match masks \(masks.shape) at oversampling \(oversampling)")
        let gamma = SpectralOperator(masks: masks, weights: weights(y), oversampling: oversampling, propagation: propagation)
        let keeping = keptApplications(batch: y.shape[0], snapshots: masks.shape[0], height: masks.shape[1],
                                       width: masks.shape[2])
        var z = y.tape.constant(startingPoint(batch: y.shape[0], height: masks.shape[1], width: masks.shape[2]))
        for t in 0..<iterations {
            z = normalizePerSample(filter2D(gamma.apply(z, keepsProducts: t >= iterations - keeping), kernel: kernel))
        }
        if globalPhase == .aligned { z = alignGlobalPhase(z) }
        return scalePerSample(z, by: parsevalNorm(y))
    }
}

extension SpectralInitialization {
    /// How many of the T applications of Γ keep their products within `productBudget`.
    public func keptApplications(batch: Int, snapshots: Int, height: Int, width: Int) -> Int {
        let bytes = SpectralOperator.productBytes(batch: batch, snapshots: snapshots, height: height, width: width)
        return bytes == 0 ? iterations : min(iterations, max(0, productBudget) / bytes)
    }
}

/// The Parseval estimate of each scene's norm from its CDPs `y` `[B, L, H', W']`:
/// `s_b = sqrt(max(0, (1/L) Σ_ℓ Σ_k y[b, ℓ, k]))`, shape `[B]` (the max guards noisy data whose sum
/// went negative). Backward: `ḡy[b, ℓ, k] += ḡs_b / (2 L s_b)` (0 where s_b = 0).
public func parsevalNorm(_ y: Variable) -> Variable {
    precondition(y.shape.count == 4, "parsevalNorm expects [B, L, H', W'], got \(y.shape)")
    let batch = y.shape[0], snapshots = y.shape[1], m = y.value.count / max(batch, 1)
    let out = Tensor(uninitialized: [batch])
    for b in 0..<batch {
        var total = 0.0
        for k in 0..<m { total += Double(y.value.pointer[b * m + k]) }
        out.pointer[b] = Float(max(0, total / Double(snapshots)).squareRoot())
    }
    let node = y.tape.record(out, op: OpticsOp.parsevalNorm, inputs: [y.node]) { gOut, inputs in
        guard let gy = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer
        for b in 0..<batch where out.pointer[b] > 0 {
            let d = g[b] / (2 * Float(snapshots) * out.pointer[b])
            for k in 0..<m { gy[b * m + k] += d }
        }
    }
    return Variable(node: node, tape: y.tape)
}

/// 0/1 weights marking the largest ⌈fraction·n⌉ entries of every `[H', W']` slice of `y` (ties at the
/// threshold included).
func truncationMask(_ y: Tensor, fraction: Double) -> Tensor {
    let n = y.shape[y.rank - 2] * y.shape[y.rank - 1], slices = y.count / max(n, 1)
    let keep = min(n, max(1, Int((fraction * Double(n)).rounded(.up))))
    let w = Tensor(uninitialized: y.shape)
    _ = forEachPiece(slices) { _, range in
        var scratch = [Float](repeating: 0, count: n)
        for s in range {
            let src = y.pointer + s * n, dst = w.pointer + s * n
            for k in 0..<n { scratch[k] = src[k] }
            let threshold = kthLargest(&scratch, keep)
            for k in 0..<n { dst[k] = src[k] >= threshold ? 1 : 0 }
        }
    }
    return w
}

/// The k-th largest value (k ≥ 1) of `values` by quickselect (reorders `values`).
func kthLargest(_ values: inout [Float], _ k: Int) -> Float {
    var lo = 0, hi = values.count - 1
    let target = k - 1   // index in descending order
    while lo < hi {
        let pivot = values[(lo + hi) / 2]
        var i = lo, j = hi
        while i <= j {
            while values[i] > pivot { i += 1 }
            while values[j] < pivot { j -= 1 }
            if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
        }
        if target <= j { hi = j } else if target >= i { lo = i } else { return values[target] }
    }
    return values[target]
}
