import TensorCore

/// A decoded or to-be-encoded raster image.
///
/// Pixels are row-major with **array row 0 at the top of the image** (the first row a viewer shows),
/// whatever order the file format stores rows in. RGB samples are interleaved `r, g, b`.
public struct RasterImage: Equatable, Sendable {
    public enum Pixels: Equatable, Sendable {
        /// One byte per pixel.
        case gray8([UInt8])
        /// One 16-bit sample per pixel.
        case gray16([UInt16])
        /// Three bytes per pixel, r g b.
        case rgb8([UInt8])
        /// One 32-bit float sample per pixel, any finite value (float TIFF).
        case gray32f([Float])
    }

    public let width: Int
    public let height: Int
    public let pixels: Pixels

    public init(width: Int, height: Int, pixels: Pixels) {
        precondition(width >= 0 && height >= 0, "image size \(width)×\(height)")
        let n = width * height
        switch pixels {
        case .gray8(let p): precondition(p.count == n, "gray8 image \(width)×\(height) needs \(n) bytes, got \(p.count)")
        case .gray16(let p): precondition(p.count == n, "gray16 image \(width)×\(height) needs \(n) samples, got \(p.count)")
        case .rgb8(let p): precondition(p.count == 3 * n, "rgb8 image \(width)×\(height) needs \(3 * n) bytes, got \(p.count)")
        case .gray32f(let p): precondition(p.count == n, "gray32f image \(width)×\(height) needs \(n) samples, got \(p.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public static func gray8(_ p: [UInt8], width: Int, height: Int) -> RasterImage {
        RasterImage(width: width, height: height, pixels: .gray8(p))
    }

    public static func gray16(_ p: [UInt16], width: Int, height: Int) -> RasterImage {
        RasterImage(width: width, height: height, pixels: .gray16(p))
    }

    public static func rgb8(_ p: [UInt8], width: Int, height: Int) -> RasterImage {
        RasterImage(width: width, height: height, pixels: .rgb8(p))
    }

    public static func gray32f(_ p: [Float], width: Int, height: Int) -> RasterImage {
        RasterImage(width: width, height: height, pixels: .gray32f(p))
    }

    /// Luma of an 8-bit RGB triple with the Rec. 601 weights 0.299, 0.587, 0.114, rounded to the
    /// nearest integer (the rule used wherever Storage turns colour into gray).
    public static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let weighted: Int = 299 * Int(r) + 587 * Int(g) + 114 * Int(b)
        return UInt8((weighted + 500) / 1000)
    }

    /// The image as intensities in [0, 1], shape `[1, 1, height, width]`: gray8 / 255,
    /// gray16 / 65535, RGB through `luma` then / 255; gray32f as stored when every value lies in
    /// [0, 1], else stretched linearly min → 0, max → 1 (a constant image → 0), see `isStretched`.
    public func intensityTensor() -> Tensor {
        let t = Tensor(uninitialized: [1, 1, height, width])
        switch pixels {
        case .gray8(let p): for i in 0..<p.count { t.pointer[i] = Float(p[i]) / 255 }
        case .gray16(let p): for i in 0..<p.count { t.pointer[i] = Float(p[i]) / 65535 }
        case .rgb8(let p):
            for i in 0..<width * height { t.pointer[i] = Float(RasterImage.luma(p[3 * i], p[3 * i + 1], p[3 * i + 2])) / 255 }
        case .gray32f(let p):
            guard isStretched, let lo = p.min(), let hi = p.max() else {
                for i in 0..<p.count { t.pointer[i] = p[i] }
                break
            }
            let range = Double(hi) - Double(lo)
            for i in 0..<p.count { t.pointer[i] = range > 0 ? Float((Double(p[i]) - Double(lo)) / range) : 0 }
        }
        return t
    }

    /// True for a gray32f image with a value outside [0, 1], which `intensityTensor` stretches.
    public var isStretched: Bool {
        guard case .gray32f(let p) = pixels else { return false }
        return p.contains { !(0...1).contains($0) }
    }
}

/// An image read from a file, with what the file originally held.
public struct DecodedImage: Equatable, Sendable {
    public let image: RasterImage
    /// Bits per sample (PNG, TIFF) or per pixel (BMP) in the file.
    public let sourceBitDepth: Int
    /// The file's pixel layout, e.g. "gray", "palette", "rgb+alpha", "palette+alpha", "24-bit BGR".
    public let sourceLayout: String
    /// True when the file carried transparency (an alpha channel or a tRNS chunk); `image` has none:
    /// transparency is composited onto black (see `PNGFile`, `TIFFFile`).
    public let hadAlpha: Bool

    /// True when colour was turned into gray or will be by `intensityTensor`: RGB pixels (PNG, TIFF)
    /// or a BMP whose palette is not all gray or which holds 24-bit BGR pixels.
    public var isColour: Bool {
        if case .rgb8 = image.pixels { return true }
        return sourceLayout == "8-bit indexed color" || sourceLayout == "24-bit BGR"
    }
}
