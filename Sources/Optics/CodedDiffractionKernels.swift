import TensorCore

// Fused kernels behind the sensing model and the spectral operator Γ.
//
// Both are built from the per-snapshot operator A_ℓ = F · P · diag(m_ℓ) : C^{H×W} → C^{H'×W'}, with
// m_ℓ = exp(jφ_ℓ), P the centred zero-padding by the oversampling factor, and F the orthonormal 2-D
// DFT. The kernels work one (sample, snapshot) slice at a time in a small per-thread workspace, so the
// intermediates stay in cache and are never stored for the backward pass (it recomputes them).

/// Sizes of the scene and of the (oversampled) detector plane.
struct CDPGeometry: Equatable {
    let height: Int, width: Int, factor: Int
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
final class CDPWorkspace {
    let geometry: CDPGeometry
    let padded: Tensor, spectrumA: Tensor, spectrumB: Tensor, back: Tensor
    let v: Tensor, r: Tensor, bv: Tensor, br: Tensor

    init(_ geometry: CDPGeometry) {
        self.geometry = geometry
        let detector = [2 * geometry.detectorPixels], scene = [2 * geometry.scenePixels]
        padded = Tensor(zeros: detector)
        spectrumA = Tensor(uninitialized: detector)
        spectrumB = Tensor(uninitialized: detector)
        back = Tensor(uninitialized: detector)
        v = Tensor(uninitialized: scene); r = Tensor(uninitialized: scene)
        bv = Tensor(uninitialized: scene); br = Tensor(uninitialized: scene)
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

    /// `spectrum ← F P u` for a scene-sized complex vector `u`.
    func forward(_ u: UnsafePointer<Float>, into spectrum: Tensor) {
        let g = geometry
        if g.factor == 1 {
            spectrum.pointer.update(from: u, count: 2 * g.scenePixels)
            FFT.transform(spectrum.pointer, spectrum.pointer, batch: 1, height: g.height, width: g.width, forward: true)
            return
        }
        for i in 0..<g.height {
            (padded.pointer + 2 * ((g.top + i) * g.paddedWidth + g.left))
                .update(from: u + 2 * i * g.width, count: 2 * g.width)
        }
        FFT.transform(padded.pointer, spectrum.pointer, batch: 1, height: g.paddedHeight, width: g.paddedWidth,
                      forward: true)
    }

    /// `out ← Pᴴ Fᴴ spectrum` (inverse transform, then crop to the scene window). Clobbers `spectrum`
    /// when there is no oversampling (the transform is done in place). Transforms only ever run on
    /// workspace buffers (64-byte aligned), never on arbitrary offsets into caller tensors.
    func adjoint(_ spectrum: Tensor, into out: UnsafeMutablePointer<Float>) {
        let g = geometry
        if g.factor == 1 {
            // In place inside the workspace: FFTW's new-array execution needs the planning alignment.
            FFT.transform(spectrum.pointer, spectrum.pointer, batch: 1, height: g.height, width: g.width, forward: false)
            out.update(from: spectrum.pointer, count: 2 * g.scenePixels)
            return
        }
        FFT.transform(spectrum.pointer, back.pointer, batch: 1, height: g.paddedHeight, width: g.paddedWidth,
                      forward: false)
        for i in 0..<g.height {
            (out + 2 * i * g.width).update(from: back.pointer + 2 * ((g.top + i) * g.paddedWidth + g.left),
                                           count: 2 * g.width)
        }
    }

    /// `spectrum ← w ⊙ spectrum` with real detector-plane weights `w`.
    @inline(__always)
    func weight(_ spectrum: Tensor, by w: UnsafePointer<Float>) {
        let s = spectrum.pointer
        for k in 0..<geometry.detectorPixels { s[2 * k] *= w[k]; s[2 * k + 1] *= w[k] }
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
