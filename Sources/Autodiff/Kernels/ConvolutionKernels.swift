import TensorCore

/// Stride-1 "same" k×k convolution kernels (k odd, zero padding k/2) on NCHW Float32 tensors, built
/// from im2col tiles and `cblas_sgemm`. Used by `conv2d` (Ops/Conv2D.swift).
///
/// Layout: the weight `[Cout, Cin, k, k]` is read as the row-major matrix `W[Cout, Cin·k·k]`; a tile of
/// T output pixels has the im2col matrix `col[Cin·k·k, T]` and output matrix `Y[Cout, T] = W · col`.
/// Single-image tiles read and write the tensors in place (leading dimension H·W).
/// Parallelism: tiles are split over `Parallel.threads`; set OpenBLAS to one thread when that is > 1.
enum ConvolutionKernels {
    struct Shape {
        let batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int, kernel: Int
        var patch: Int { inputChannels * kernel * kernel }
        var plane: Int { height * width }
    }

    /// `output ← bias + W ⋆ input` or, with `accumulate`, `output += W ⋆ input` (no bias).
    ///
    /// `input` `[N, Cin, H, W]`, `weight` `[Cout, Cin·k·k]`, `bias` `[Cout]`, `output` `[N, Cout, H, W]`.
    static func convolve(_ input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>,
                         shape s: Shape, accumulate: Bool) {
        let tiles = ConvolutionTiling.tiles(batch: s.batch, height: s.height, width: s.width,
                                            rowsPerColumn: max(s.patch, s.outputChannels))
        let maxColumns = tiles.map { $0.columns(width: s.width) }.max() ?? 0
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        let outputView = TileMatrix(channels: s.outputChannels, height: s.height, width: s.width)
        _ = forEachTile(tiles, makeScratch: {
            (col: Tensor(uninitialized: [s.patch * maxColumns]),
             product: Tensor(uninitialized: [s.outputChannels * maxColumns]))
        }) { tile, scratch in
            let columns = tile.columns(width: s.width)
            let (b, ldb) = patches(input, view: inputView, kernel: s.kernel, tile: tile, scratch: scratch.col.pointer)
            let inPlace = tile.samples == 1
            let c = inPlace ? outputView.inPlace(output, tile) : scratch.product.pointer
            let ldc = inPlace ? s.plane : columns
            var beta: Float = 0
            if inPlace && accumulate {
                beta = 1
            } else if let bias {
                for o in 0..<s.outputChannels { (c + o * ldc).update(repeating: bias[o], count: columns) }
                beta = 1
            }
            BLAS.gemm(m: s.outputChannels, n: columns, k: s.patch, a: weight, lda: s.patch,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            if !inPlace { outputView.scatter(c, tile, into: output, accumulate: accumulate) }
        }
    }

    /// The im2col matrix of `tile` as (pointer, leading dimension): in place for 1×1 single-image
    /// tiles, otherwise built in `scratch`.
    private static func patches(_ input: UnsafeMutablePointer<Float>, view: TileMatrix, kernel: Int,
                                tile: PixelTile, scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if kernel == 1 {
            if tile.samples == 1 { return (UnsafePointer(view.inPlace(input, tile)), view.plane) }
            view.gather(input, tile, into: scratch)
        } else {
            im2col(input, channels: view.channels, height: view.height, width: view.width, kernel: kernel,
                   tile: tile, into: scratch)
        }
        return (UnsafePointer(scratch), tile.columns(width: view.width))
    }

    /// `inputGradient += Wᵀ ⋆ outputGradient`: the adjoint of `convolve` with respect to its input.
    ///
    /// The adjoint of a same-padded correlation is the correlation with the kernel flipped in both
    /// axes and its channel axes swapped, `W′[ci, co, a, b] = W[co, ci, k−1−a, k−1−b]`, so this reuses
    /// `convolve` (same gemm shapes, tiles writing disjoint pixels, no col2im scatter).
    static func accumulateInputGradient(_ outputGradient: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                                        into inputGradient: UnsafeMutablePointer<Float>, shape s: Shape) {
        let k = s.kernel, taps = k * k
        let flipped = Tensor(uninitialized: [s.inputChannels, s.outputChannels * taps])
        let f = flipped.pointer
        for o in 0..<s.outputChannels {
            for i in 0..<s.inputChannels {
                let source = weight + (o * s.inputChannels + i) * taps
                let destination = f + (i * s.outputChannels + o) * taps
                for t in 0..<taps { destination[t] = source[taps - 1 - t] }
            }
        }
        let adjoint = Shape(batch: s.batch, inputChannels: s.outputChannels, outputChannels: s.inputChannels,
                            height: s.height, width: s.width, kernel: k)
        convolve(outputGradient, weight: f, bias: nil, into: inputGradient, shape: adjoint, accumulate: true)
    }

    /// `weightGradient[Cout, Cin·k·k] += Σ_tiles Ȳ_tile · col_tileᵀ`, with per-thread partial sums added
    /// in chunk order (deterministic for a fixed thread count).
    static func accumulateWeightGradient(_ input: UnsafeMutablePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                         into weightGradient: UnsafeMutablePointer<Float>, shape s: Shape) {
        let tiles = ConvolutionTiling.tiles(batch: s.batch, height: s.height, width: s.width,
                                            rowsPerColumn: max(s.patch, s.outputChannels))
        let maxColumns = tiles.map { $0.columns(width: s.width) }.max() ?? 0
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        let outputView = TileMatrix(channels: s.outputChannels, height: s.height, width: s.width)
        let partials = forEachTile(tiles, makeScratch: {
            (col: Tensor(uninitialized: [s.patch * maxColumns]),
             gradient: Tensor(uninitialized: [s.outputChannels * maxColumns]),
             sum: Tensor(zeros: [s.outputChannels * s.patch]))
        }) { tile, scratch in
            let columns = tile.columns(width: s.width)
            let (b, ldb) = patches(input, view: inputView, kernel: s.kernel, tile: tile, scratch: scratch.col.pointer)
            let a: UnsafeMutablePointer<Float>, lda: Int
            if tile.samples == 1 {
                (a, lda) = (outputView.inPlace(outputGradient, tile), s.plane)
            } else {
                outputView.gather(outputGradient, tile, into: scratch.gradient.pointer)
                (a, lda) = (scratch.gradient.pointer, columns)
            }
            // W̄ᵀ[Cin·k·k, Cout] += col · Ȳᵀ: the large col matrix as sgemm's left operand packs faster
            // than as the transposed right operand of W̄ = Ȳ · colᵀ.
            BLAS.gemm(transposeB: true, m: s.patch, n: s.outputChannels, k: columns, a: b, lda: ldb,
                      b: a, ldb: lda, beta: 1, c: scratch.sum.pointer, ldc: s.outputChannels)
        }
        for partial in partials {
            let p = partial.sum.pointer
            for o in 0..<s.outputChannels {
                for i in 0..<s.patch { weightGradient[o * s.patch + i] += p[i * s.outputChannels + o] }
            }
        }
    }

    /// `biasGradient[o] += Σ_{n,y,x} outputGradient[n, o, y, x]`.
    static func accumulateBiasGradient(_ outputGradient: UnsafePointer<Float>, into biasGradient: UnsafeMutablePointer<Float>,
                                       batch: Int, channels: Int, plane: Int) {
        for n in 0..<batch {
            for o in 0..<channels {
                let g = outputGradient + (n * channels + o) * plane
                var total: Float = 0
                for i in 0..<plane { total += g[i] }
                biasGradient[o] += total
            }
        }
    }
}
