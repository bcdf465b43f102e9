import TensorCore

// Fused kernels behind the sensing model and the spectral operator Γ.
//
// Both are built from the per-snapshot operator A_ℓ = T · P · diag(m_ℓ) : C^{H×W} → C^{H'×W'}, with
// m_ℓ = exp(jφ_ℓ), P the centred zero-padding by the oversampling factor, and T the propagation to the
// sensor (`Propagation`): the orthonormal 2-D DFT F in the far field, F⁻¹ diag(H) F in the near field.
// The kernels work one (sample, snapshot) slice at a time in a small per-thread workspace, so the
// intermediates stay in cache and are never stored for the backward pass (it recomputes them).

/// Sizes of the scene and of the (oversampled) detector plane, and the propagation between them.
struct CDPGeometry: Equatable {
    let height: Int, width: Int, factor: Int
    let propagation: Propagation
    /// `H/√N` on the padded plane (interleaved complex, `[H', W']`, N = H'W') for a near-field
    /// propagation, nil in the far field (see `CDPWorkspace` for the scale).
    let transfer: Tensor?

    init(height: Int, width: Int, factor: Int, propagation: Propagation = .farField) {
        (self.height, self.width, self.factor, self.propagation) = (height, width, factor, propagation)
        if let h = propagation.transferFunction(height: factor * height, width: factor * width) {
            let scale = 1 / Float(factor * height * factor * width).squareRoot()
            let table = Tensor(uninitialized: [2 * h.count])
            for k in 0..<(2 * h.count) { table.pointer[k] = scale * h.pointer[k] }
            transfer = table
        } else {
            transfer = nil
        }
    }

    static func == (a: CDPGeometry, b: CDPGeometry) -> Bool {
        (a.height, a.width, a.factor) == (b.height, b.width, b.factor) && a.propagation == b.propagation
    }
    var paddedHeight: Int { factor * height }
    var paddedWidth: Int { factor * width }
    /// The scene occupies rows `top..<top+H` and columns `left..<left+W` of the padded plane:
    /// `top = ⌊(H' − H)/2⌋`, so when `H' − H` is odd the extra row goes to the bottom (columns: right).
    var top: Int { (paddedHeight - height) / 2 }
    var left: Int { (paddedWidth - width) / 2 }
    var scenePixels: Int { height * width }
    var detectorPixels: Int { paddedHeight * paddedWidth }
}

/// Scratch buffers for one thread: the padded plane (margins stay zero), two spectra, the inverse
/// transform, and four scene-sized complex vectors.
///
/// Transforms are unscaled single-slice FFTW plans from `FFTPlanCache` (`F̃ = √N·F`, N = H'W': the
/// orthonormal transforms of `TensorCore/FFT.swift` without their 1/√N factor), single-threaded (the
/// kernels parallelize over samples); callers fold `1/N` into the pointwise steps they do anyway:
/// `|F v|² = |F̃ v|²/N` and `Fᴴ(w ⊙ F v) = F̃ᴴ((w/N) ⊙ F̃ v)`, saving a pass over every slice.
/// The propagation T enters as `T̃ = √N·T` in both regimes: `T̃ = F̃` in the far field and
/// `T̃ = F̃ᴴ diag(H/√N) F̃` (= √N·F⁻¹ diag(H) F) in the near field, with adjoint `T̃ᴴ = F̃ᴴ diag(H̄/√N) F̃`,
/// so the same `1/N` bookkeeping holds and the "spectrum" buffers hold the sensor-plane field T̃ P v.
/// Transforms only ever run on workspace buffers (64-byte aligned, as FFTW's new-array execution requires).
final class CDPWorkspace {
    let geometry: CDPGeometry
    let padded: Tensor, spectrumA: Tensor, spectrumB: Tensor, back: Tensor
    let v: Tensor, r: Tensor, bv: Tensor, br: Tensor
    private let forwardPlan: OpaquePointer, inversePlan: OpaquePointer
    /// In-place plans for the second transform of a near-field propagation (nil in the far field).
    private let forwardInPlace: OpaquePointer?, inverseInPlace: OpaquePointer?
    /// `1/N`, the factor an unscaled forward–inverse pair (or a squared modulus) owes.
    let inverseCount: Float

    init(_ geometry: CDPGeometry) {
        self.geometry = geometry
        let detector = [2 * geometry.detectorPixels], scene = [2 * geometry.scenePixels]
        padded = Tensor(zeros: detector)
        spectrumA = Tensor(uninitialized: detector)
        spectrumB = Tensor(uninitialized: detector)
        back = Tensor(uninitialized: detector)
        v = Tensor(uninitialized: scene); r = Tensor(uninitialized: scene)
        bv = Tensor(uninitialized: scene); br = Tensor(uninitialized: scene)
        let (h, w, inPlace) = (geometry.paddedHeight, geometry.paddedWidth, geometry.factor == 1)
        forwardPlan = FFTPlanCache.plan(batch: 1, height: h, width: w, forward: true, inPlace: inPlace)
        inversePlan = FFTPlanCache.plan(batch: 1, height: h, width: w, forward: false, inPlace: inPlace)
        if geometry.transfer != nil {
            forwardInPlace = FFTPlanCache.plan(batch: 1, height: h, width: w, forward: true, inPlace: true)
            inverseInPlace = FFTPlanCache.plan(batch: 1, height: h, width: w, forward: false, inPlace: true)
        } else {
            (forwardInPlace, inverseInPlace) = (nil, nil)
        }
        inverseCount = 1 / Float(geometry.detectorPixels)
    }

    /// `s ← F̃ᴴ ((H/√N) ⊙ s)`: the near-field half of `T̃` after the forward transform, in place.
    private func propagate(_ s: UnsafeMutablePointer<Float>, transfer t: Tensor) {
        let h = t.pointer
        for k in 0..<geometry.detectorPixels {
            let (sr, si, hr, hi) = (s[2 * k], s[2 * k + 1], h[2 * k], h[2 * k + 1])
            s[2 * k] = hr * sr - hi * si
            s[2 * k + 1] = hr * si + hi * sr
        }
        FFTPlanCache.execute(inverseInPlace!, s, s, count: geometry.detectorPixels)
    }

    /// `s ← (H̄/√N) ⊙ F̃ s`: the near-field half of `T̃ᴴ` before the inverse transform, in place.
    private func unpropagate(_ s: UnsafeMutablePointer<Float>, transfer t: Tensor) {
        FFTPlanCache.execute(forwardInPlace!, s, s, count: geometry.detectorPixels)
        let h = t.pointer
        for k in 0..<geometry.detectorPixels {
            let (sr, si, hr, hi) = (s[2 * k], s[2 * k + 1], h[2 * k], h[2 * k + 1])
            s[2 * k] = hr * sr + hi * si
            s[2 * k + 1] = hr * si - hi * sr
        }
    }

    /// `dst ← m ⊙ x` for scene-sized complex vectors.
    @inline(__always)
    func modulate(_ m: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        for k in 0..<geometry.scenePixels {
            let mr = m[2 * k], mi = m[2 * k + 1], xr = x[2 * k], xi = x[2 * k + 1]
            dst[2 * k] = mr * xr - mi * xi
            dst[2 * k + 1] = mr * xi + mi * xr
        }
    }

    /// Where the scene-sized input of the forward transform goes: the spectrum buffer itself without
    /// oversampling (transformed in place), else the padded plane (row by row).
    private func inputRows(_ spectrum: Tensor, _ body: (_ row: Int, _ dst: UnsafeMutablePointer<Float>) -> Void) {
        let g = geometry
        if g.factor == 1 {
            body(-1, spectrum.pointer)
        } else {
            for i in 0..<g.height { body(i, padded.pointer + 2 * ((g.top + i) * g.paddedWidth + g.left)) }
        }
    }

    private func transformForward(into spectrum: Tensor) {
        let source = geometry.factor == 1 ? spectrum.pointer : padded.pointer
        FFTPlanCache.execute(forwardPlan, source, spectrum.pointer, count: geometry.detectorPixels)
        if let t = geometry.transfer { propagate(spectrum.pointer, transfer: t) }
    }

    /// `spectrum ← T̃ P u` for a scene-sized complex vector `u`.
    func forward(_ u: UnsafePointer<Float>, into spectrum: Tensor) {
        let g = geometry
        inputRows(spectrum) { row, dst in
            if row < 0 { dst.update(from: u, count: 2 * g.scenePixels) }
            else { dst.update(from: u + 2 * row * g.width, count: 2 * g.width) }
        }
        transformForward(into: spectrum)
    }

    /// `spectrum ← T̃ P (m ⊙ x)`, modulating straight into the transform's input (no extra copy).
    func forwardModulated(mask m: UnsafePointer<Float>, field x: UnsafePointer<Float>, into spectrum: Tensor) {
        let g = geometry
        inputRows(spectrum) { row, dst in
            if row < 0 {
                modulate(m, x, into: dst)
            } else {
                let o = 2 * row * g.width
                for k in 0..<g.width {
                    let mr = m[o + 2 * k], mi = m[o + 2 * k + 1], xr = x[o + 2 * k], xi = x[o + 2 * k + 1]
                    dst[2 * k] = mr * xr - mi * xi
                    dst[2 * k + 1] = mr * xi + mi * xr
                }
            }
        }
        transformForward(into: spectrum)
    }

    /// `Pᴴ T̃ᴴ spectrum` (unscaled inverse transform, then crop to the scene window), returned without a
    /// copy when possible: with no oversampling the transform runs in place and the result is the
    /// spectrum buffer itself (clobbering `spectrum`), otherwise it is cropped into `scratch`. A
    /// near-field propagation clobbers `spectrum` in every case.
    func adjoint(_ spectrum: Tensor, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let g = geometry
        if let t = g.transfer { unpropagate(spectrum.pointer, transfer: t) }
        if g.factor == 1 {
            FFTPlanCache.execute(inversePlan, spectrum.pointer, spectrum.pointer, count: g.detectorPixels)
            return UnsafePointer(spectrum.pointer)
        }
        FFTPlanCache.execute(inversePlan, spectrum.pointer, back.pointer, count: g.detectorPixels)
        for i in 0..<g.height {
            (scratch + 2 * i * g.width).update(from: back.pointer + 2 * ((g.top + i) * g.paddedWidth + g.left),
                                               count: 2 * g.width)
        }
        return UnsafePointer(scratch)
    }

    /// `out ← Pᴴ T̃ᴴ spectrum` (see `adjoint(_:scratch:)`; clobbers `spectrum` without oversampling or
    /// in the near field).
    func adjoint(_ spectrum: Tensor, into out: UnsafeMutablePointer<Float>) {
        let result = adjoint(spectrum, scratch: out)
        if result != UnsafePointer(out) { out.update(from: result, count: 2 * geometry.scenePixels) }
    }

    /// `spectrum ← (scale · w) ⊙ spectrum` with real detector-plane weights `w`.
    @inline(__always)
    func weight(_ spectrum: Tensor, by w: UnsafePointer<Float>, scale: Float) {
        let s = spectrum.pointer
        for k in 0..<geometry.detectorPixels {
            let c = scale * w[k]
            s[2 * k] *= c; s[2 * k + 1] *= c
        }
    }
}

/// Splits `count` items into at most `Parallel.threads` contiguous pieces and calls
/// `body(piece, range)` for each, concurrently. Boundaries depend only on `count` and the thread
/// count, so per-piece partial sums reduced in piece order are deterministic.
func forEachPiece(_ count: Int, _ body: (Int, Range<Int>) -> Void) -> Int {
    let pieces = max(1, min(Parallel.threads, count))
    Parallel.chunks(pieces) { range in
        for piece in range { body(piece, (count * piece / pieces)..<(count * (piece + 1) / pieces)) }
    }
    return pieces
}

/// Adds the per-piece partial sums `partial[piece][i]` (piece-major, `pieces × n`) into `dst`.
func reducePieces(_ partial: Tensor, pieces: Int, into dst: UnsafeMutablePointer<Float>) {
    let n = partial.count / max(pieces, 1)
    for piece in 0..<pieces {
        let src = partial.pointer + piece * n
        for i in 0..<n { dst[i] += src[i] }
    }
}
