import Storage

/// An 8-bit sRGB colour.
public struct Color: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// A colour from sRGB components in [0, 1] (clamped, rounded to the nearest step).
    public init(red: Double, green: Double, blue: Double) {
        func byte(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
        self.init(byte(red), byte(green), byte(blue))
    }

    public static let white = Color(255, 255, 255)
    public static let black = Color(0, 0, 0)
    /// Axis frames and tick marks.
    public static let darkGray = Color(64, 64, 64)
    /// Secondary text and frames.
    public static let gray = Color(128, 128, 128)
    /// Grid lines behind plotted data.
    public static let lightGray = Color(224, 224, 224)

    /// This colour mixed with `other`: `(1 − t)·self + t·other` per sRGB component, t in [0, 1].
    public func mixed(with other: Color, _ t: Double) -> Color {
        func mix(_ a: UInt8, _ b: UInt8) -> Double { ((1 - t) * Double(a) + t * Double(b)) / 255 }
        return Color(red: mix(r, other.r), green: mix(g, other.g), blue: mix(b, other.b))
    }
}

/// An RGB raster to draw figures on: pixel (x, y) has x growing to the right and y growing
/// **downwards** from the top-left corner (0, 0), like `RasterImage` rows.
///
/// Every drawing call clips to the canvas, so shapes may extend past the edges. Coordinates are
/// whole pixels; lines are Bresenham lines without anti-aliasing.
public struct Canvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Interleaved r, g, b bytes, row 0 first: pixel (x, y) starts at `3 · (y · width + x)`.
    public private(set) var samples: [UInt8]

    /// A canvas of `width × height` pixels filled with `background`.
    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "canvas size \(width)×\(height)")
        self.width = width
        self.height = height
        samples = [UInt8](repeating: 0, count: 3 * width * height)
        fill(background)
    }

    /// Paints every pixel with `color`.
    public mutating func fill(_ color: Color) {
        samples.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 3) {
                p[i] = color.r; p[i + 1] = color.g; p[i + 2] = color.b
            }
        }
    }

    /// True when (x, y) lies on the canvas.
    public func contains(x: Int, y: Int) -> Bool { x >= 0 && x < width && y >= 0 && y < height }

    /// The colour at (x, y), which must lie on the canvas.
    public func pixel(x: Int, y: Int) -> Color {
        precondition(contains(x: x, y: y), "pixel (\(x), \(y)) outside a \(width)×\(height) canvas")
        let o = 3 * (y * width + x)
        return Color(samples[o], samples[o + 1], samples[o + 2])
    }

    /// Paints pixel (x, y); points off the canvas are ignored.
    public mutating func setPixel(x: Int, y: Int, _ color: Color) {
        guard contains(x: x, y: y) else { return }
        let o = 3 * (y * width + x)
        samples[o] = color.r; samples[o + 1] = color.g; samples[o + 2] = color.b
    }

    /// Fills the rectangle with top-left corner (x, y) and the given size (clipped).
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        let x0 = max(x, 0), x1 = min(x + w, width), y0 = max(y, 0), y1 = min(y + h, height)
        guard x0 < x1 && y0 < y1 else { return }
        samples.withUnsafeMutableBufferPointer { p in
            for row in y0..<y1 {
                var o = 3 * (row * width + x0)
                for _ in x0..<x1 {
                    p[o] = color.r; p[o + 1] = color.g; p[o + 2] = color.b
                    o += 3
                }
            }
        }
    }

    /// Outlines the rectangle with top-left corner (x, y) and the given size; the border of
    /// `thickness` pixels lies inside the rectangle.
    public mutating func drawRect(x: Int, y: Int, width w: Int, height h: Int, _ color: Color, thickness: Int = 1) {
        guard w > 0 && h > 0 else { return }
        let t = max(1, min(thickness, (min(w, h) + 1) / 2))
        fillRect(x: x, y: y, width: w, height: t, color)
        fillRect(x: x, y: y + h - t, width: w, height: t, color)
        fillRect(x: x, y: y + t, width: t, height: h - 2 * t, color)
        fillRect(x: x + w - t, y: y + t, width: t, height: h - 2 * t, color)
    }

    /// Draws the Bresenham line from (x0, y0) to (x1, y1), both ends included. With `thickness`
    /// t > 1 every line pixel becomes a t × t square covering offsets `−(t−1)/2 … t/2` about it.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, _ color: Color, thickness: Int = 1) {
        let t = max(1, thickness), lo = -(t - 1) / 2
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var x = x0, y = y0, err = dx + dy
        while true {
            if t == 1 { setPixel(x: x, y: y, color) } else { fillRect(x: x + lo, y: y + lo, width: t, height: t, color) }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Fills the disc of the given radius about (cx, cy): pixels with (x−cx)² + (y−cy)² ≤ r² + r.
    public mutating func fillCircle(cx: Int, cy: Int, radius: Int, _ color: Color) {
        let r = max(0, radius), limit = r * r + r
        for dy in -r...r {
            var half = 0
            while (half + 1) * (half + 1) + dy * dy <= limit { half += 1 }
            fillRect(x: cx - half, y: cy + dy, width: 2 * half + 1, height: 1, color)
        }
    }

    /// Copies `image` (gray8, gray16 or rgb8) with its top-left corner at (x, y), scaled by
    /// nearest neighbour to `width × height` pixels (default: the image's own size). Destination
    /// pixel (i, j) takes source pixel (⌊i · w / width⌋, ⌊j · h / height⌋).
    public mutating func blit(_ image: RasterImage, x: Int, y: Int, width dw: Int? = nil, height dh: Int? = nil) {
        let tw = dw ?? image.width, th = dh ?? image.height
        guard tw > 0 && th > 0 && image.width > 0 && image.height > 0 else { return }
        let source = Canvas.rgbSamples(of: image)
        let x0 = max(0, -x), x1 = min(tw, width - x)
        guard x0 < x1 else { return }
        source.withUnsafeBufferPointer { src in
            samples.withUnsafeMutableBufferPointer { dst in
                for j in max(0, -y)..<max(max(0, -y), min(th, height - y)) {
                    let row = (j * image.height / th) * image.width
                    for i in x0..<x1 {
                        let s = 3 * (row + i * image.width / tw), o = 3 * ((y + j) * width + x + i)
                        dst[o] = src[s]; dst[o + 1] = src[s + 1]; dst[o + 2] = src[s + 2]
                    }
                }
            }
        }
    }

    /// Interleaved r, g, b bytes of any raster image (gray16 rounded to 8 bits, gray32f clipped to
    /// [0, 1] and scaled by 255, NaN → 0).
    static func rgbSamples(of image: RasterImage) -> [UInt8] {
        switch image.pixels {
        case .rgb8(let p): return p
        case .gray8(let p): return p.flatMap { [$0, $0, $0] }
        case .gray16(let p):
            return p.flatMap { v -> [UInt8] in
                let b = UInt8((UInt32(v) * 255 + 32767) / 65535)
                return [b, b, b]
            }
        case .gray32f(let p):
            return p.flatMap { v -> [UInt8] in
                let b = v > 0 ? UInt8((min(v, 1) * 255).rounded()) : 0
                return [b, b, b]
            }
        }
    }

    /// Copies another canvas with its top-left corner at (x, y), scaled by the integer `scale`.
    public mutating func blit(_ canvas: Canvas, x: Int, y: Int, scale: Int = 1) {
        blit(canvas.rasterImage, x: x, y: y, width: canvas.width * scale, height: canvas.height * scale)
    }

    /// The canvas as an rgb8 image.
    public var rasterImage: RasterImage { .rgb8(samples, width: width, height: height) }

    /// Writes the canvas as an 8-bit RGB PNG (atomically, through `PNGFile`).
    public func writePNG(to path: String) throws { try PNGFile.write(rasterImage, to: path) }
}
