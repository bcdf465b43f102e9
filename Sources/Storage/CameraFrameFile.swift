import Foundation

/// One camera frame: a gray image of linear sensor readings, as a lab's camera saves it.
public struct CameraFrame: Equatable, Sendable {
    /// The file it was read from (named in every error and note about it).
    public let path: String
    public let width: Int, height: Int
    /// Readings `[height, width]` row-major, row 0 at the top, in counts (ADU) of the significant bits:
    /// 0…255 (8-bit), 0…4095 (12-bit, left-justified data shifted down), 0…65535 (16-bit); a float
    /// frame's values as stored.
    public let counts: [Float]
    /// Significant bits per sample (8…16), or 32 for a float frame.
    public let bits: Int
    /// The reading of a saturated pixel, 2^bits − 1; nil for a float frame (no saturation level).
    public let fullScale: Float?
    /// How the samples were stored, e.g. "16-bit TIFF, 12-bit data left-justified (÷ 16)".
    public let storage: String

    public init(path: String, width: Int, height: Int, counts: [Float], bits: Int, fullScale: Float?, storage: String) {
        precondition(counts.count == width * height, "frame \(width)×\(height) needs \(width * height) counts")
        (self.path, self.width, self.height, self.counts) = (path, width, height, counts)
        (self.bits, self.fullScale, self.storage) = (bits, fullScale, storage)
    }

    /// Pixels whose reading is at the full scale (index `row·width + column`): their true value is
    /// unknown, at least the full scale. None for a float frame.
    public var saturated: [Bool] {
        guard let fullScale else { return [Bool](repeating: false, count: counts.count) }
        return counts.map { $0 >= fullScale }
    }
}

/// Reads camera frames — 8-bit, 16-bit (holding 9…16-bit data, right- or left-justified) or float
/// gray TIFF, and 8- or 16-bit gray PNG — into `CameraFrame`s of linear counts.
///
/// Sample depth: an 8-bit file is 8-bit data. In a 16-bit file the camera's data may fill the
/// container (16-bit), sit in its low bits (right-justified: a 12-bit camera writes 0…4095) or in its
/// high bits (left-justified: 12-bit values × 16, the low 4 bits zero). `SignificantBits.auto` takes a
/// 16-bit frame whose low 4 bits are zero in every pixel (with at least 16 nonzero pixels, so a dark
/// frame is not misread) as 12-bit left-justified and shifts it down; anything else as 16-bit.
/// Right-justified data cannot be told from a dim 16-bit frame: say `.bits(12)`. With `.bits(n)` a
/// frame whose values all fit in n bits is right-justified, one whose low 16 − n bits are all zero
/// is left-justified, anything else is refused. The depth sets the saturation level 2^n − 1.
///
/// Refused with an error naming the file: a TIFF with several pages (a stack: give one file per
/// snapshot), colour or transparency (a frame is one gray sample per pixel), BMP and other formats,
/// and whatever `TIFFFile` and `PNGFile` refuse. Tiled, planar and compressed TIFFs are read.
public enum CameraFrameFile {
    /// The significant bits of a 16-bit frame's samples (see the type's documentation).
    public enum SignificantBits: Equatable, Sendable, CustomStringConvertible {
        case auto
        case bits(Int)

        /// "auto" or a whole number of bits in 8…16.
        public init?(_ text: String) {
            if text == "auto" { self = .auto; return }
            guard let n = Int(text), (8...16).contains(n) else { return nil }
            self = .bits(n)
        }

        public var description: String {
            switch self {
            case .auto: return "auto"
            case .bits(let n): return "\(n)"
            }
        }
    }

    /// Reads the frame at `path` (`.tif`, `.tiff` or `.png`, case-insensitive).
    public static func read(path: String, bits: SignificantBits = .auto) throws -> CameraFrame {
        let format = try frameFormat(of: path)
        return try decode(readFileBytes(path), format: format, path: path, bits: bits)
    }

    /// The frame in `bytes` of `format` (TIFF or PNG); `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], format: ImageFile.Format, path: String,
                              bits: SignificantBits = .auto) throws -> CameraFrame {
        let decoded: DecodedImage
        switch format {
        case .tiff:
            let pages = try TIFFFile.pageCount(bytes, path: path)
            guard pages == 1 else {
                throw StorageError(.unsupported, path: path, "the TIFF holds \(pages) pages; a camera frame is one page "
                                   + "(give one file per snapshot)")
            }
            decoded = try TIFFFile.decode(bytes, path: path)
        case .png: decoded = try PNGFile.decode(bytes, path: path)
        case .bmp: throw StorageError(.unsupported, path: path, "camera frames are read from TIFF or PNG files, not BMP")
        }
        guard !decoded.isColour else {
            throw StorageError(.unsupported, path: path, "a colour image (\(decoded.sourceLayout)) is not a camera frame; "
                               + "save the sensor's gray (monochrome) plane, one sample per pixel")
        }
        guard !decoded.hadAlpha else {
            throw StorageError(.unsupported, path: path, "the image has transparency (\(decoded.sourceLayout)); a camera "
                               + "frame is one gray sample per pixel")
        }
        let container = "\(format == .tiff ? "TIFF" : "PNG")"
        let image = decoded.image
        switch image.pixels {
        case .gray8(let p):
            if case .bits(let n) = bits, n != 8 {
                throw StorageError(.mismatch, path: path, "holds 8-bit samples; \(n) significant bits need a 16-bit frame")
            }
            return CameraFrame(path: path, width: image.width, height: image.height, counts: p.map(Float.init), bits: 8,
                               fullScale: 255, storage: "8-bit \(container)")
        case .gray16(let p):
            let (n, shift) = try significantBits(p, bits, path: path)
            let how = shift > 0 ? ", \(n)-bit data left-justified (÷ \(1 << shift))"
                : n < 16 ? ", \(n)-bit data right-justified" : ""
            return CameraFrame(path: path, width: image.width, height: image.height,
                               counts: p.map { Float($0 >> UInt16(shift)) }, bits: n, fullScale: Float((1 << n) - 1),
                               storage: "16-bit \(container)" + how)
        case .gray32f(let p):
            if case .bits(let n) = bits {
                throw StorageError(.mismatch, path: path, "holds 32-bit float samples, which have no \(n)-bit depth")
            }
            return CameraFrame(path: path, width: image.width, height: image.height, counts: p, bits: 32, fullScale: nil,
                               storage: "32-bit float \(container)")
        case .rgb8:
            throw StorageError(.unsupported, path: path, "a colour image is not a camera frame")
        }
    }

    /// The significant bits n of 16-bit samples and the shift that brings them down (16 − n when
    /// left-justified, else 0), as the type's documentation says.
    static func significantBits(_ p: [UInt16], _ requested: SignificantBits, path: String) throws -> (Int, Int) {
        let ored = p.reduce(UInt16(0), |), largest = p.max() ?? 0
        switch requested {
        case .auto:
            let nonzero = p.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            return nonzero >= 16 && ored & 0xF == 0 ? (12, 4) : (16, 0)
        case .bits(let n):
            guard (8...16).contains(n) else {
                throw StorageError(.invalidValue, path: path, "\(n) significant bits: give 8…16")
            }
            if n == 16 || Int(largest) < 1 << n { return (n, 0) }
            let pad = 16 - n
            guard Int(ored) & ((1 << pad) - 1) == 0 else {
                throw StorageError(.invalidValue, path: path, "holds values up to \(largest) whose low \(pad) bits are not all "
                                   + "zero: not \(n)-bit data (neither right-justified, ≤ \((1 << n) - 1), nor "
                                   + "left-justified, multiples of \(1 << pad))")
            }
            return (n, pad)
        }
    }

    /// TIFF or PNG by the file name's extension, else an error naming the file.
    static func frameFormat(of path: String) throws -> ImageFile.Format {
        switch ImageFile.format(of: path) {
        case .tiff?: return .tiff
        case .png?: return .png
        default: throw StorageError(.unsupported, path: path, "a camera frame must be a .tif, .tiff or .png file")
        }
    }
}
