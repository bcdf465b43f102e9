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
    /// Upper bound, in Float32 elements, on the largest im2col scratch matrix of one tile
    /// (rows · columns). The default (2¹⁸ floats = 1 MiB) keeps a tile's working set in a 2 MiB L2.
    nonisolated(unsafe) public static var scratchFloats = 1 << 18

    /// Tiles covering `batch` images of `height`×`width` pixels, each with at most
    /// `max(width, scratchFloats / rowsPerColumn)` columns (never less than one image row).
    static func tiles(batch: Int, height: Int, width: Int, rowsPerColumn: Int) -> [PixelTile] {
        let maxColumns = max(width, scratchFloats / max(rowsPerColumn, 1))
        var tiles: [PixelTile] = []
        let plane = height * width
        if plane <= maxColumns {
            let group = maxColumns / plane
            for n in stride(from: 0, to: batch, by: group) {
                tiles.append(PixelTile(sample: n, samples: min(group, batch - n), row: 0, rows: height))
            }
        } else {
            let rows = maxColumns / width
            for n in 0..<batch {
                for y in stride(from: 0, to: height, by: rows) {
                    tiles.append(PixelTile(sample: n, samples: 1, row: y, rows: min(rows, height - y)))
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

    /// Copies the tile out of `tensor` into the contiguous `[channels, columns]` matrix `matrix`.
    func gather(_ tensor: UnsafePointer<Float>, _ tile: PixelTile, into matrix: UnsafeMutablePointer<Float>) {
        let columns = tile.columns(width: width), span = tile.rows * width
        for s in 0..<tile.samples {
            let source = tensor + (tile.sample + s) * channels * plane + tile.row * width
            for c in 0..<channels {
                (matrix + c * columns + s * span).update(from: source + c * plane, count: span)
            }
        }
    }

    /// Writes (or, with `accumulate`, adds) the contiguous `[channels, columns]` `matrix` into `tensor`.
    func scatter(_ matrix: UnsafePointer<Float>, _ tile: PixelTile, into tensor: UnsafeMutablePointer<Float>,
                 accumulate: Bool) {
        let columns = tile.columns(width: width), span = tile.rows * width
        for s in 0..<tile.samples {
            let destination = tensor + (tile.sample + s) * channels * plane + tile.row * width
            for c in 0..<channels {
                let d = destination + c * plane, m = matrix + c * columns + s * span
                if accumulate {
                    for i in 0..<span { d[i] += m[i] }
                } else {
                    d.update(from: m, count: span)
                }
            }
        }
    }
}

/// im2col for one tile: copies the k×k neighbourhood of every tile pixel into a column of `col`.
///
/// `source` is `[batch, channels, height, width]`; `col` is `[channels·k·k, tile columns]`, its row
/// `(c·k + a)·k + b` holding `source[n, c, y + a − k/2, x + b − k/2]` (zero outside the image) in the
/// column of pixel (n, y, x), columns ordered image by image, row by row. `k` is odd, k ≤ 2·width + 1.
///
/// For fixed (c, a, b) and image, the tile's rows form one contiguous run of the destination and, up
/// to the horizontal shift b − k/2, of the source: each is a single `memcpy` (vectorized by libc)
/// followed by zeroing the |shift| edge entries of each row and the rows that fall outside the image.
func im2col(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel k: Int,
            tile: PixelTile, into col: UnsafeMutablePointer<Float>) {
    let pad = k / 2, plane = height * width, columns = tile.columns(width: width), span = tile.rows * width
    for c in 0..<channels {
        for a in 0..<k {
            // Tile rows y whose source row y + a − pad lies inside the image.
            let first = max(tile.row, pad - a), end = min(tile.row + tile.rows, height + pad - a)
            for b in 0..<k {
                let shift = b - pad
                let row = col + ((c * k + a) * k + b) * columns
                for s in 0..<tile.samples {
                    let destination = row + s * span
                    guard first < end else { destination.update(repeating: 0, count: span); continue }
                    let image = source + ((tile.sample + s) * channels + c) * plane
                    let head = (first - tile.row) * width, count = (end - first) * width
                    destination.update(repeating: 0, count: head)
                    (destination + head + count).update(repeating: 0, count: span - head - count)
                    let from = image + (first + a - pad) * width, to = destination + head
                    if shift < 0 {
                        (to - shift).update(from: from, count: count + shift)
                    } else {
                        to.update(from: from + shift, count: count - shift)
                    }
                    // Entries whose source column x + shift is outside [0, width) are zero.
                    for y in 0..<(end - first) {
                        let line = to + y * width
                        if shift < 0 {
                            for x in 0..<(-shift) { line[x] = 0 }
                        } else {
                            for x in (width - shift)..<width { line[x] = 0 }
                        }
                    }
                }
            }
        }
    }
}

/// Runs `body(tiles[i], scratch)` for every tile, the tiles split into contiguous chunks over
/// `Parallel.threads` threads; each chunk gets its own `Scratch` from `makeScratch()`. Returns the
/// scratch objects in chunk order (for deterministic reductions of per-chunk partial results).
func forEachTile<Scratch>(_ tiles: [PixelTile], makeScratch: () -> Scratch,
                          _ body: (PixelTile, Scratch) -> Void) -> [Scratch] {
    var results: [(Int, Scratch)] = []
    let lock = NSLock()
    Parallel.chunks(tiles.count) { range in
        let scratch = makeScratch()
        for i in range { body(tiles[i], scratch) }
        lock.withLock { results.append((range.lowerBound, scratch)) }
    }
    return results.sorted { $0.0 < $1.0 }.map(\.1)
}
