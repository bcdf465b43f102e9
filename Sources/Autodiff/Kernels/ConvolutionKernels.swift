import TensorCore

/// Stride-1 "same" k×k convolution kernels (k odd, zero padding k/2) on NCHW Float32 tensors, built
/// from pixel tiles (PixelTiles.swift), patch matrices (Im2col.swift) and `cblas_sgemm`. Used by
/// `conv2d` (Ops/Conv2D.swift).
///
/// A tile of T output pixels computes `Y[Cout, T] = W · patches` either as one product with the full
/// im2col matrix or, in the shifted-rows layout, as k products (one per vertical tap) over a matrix a
/// third the size (for k = 3); see Im2col.swift. Single-image tiles read and write the tensors in
/// place (leading dimension H·W). Tiles are split over `Parallel.threads`; when that is > 1, set
/// OpenBLAS to one thread.
enum ConvolutionKernels {
    struct Shape {
        let batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int, kernel: Int
        var patch: Int { inputChannels * kernel * kernel }
        var plane: Int { height * width }

        /// The convolution whose forward pass is this one's input gradient.
        var adjoint: Shape {
            Shape(batch: batch, inputChannels: outputChannels, outputChannels: inputChannels,
                  height: height, width: width, kernel: kernel)
        }
    }

    enum Layout { case full, shiftedRows }

    /// Tiles and patch layout for `s`: shifted rows (tiles sized for its k-times-smaller matrix)
    /// unless some tile would hold several images of fewer than 16 rows, where the (k − 1) halo rows
    /// per image would waste more than 1/9 of the product; then full im2col.
    static func plan(_ s: Shape) -> (tiles: [PixelTile], layout: Layout) {
        if s.kernel > 1 {
            let tiles = ConvolutionTiling.tiles(batch: s.batch, height: s.height, width: s.width,
                                                rowsPerColumn: max(s.inputChannels * s.kernel, s.outputChannels))
            if tiles.allSatisfy({ $0.samples == 1 || $0.rows >= 16 }) { return (tiles, .shiftedRows) }
        }
        let tiles = ConvolutionTiling.tiles(batch: s.batch, height: s.height, width: s.width,
                                            rowsPerColumn: max(s.patch, s.outputChannels))
        return (tiles, .full)
    }

    /// The weight `[Cout, Cin, k, k]` (or, with `adjoint`, its flipped and channel-transposed
    /// `W′[ci, co, a, b] = W[co, ci, k−1−a, k−1−b]`) as sgemm left operands: `[R, C·k·k]` for the
    /// full layout, `[k][R][C·k]` (one `[R, C·k]` matrix per vertical tap a) for shifted rows, where R
    /// and C are the output and input channels of the (adjoint) convolution `s`.
    static func weightMatrices(_ weight: UnsafePointer<Float>, shape s: Shape, adjoint: Bool, layout: Layout) -> Tensor {
        let k = s.kernel, taps = k * k, (rows, inputs) = (s.outputChannels, s.inputChannels)
        let matrices = Tensor(uninitialized: [rows * inputs * taps])
        let m = matrices.pointer
        for r in 0..<rows {
            for c in 0..<inputs {
                for a in 0..<k {
                    for b in 0..<k {
                        let value = adjoint ? weight[(c * rows + r) * taps + (k - 1 - a) * k + (k - 1 - b)]
                                            : weight[(r * inputs + c) * taps + a * k + b]
                        switch layout {
                        case .full: m[(r * inputs + c) * taps + a * k + b] = value
                        case .shiftedRows: m[(a * rows + r) * inputs * k + c * k + b] = value
                        }
                    }
                }
            }
        }
        return matrices
    }

    /// `output ← bias + W ⋆ input`, or with `accumulate` `output += W ⋆ input` (no bias), where
    /// `input` is `[N, C, H, W]` and `output` `[N, R, H, W]` for the (adjoint) convolution `s`, `plan`
    /// is `plan(s)` and `weight` comes from `weightMatrices(_:shape:adjoint:layout:)` for that layout.
    static func convolve(_ input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                         plan: (tiles: [PixelTile], layout: Layout), bias: UnsafePointer<Float>?,
                         into output: UnsafeMutablePointer<Float>, shape s: Shape, accumulate: Bool) {
        let (tiles, layout) = plan, k = s.kernel
        let (colFloats, productFloats) = scratchSizes(s, tiles, layout)
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        let outputView = TileMatrix(channels: s.outputChannels, height: s.height, width: s.width)
        _ = forEachTile(tiles, makeScratch: {
            (col: Tensor(uninitialized: [colFloats]), product: Tensor(uninitialized: [productFloats]))
        }) { tile, scratch in
            let inPlace = tile.samples == 1
            let shifted = ShiftedRowsLayout(kernel: k, width: s.width, tile: tile)
            let columns = layout == .full ? tile.columns(width: s.width) : shifted.productColumns
            let c = inPlace ? outputView.inPlace(output, tile) : scratch.product.pointer
            let ldc = inPlace ? s.plane : columns
            var beta: Float = 0
            if inPlace && accumulate {
                beta = 1
            } else if let bias {
                for o in 0..<s.outputChannels { (c + o * ldc).update(repeating: bias[o], count: columns) }
                beta = 1
            }
            switch layout {
            case .full:
                let (b, ldb) = patches(input, view: inputView, kernel: k, tile: tile, scratch: scratch.col.pointer)
                BLAS.gemm(m: s.outputChannels, n: columns, k: s.patch, a: weight, lda: s.patch,
                          b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            case .shiftedRows:
                let rows = scratch.col.pointer, depth = s.inputChannels * k
                shiftedRows(input, channels: s.inputChannels, height: s.height, width: s.width,
                            layout: shifted, into: rows)
                for a in 0..<k {
                    BLAS.gemm(m: s.outputChannels, n: columns, k: depth,
                              a: weight + a * s.outputChannels * depth, lda: depth,
                              b: rows + a * s.width, ldb: shifted.columns, beta: a == 0 ? beta : 1, c: c, ldc: ldc)
                }
            }
            if !inPlace {
                outputView.scatter(c, tile, into: output, accumulate: accumulate, ld: columns,
                                   sampleStride: layout == .full ? nil : shifted.sampleStride)
            }
        }
    }

    /// Floats of the per-thread patch matrix and product scratch for the given tiles and layout.
    static func scratchSizes(_ s: Shape, _ tiles: [PixelTile], _ layout: Layout) -> (col: Int, product: Int) {
        var col = 0, product = 0
        for tile in tiles {
            let shifted = ShiftedRowsLayout(kernel: s.kernel, width: s.width, tile: tile)
            switch layout {
            case .full:
                col = max(col, s.patch * tile.columns(width: s.width))
                product = max(product, s.outputChannels * tile.columns(width: s.width))
            case .shiftedRows:
                col = max(col, s.inputChannels * s.kernel * shifted.columns)
                product = max(product, s.outputChannels * shifted.productColumns)
            }
        }
        return (col, product)
    }

    /// The full im2col matrix of `tile` as (pointer, leading dimension): in place for 1×1
    /// single-image tiles, otherwise built in `scratch`.
    static func patches(_ input: UnsafeMutablePointer<Float>, view: TileMatrix, kernel: Int,
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

    /// `output = bias + conv(input)` with the PyTorch-layout weight `[Cout, Cin, k, k]`.
    static func forward(_ input: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        into output: UnsafeMutablePointer<Float>, shape s: Shape) {
        let plan = plan(s)
        let matrices = weightMatrices(weight, shape: s, adjoint: false, layout: plan.layout)
        convolve(input, weight: matrices.pointer, plan: plan, bias: bias, into: output, shape: s, accumulate: false)
    }

    /// `inputGradient += Wᵀ ⋆ outputGradient`, the adjoint of the forward pass with respect to its input:
    /// the correlation with the flipped, channel-transposed kernel, i.e. `convolve` on the adjoint
    /// shape (same product shapes, tiles write disjoint pixels, no col2im scatter).
    static func accumulateInputGradient(_ outputGradient: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                                        into inputGradient: UnsafeMutablePointer<Float>, shape s: Shape) {
        let adjoint = s.adjoint
        let plan = plan(adjoint)
        let matrices = weightMatrices(weight, shape: adjoint, adjoint: true, layout: plan.layout)
        convolve(outputGradient, weight: matrices.pointer, plan: plan, bias: nil, into: inputGradient,
                 shape: adjoint, accumulate: true)
    }
}
