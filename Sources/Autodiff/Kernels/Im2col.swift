// Two ways of laying out the k×k neighbourhoods of a tile's pixels as matrix columns for sgemm
// (k odd, zero padding k/2, k ≤ 2·width + 1).
//
// - Full im2col: `[C·k·k, T]`, one row per (channel, tap). One product with the weight, but the
//   matrix is k² times the tile.
// - Shifted rows: `[C·k, S·(rows + k − 1)·W]`, one row per (channel, horizontal tap b), holding the
//   tile's rows plus k − 1 halo rows, shifted horizontally by b − k/2. The vertical tap a is then a
//   column offset of a·W into the same matrix (leading dimension unchanged), so the convolution is k
//   products of depth C·k that share one matrix only k times the tile. With S > 1 images the
//   product also yields (k − 1)·W meaningless columns between images, which are skipped.

/// Shifted-rows layout parameters of one tile.
struct ShiftedRowsLayout {
    let kernel: Int
    let width: Int
    let tile: PixelTile

    /// Columns per image: the tile's rows plus the halo.
    var sampleStride: Int { (tile.rows + kernel - 1) * width }
    /// Leading dimension of the shifted-rows matrix.
    var columns: Int { tile.samples * sampleStride }
    /// Columns of each per-tap product (image s's outputs at `s · sampleStride ..< + rows·W`).
    var productColumns: Int { columns - (kernel - 1) * width }
}

/// Full im2col of `tile` into `col[(c·k + a)·k + b, column]` = `source[n, c, y + a − k/2, x + b − k/2]`
/// (zero outside the image), columns ordered image by image, row by row.
func im2col(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel k: Int,
            tile: PixelTile, into col: UnsafeMutablePointer<Float>) {
    let columns = tile.columns(width: width)
    for c in 0..<channels {
        for a in 0..<k {
            for b in 0..<k {
                copyNeighbours(source, channel: c, channels: channels, height: height, width: width,
                               firstRow: tile.row + a - k / 2, rows: tile.rows, shift: b - k / 2, tile: tile,
                               into: col + ((c * k + a) * k + b) * columns, sampleStride: tile.rows * width)
            }
        }
    }
}

/// Shifted-rows layout of `tile`: row `c·k + b`, column `s·sampleStride + r·W + x` holds
/// `source[n_s, c, tile.row − k/2 + r, x + b − k/2]` (zero outside the image) for r < rows + k − 1.
func shiftedRows(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                 layout: ShiftedRowsLayout, into matrix: UnsafeMutablePointer<Float>) {
    let k = layout.kernel, tile = layout.tile
    for c in 0..<channels {
        for b in 0..<k {
            copyNeighbours(source, channel: c, channels: channels, height: height, width: width,
                           firstRow: tile.row - k / 2, rows: tile.rows + k - 1, shift: b - k / 2, tile: tile,
                           into: matrix + (c * k + b) * layout.columns, sampleStride: layout.sampleStride)
        }
    }
}

/// For each image s of the tile: `destination[s·sampleStride + r·W + x] = image[firstRow + r, x + shift]`
/// for r < rows, zero where the source pixel is outside the image.
///
/// The in-image rows are one contiguous run of both source and destination up to the shift, copied
/// with a single `memcpy` (vectorized by libc); then the |shift| edge entries of each row and the
/// out-of-image rows are zeroed.
private func copyNeighbours(_ source: UnsafePointer<Float>, channel c: Int, channels: Int, height: Int,
                            width: Int, firstRow: Int, rows: Int, shift: Int, tile: PixelTile,
                            into destination: UnsafeMutablePointer<Float>, sampleStride: Int) {
    let plane = height * width, span = rows * width
    let first = max(firstRow, 0), end = min(firstRow + rows, height)
    for s in 0..<tile.samples {
        let block = destination + s * sampleStride
        guard first < end else { block.update(repeating: 0, count: span); continue }
        let head = (first - firstRow) * width, count = (end - first) * width
        if head > 0 { block.update(repeating: 0, count: head) }
        if head + count < span { (block + head + count).update(repeating: 0, count: span - head - count) }
        let from = source + ((tile.sample + s) * channels + c) * plane + first * width, to = block + head
        if shift < 0 {
            (to - shift).update(from: from, count: count + shift)
            for y in 0..<(end - first) { for x in 0..<(-shift) { to[y * width + x] = 0 } }
        } else if shift > 0 {
            to.update(from: from + shift, count: count - shift)
            for y in 0..<(end - first) { for x in (width - shift)..<width { to[y * width + x] = 0 } }
        } else {
            to.update(from: from, count: count)
        }
    }
}
