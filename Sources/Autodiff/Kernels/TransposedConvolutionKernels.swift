import TensorCore

/// 2×2 stride-2 transposed convolution kernels on NCHW Float32 tensors (Ops/TransposedConv2x2.swift).
///
/// Every input pixel (n, i, j) paints the 2×2 output block at (2i, 2j) on its own, so for a tile of T
/// input pixels `Y4[Cout·4, T] = W4ᵀ · X[Cin, T]` with the weight `[Cin, Cout, 2, 2]` read as the
/// row-major matrix `W4[Cin, Cout·4]`; row `o·4 + 2a + b` of `Y4` is output sub-pixel (a, b) of
/// channel o. The backward products are `X̄ += W4 · Ȳ4` and `W̄4 += X · Ȳ4ᵀ`.
enum TransposedConvolutionKernels {
    struct Shape {
        let batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int
        var plane: Int { height * width }
        var subPixels: Int { outputChannels * 4 }
    }

    private static func tiles(_ s: Shape) -> [PixelTile] {
        ConvolutionTiling.tiles(batch: s.batch, height: s.height, width: s.width,
                                rowsPerColumn: max(s.inputChannels, s.subPixels))
    }

    /// `output[N, Cout, 2H, 2W] ← bias + transposed convolution of input[N, Cin, H, W]`.
    static func forward(_ input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        into output: UnsafeMutablePointer<Float>, shape s: Shape) {
        let tiles = tiles(s)
        let maxColumns = tiles.map { $0.columns(width: s.width) }.max() ?? 0
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        _ = forEachTile(tiles, makeScratch: {
            (input: Tensor(uninitialized: [s.inputChannels * maxColumns]),
             product: Tensor(uninitialized: [s.subPixels * maxColumns]))
        }) { tile, scratch in
            let columns = tile.columns(width: s.width)
            let (x, ldx) = view(input, inputView, tile, scratch: scratch.input.pointer)
            BLAS.gemm(transposeA: true, m: s.subPixels, n: columns, k: s.inputChannels,
                      a: weight, lda: s.subPixels, b: x, ldb: ldx, beta: 0,
                      c: scratch.product.pointer, ldc: columns)
            shuffle(scratch.product.pointer, bias: bias, tile: tile, into: output, shape: s)
        }
    }

    /// Accumulates `inputGradient` (if non-nil) and `weightGradient` (if non-nil) from `outputGradient`.
    static func backward(_ outputGradient: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>,
                         weight: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                         weightGradient: UnsafeMutablePointer<Float>?, shape s: Shape) {
        let tiles = tiles(s)
        let maxColumns = tiles.map { $0.columns(width: s.width) }.max() ?? 0
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        let partials = forEachTile(tiles, makeScratch: {
            (input: Tensor(uninitialized: [s.inputChannels * maxColumns]),
             gradient: Tensor(uninitialized: [s.subPixels * maxColumns]),
             inputGradient: Tensor(uninitialized: [s.inputChannels * maxColumns]),
             sum: Tensor(zeros: [s.inputChannels * s.subPixels]))
        }) { tile, scratch in
            let columns = tile.columns(width: s.width)
            let g = scratch.gradient.pointer
            unshuffle(outputGradient, tile: tile, into: g, shape: s)
            if let inputGradient {
                let inPlace = tile.samples == 1
                let c = inPlace ? inputView.inPlace(inputGradient, tile) : scratch.inputGradient.pointer
                BLAS.gemm(m: s.inputChannels, n: columns, k: s.subPixels, a: weight, lda: s.subPixels,
                          b: g, ldb: columns, beta: inPlace ? 1 : 0, c: c, ldc: inPlace ? s.plane : columns)
                if !inPlace { inputView.scatter(c, tile, into: inputGradient, accumulate: true) }
            }
            if weightGradient != nil {
                let (x, ldx) = view(input, inputView, tile, scratch: scratch.input.pointer)
                BLAS.gemm(transposeB: true, m: s.inputChannels, n: s.subPixels, k: columns,
                          a: x, lda: ldx, b: g, ldb: columns, beta: 1, c: scratch.sum.pointer, ldc: s.subPixels)
            }
        }
        if let weightGradient {
            for partial in partials {
                let p = partial.sum.pointer
                for i in 0..<(s.inputChannels * s.subPixels) { weightGradient[i] += p[i] }
            }
        }
    }

    private static func view(_ tensor: UnsafeMutablePointer<Float>, _ view: TileMatrix, _ tile: PixelTile,
                             scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if tile.samples == 1 { return (UnsafePointer(view.inPlace(tensor, tile)), view.plane) }
        view.gather(tensor, tile, into: scratch)
        return (UnsafePointer(scratch), tile.columns(width: view.width))
    }

    /// `output[n, o, 2i+a, 2j+b] = bias[o] + Y4[o·4 + 2a + b, column(n, i, j)]` for the tile's pixels.
    private static func shuffle(_ product: UnsafePointer<Float>, bias: UnsafePointer<Float>, tile: PixelTile,
                                into output: UnsafeMutablePointer<Float>, shape s: Shape) {
        let columns = tile.columns(width: s.width), span = tile.rows * s.width, outWidth = 2 * s.width
        for sample in 0..<tile.samples {
            for o in 0..<s.outputChannels {
                let image = output + ((tile.sample + sample) * s.outputChannels + o) * 4 * s.plane
                for a in 0..<2 {
                    let y0 = product + (o * 4 + 2 * a) * columns + sample * span
                    let y1 = y0 + columns
                    for i in 0..<tile.rows {
                        let line = image + (2 * (tile.row + i) + a) * outWidth
                        let r0 = y0 + i * s.width, r1 = y1 + i * s.width
                        for j in 0..<s.width {
                            line[2 * j] = r0[j] + bias[o]
                            line[2 * j + 1] = r1[j] + bias[o]
                        }
                    }
                }
            }
        }
    }

    /// The adjoint gather of `shuffle`: `Ȳ4[o·4 + 2a + b, column(n, i, j)] = ȳ[n, o, 2i+a, 2j+b]`.
    private static func unshuffle(_ outputGradient: UnsafePointer<Float>, tile: PixelTile,
                                  into gradient: UnsafeMutablePointer<Float>, shape s: Shape) {
        let columns = tile.columns(width: s.width), span = tile.rows * s.width, outWidth = 2 * s.width
        for sample in 0..<tile.samples {
            for o in 0..<s.outputChannels {
                let image = outputGradient + ((tile.sample + sample) * s.outputChannels + o) * 4 * s.plane
                for a in 0..<2 {
                    let g0 = gradient + (o * 4 + 2 * a) * columns + sample * span
                    let g1 = g0 + columns
                    for i in 0..<tile.rows {
                        let line = image + (2 * (tile.row + i) + a) * outWidth
                        let r0 = g0 + i * s.width, r1 = g1 + i * s.width
                        for j in 0..<s.width {
                            r0[j] = line[2 * j]
                            r1[j] = line[2 * j + 1]
                        }
                    }
                }
            }
        }
    }
}
