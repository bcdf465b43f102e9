import TensorCore

extension ConvolutionKernels {
    /// `weightGradient[Cout, Cin, k, k] += Σ_tiles Ȳ_tile · patches_tileᵀ`.
    ///
    /// Each product is computed transposed, `W̄ᵀ[Cin·k·k, Cout] += patches · Ȳᵀ` (per vertical tap in the
    /// shifted-rows layout): with the large patch matrix as sgemm's left operand OpenBLAS packs it
    /// faster. Per-thread partial sums are added in chunk order, so the result is deterministic for
    /// a fixed thread count.
    static func accumulateWeightGradient(_ input: UnsafeMutablePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                         into weightGradient: UnsafeMutablePointer<Float>, shape s: Shape) {
        let (tiles, layout) = plan(s), k = s.kernel
        let (colFloats, productFloats) = scratchSizes(s, tiles, layout)
        let inputView = TileMatrix(channels: s.inputChannels, height: s.height, width: s.width)
        let outputView = TileMatrix(channels: s.outputChannels, height: s.height, width: s.width)
        let partials = forEachTile(tiles, makeScratch: {
            (col: Tensor(uninitialized: [colFloats]), gradient: Tensor(uninitialized: [productFloats]),
             sum: Tensor(zeros: [s.patch * s.outputChannels]))
        }) { tile, scratch in
            let shifted = ShiftedRowsLayout(kernel: k, width: s.width, tile: tile)
            let columns = layout == .full ? tile.columns(width: s.width) : shifted.productColumns
            let (g, ldg) = outputGradientMatrix(outputGradient, view: outputView, tile: tile, layout: layout,
                                                shifted: shifted, scratch: scratch.gradient.pointer)
            switch layout {
            case .full:
                let (b, ldb) = patches(input, view: inputView, kernel: k, tile: tile, scratch: scratch.col.pointer)
                BLAS.gemm(transposeB: true, m: s.patch, n: s.outputChannels, k: columns, a: b, lda: ldb,
                          b: g, ldb: ldg, beta: 1, c: scratch.sum.pointer, ldc: s.outputChannels)
            case .shiftedRows:
                let rows = scratch.col.pointer, depth = s.inputChannels * k
                shiftedRows(input, channels: s.inputChannels, height: s.height, width: s.width,
                            layout: shifted, into: rows)
                for a in 0..<k {
                    BLAS.gemm(transposeB: true, m: depth, n: s.outputChannels, k: columns,
                              a: rows + a * s.width, lda: shifted.columns, b: g, ldb: ldg, beta: 1,
                              c: scratch.sum.pointer + a * depth * s.outputChannels, ldc: s.outputChannels)
                }
            }
        }
        let taps = k * k, cout = s.outputChannels, cin = s.inputChannels
        for partial in partials {
            let p = partial.sum.pointer
            for o in 0..<cout {
                for c in 0..<cin {
                    for a in 0..<k {
                        for b in 0..<k {
                            let row = layout == .full ? (c * k + a) * k + b : (a * cin + c) * k + b
                            weightGradient[(o * cin + c) * taps + a * k + b] += p[row * cout + o]
                        }
                    }
                }
            }
        }
    }

    /// Ȳ of a tile as `[Cout, columns]` (pointer, leading dimension): in place for single-image tiles;
    /// otherwise gathered, in the shifted-rows layout with zeros in the columns between images so
    /// that the halo columns of the patch matrix contribute nothing.
    private static func outputGradientMatrix(_ outputGradient: UnsafeMutablePointer<Float>, view: TileMatrix,
                                             tile: PixelTile, layout: Layout, shifted: ShiftedRowsLayout,
                                             scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if tile.samples == 1 { return (UnsafePointer(view.inPlace(outputGradient, tile)), view.plane) }
        guard layout == .shiftedRows else {
            view.gather(outputGradient, tile, into: scratch)
            return (UnsafePointer(scratch), tile.columns(width: view.width))
        }
        let ld = shifted.productColumns, span = tile.rows * view.width
        view.gather(outputGradient, tile, into: scratch, ld: ld, sampleStride: shifted.sampleStride)
        for c in 0..<view.channels {
            for s in 0..<(tile.samples - 1) {
                (scratch + c * ld + s * shifted.sampleStride + span).update(repeating: 0, count: shifted.sampleStride - span)
            }
        }
        return (UnsafePointer(scratch), ld)
    }

    /// `biasGradient[o] += Σ_{n,y,x} outputGradient[n, o, y, x]` (channels split over
    /// `Parallel.threads`; each channel summed in a fixed order).
    static func accumulateBiasGradient(_ outputGradient: UnsafePointer<Float>, into biasGradient: UnsafeMutablePointer<Float>,
                                       batch: Int, channels: Int, plane: Int) {
        Parallel.chunks(channels) { range in
            for o in range {
                var total: Float = 0
                for n in 0..<batch { total += planeSum(outputGradient + (n * channels + o) * plane, count: plane) }
                biasGradient[o] += total
            }
        }
    }

    /// Σ p[0..<count] with eight interleaved partial sums (vectorizable; fixed summation order).
    @inline(__always)
    static func planeSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD8<Float>(repeating: 0)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= count {
            partial += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = partial.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }
}
