import Foundation

/// Where the design's detector grid lies on a camera sensor and how sensor pixels map to grid pixels.
///
/// The grid is the CDPs' H' × W' (the design's H × W times its oversampling f). On the sensor each grid
/// pixel is a `bin × bin` block of sensor pixels, and the grid fills the window of `bin·W' × bin·H'`
/// sensor pixels whose top-left pixel is column `left`, row `top` (0-based, row 0 at the top of the
/// frame as a viewer shows it). A camera sees the far field with the zero frequency in the middle:
/// frames are *centred* (the zero frequency at grid pixel (⌊H'/2⌋, ⌊W'/2⌋) of the window), while
/// PhaseMask's far-field CDPs keep it at (0, 0) (`docs/optics.md`). `grid(from:)` and `render(_:)`
/// convert between the two, each the other's inverse on the window: `grid(from: render(y)) = y`.
/// Near-field CDPs are sensor images already (row 0 at the top): with `centred` false the window maps
/// onto the grid as it is.
public struct FrameGeometry: Equatable, Sendable {
    /// Grid size H' × W' (pixels of the CDPs).
    public let gridHeight: Int, gridWidth: Int
    /// Sensor pixels per grid pixel along each axis.
    public let bin: Int
    /// The window's top-left sensor pixel (column, row).
    public let left: Int, top: Int
    /// Whether the CDPs keep the zero frequency at (0, 0) and the window is their centred picture (far
    /// field), or the CDPs are the window itself (near field).
    public let centred: Bool

    public init(gridHeight: Int, gridWidth: Int, bin: Int, left: Int, top: Int, centred: Bool = true) {
        precondition(gridHeight > 0 && gridWidth > 0 && bin > 0 && left >= 0 && top >= 0,
                     "frame geometry: grid \(gridWidth)×\(gridHeight), bin \(bin), window at (\(left), \(top))")
        (self.gridHeight, self.gridWidth, self.bin, self.left, self.top) = (gridHeight, gridWidth, bin, left, top)
        self.centred = centred
    }

    /// The window's size in sensor pixels.
    public var windowWidth: Int { bin * gridWidth }
    public var windowHeight: Int { bin * gridHeight }

    /// `[x, y, width, height]` of the window (the `--crop` spelling).
    public var crop: [Int] { [left, top, windowWidth, windowHeight] }

    /// True when the window lies inside a `width × height` sensor.
    public func fits(width: Int, height: Int) -> Bool {
        left + windowWidth <= width && top + windowHeight <= height
    }

    /// The grid `[H', W']` (row-major, zero frequency at (0, 0)) of a sensor plane `[height, width]`:
    /// each grid value is the **sum** of its `bin × bin` block (intensities add), and the centred window
    /// is shifted back, `y[k] = window[(k + ⌊n/2⌋) mod n]` along each axis.
    public func grid(from sensor: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: gridHeight * gridWidth)
        for r in 0..<gridHeight {
            for c in 0..<gridWidth {
                var sum: Float = 0
                for dr in 0..<bin {
                    let row = (top + r * bin + dr) * width + left + c * bin
                    for dc in 0..<bin { sum += sensor[row + dc] }
                }
                out[unshifted(r, c)] = sum
            }
        }
        return out
    }

    /// As `grid(from:width:)` for flags: a grid pixel is set when any sensor pixel of its block is.
    public func grid(from flags: [Bool], width: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: gridHeight * gridWidth)
        for r in 0..<gridHeight {
            for c in 0..<gridWidth {
                var any = false
                for dr in 0..<bin {
                    let row = (top + r * bin + dr) * width + left + c * bin
                    for dc in 0..<bin where flags[row + dc] { any = true }
                }
                out[unshifted(r, c)] = any
            }
        }
        return out
    }

    /// The sensor plane `[height, width]` a camera would record for the grid `y` `[H', W']` (zero
    /// frequency at (0, 0)): centred, each grid value spread evenly over its block (`y/bin²` per sensor
    /// pixel), `fill` outside the window. Inverse of `grid(from:width:)` on the window.
    public func render(_ y: [Float], width: Int, height: Int, fill: Float = 0) -> [Float] {
        precondition(y.count == gridHeight * gridWidth && fits(width: width, height: height),
                     "render: grid \(y.count) values, sensor \(width)×\(height), window \(crop)")
        var out = [Float](repeating: fill, count: width * height)
        let share = 1 / Float(bin * bin)
        for r in 0..<gridHeight {
            for c in 0..<gridWidth {
                let v = y[unshifted(r, c)] * share
                for dr in 0..<bin {
                    let row = (top + r * bin + dr) * width + left + c * bin
                    for dc in 0..<bin { out[row + dc] = v }
                }
            }
        }
        return out
    }

    /// The CDP index of the window's grid pixel (r, c): centred, the zero frequency sits at
    /// (⌊H'/2⌋, ⌊W'/2⌋); otherwise (r, c) itself.
    @inline(__always)
    private func unshifted(_ r: Int, _ c: Int) -> Int {
        guard centred else { return r * gridWidth + c }
        return ((r + gridHeight - gridHeight / 2) % gridHeight) * gridWidth + (c + gridWidth - gridWidth / 2) % gridWidth
    }

    /// The top-left pixel of the `windowWidth × windowHeight` window of a `[height, width]` plane that
    /// holds the most light (largest sum; among equal sums the one nearest the plane's centre). For a
    /// pattern on a darker surround this finds the pattern; the caller checks that the window fits.
    public static func brightestWindow(_ plane: [Float], width: Int, height: Int,
                                       windowWidth: Int, windowHeight: Int) -> (left: Int, top: Int) {
        precondition(windowWidth <= width && windowHeight <= height, "window larger than the plane")
        // Summed-area table in Double: s[(r)(w+1) + c] = Σ plane[0..<r, 0..<c].
        var s = [Double](repeating: 0, count: (height + 1) * (width + 1))
        for r in 0..<height {
            var row = 0.0
            for c in 0..<width {
                row += Double(plane[r * width + c])
                s[(r + 1) * (width + 1) + c + 1] = s[r * (width + 1) + c + 1] + row
            }
        }
        var best = (left: 0, top: 0), bestSum = -Double.infinity, bestDistance = Int.max
        for top in 0...(height - windowHeight) {
            for left in 0...(width - windowWidth) {
                let (b, r) = (top + windowHeight, left + windowWidth)
                let sum = s[b * (width + 1) + r] - s[top * (width + 1) + r] - s[b * (width + 1) + left] + s[top * (width + 1) + left]
                let distance = abs(2 * left + windowWidth - width) + abs(2 * top + windowHeight - height)
                // Sums that differ only by rounding of the table count as equal.
                let tolerance = 1e-9 * max(1, abs(sum), abs(bestSum))
                if sum > bestSum + tolerance || (abs(sum - bestSum) <= tolerance && distance < bestDistance) {
                    (best, bestSum, bestDistance) = ((left, top), sum, distance)
                }
            }
        }
        return best
    }
}
