import Foundation
import TensorCore

// Pixel tiles: the unit of work of the convolution kernels.
//
// A convolution over an NCHW batch is a matrix product whose columns are output pixels. Rather than
// one huge product over all N·H·W pixels (whose im2col matrix, 9·Cin rows by N·H·W columns, would
// stream through main memory twice), the kernels walk the pixels in tiles small enough that a tile's
// im2col matrix stays in the core's L2 cache. Tiles are also the unit of thread parallelism.

/// Either whole images `sample ..< sample + samples` (then `row == 0`, `rows == height`), or the rows
/// `row ..< row + rows` of the single image `sample`.
struct PixelTile {
    let sample: Int
    let samples: Int
    let row: Int
    let rows: Int

    /// Number of pixels (matrix columns) in the tile for images of the given width.
    func columns(width: Int) -> Int { samples * rows * width }
}

/// Tunables for the tile size.
public enum ConvolutionTiling {
    /// Target size, in Float32 elements, of the patch matrix of one tile (rows · columns). Measured
    /// with `phasemask bench conv` on a 2 MiB-L2 core: 2¹⁵ floats (128 KiB) beat larger tiles.
    nonisolated(unsafe) public static var scratchFloats = 1 << 15
    /// Row bands are at least this many rows (or the whole image), so that the k − 1 halo rows of the
    /// shifted-rows layout add at most a quarter to the patch matrix.
    nonisolated(unsafe) public static var minimumRows = 8

    /// Tiles covering `batch` images of `height`×`width` pixels, each with at most
    /// `max(minimumRows · width, scratchFloats / rowsPerColumn)` columns: groups of whole images when
    /// an image fits, else equal bands of rows of one image.
    static func tiles(batch: Int, height: Int, width: Int, rowsPerColumn: Int) -> [PixelTile] {
        let maxColumns = max(max(1, min(height, minimumRows)) * width, scratchFloats / max(rowsPerColumn, 1))
        var tiles: [PixelTile] = []
        let plane = height * width
        if plane <= maxColumns {
            let group = maxColumns / plane
            for n in stride(from: 0, to: batch, by: group) {
                tiles.append(PixelTile(sample: n, samples: min(group, batch - n), row: 0, rows: height))
            }
        } else {
            // Equal row bands (differing by at most one row) of at most maxColumns / width rows.
            let bands = (height + maxColumns / width - 1) / (maxColumns / width)
            for n in 0..<batch {
                for band in 0..<bands {
                    let y0 = height * band / bands, y1 = height * (band + 1) / bands
                    tiles.append(PixelTile(sample: n, samples: 1, row: y0, rows: y1 - y0))
                }
            }
        }
        return tiles
    }
}

/// The `[channels, tile columns]` matrix view of one tile of an NCHW tensor.
///
/// A single-image tile is a strided view into the tensor itself (leading dimension `height·width`),
/// so no copy is needed; a multi-image tile must be gathered into (or scattered from) a contiguous
/// `[channels, columns]` scratch matrix.
struct TileMatrix {
    let channels: Int
    let height: Int
    let width: Int

    var plane: Int { height * width }

    /// Pointer to element (channel 0, first pixel) of a single-image tile inside `tensor`.
    func inPlace(_ tensor: UnsafeMutablePointer<Float>, _ tile: PixelTile) -> UnsafeMutablePointer<Float> {
        tensor + tile.sample * channels * plane + tile.row * width
    }

    /// Copies the tile out of `tensor` into the `[channels, ·]` matrix `matrix` with leading dimension
    /// `ld` (default: the tile's column count), image s starting at column `s · sampleStride` (default:
    /// the images packed back to back).
    func gather(_ tensor: UnsafePointer<Float>, _ tile: PixelTile, into matrix: UnsafeMutablePointer<Float>,
                ld: Int? = nil, sampleStride: Int? = nil) {
        let span = tile.rows * width, ld = ld ?? tile.columns(width: width), stride = sampleStride ?? span
        for s in 0..<tile.samples {
            let source = tensor + (tile.sample + s) * channels * plane + tile.row * width
            for c in 0..<channels {
                (matrix + c * ld + s * stride).update(from: source + c * plane, count: span)
            }
        }
    }

    /// Writes (or, with `accumulate`, adds) the matrix laid out as for `gather` into `tensor`.
    func scatter(_ matrix: UnsafePointer<Float>, _ tile: PixelTile, into tensor: UnsafeMutablePointer<Float>,
                 accumulate: Bool, ld: Int? = nil, sampleStride: Int? = nil) {
        let span = tile.rows * width, ld = ld ?? tile.columns(width: width), stride = sampleStride ?? span
        for s in 0..<tile.samples {
            let destination = tensor + (tile.sample + s) * channels * plane + tile.row * width
            for c in 0..<channels {
                let d = destination + c * plane, m = matrix + c * ld + s * stride
                if accumulate {
                    for i in 0..<span { d[i] += m[i] }
                } else {
                    d.update(from: m, count: span)
                }
            }
        }
    }
}

/// Runs `body(tiles[i], scratch)` for every tile, the tiles split into contiguous chunks over
/// `Parallel.threads` threads; each chunk gets its own `Scratch` from `makeScratch()`. Returns the
/// scratch objects in chunk order (for deterministic reductions of per-chunk partial results).
///
/// One level of parallelism: when OpenBLAS itself runs more than one thread, the tiles run one
/// after the other and the parallelism is OpenBLAS's (both at once oversubscribe the cores).
func forEachTile<Scratch>(_ tiles: [PixelTile], makeScratch: () -> Scratch,
                          _ body: (PixelTile, Scratch) -> Void) -> [Scratch] {
    if BLAS.threads > 1 || Parallel.threads <= 1 {
        let scratch = makeScratch()
        for tile in tiles { body(tile, scratch) }
        return [scratch]
    }
    var results: [(Int, Scratch)] = []
    let lock = NSLock()
    Parallel.chunks(tiles.count) { range in
        let scratch = makeScratch()
        for i in range { body(tiles[i], scratch) }
        lock.withLock { results.append((range.lowerBound, scratch)) }
    }
    return results.sorted { $0.0 < $1.0 }.map(\.1)
}
