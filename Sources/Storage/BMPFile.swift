/// Windows bitmap (BMP) reading and writing, for the 8-bit grayscale images SLM vendor software loads.
///
/// Written: 8-bit indexed with a palette of 256 grays (entry i = gray i, so pixel values are the
/// indices), a 14-byte file header, a 40-byte BITMAPINFOHEADER, rows padded to a multiple of 4 bytes
/// and stored bottom-up (a positive height), as the format defines. Array row 0 is the **top** of
/// the image in both directions: the writer stores it last in the file, the reader returns it first.
///
/// Read: uncompressed (BI_RGB) 8-bit indexed and 24-bit BGR files, bottom-up or top-down, with any
/// info header of at least 40 bytes. 8-bit pixels whose palette is the gray ramp come back
/// unchanged; other palettes, and 24-bit pixels, are turned into gray with `RasterImage.luma`. The
/// layout says "8-bit indexed" for a palette of grays (any order) and "8-bit indexed color" otherwise.
/// Compressed files and other depths are rejected with an error naming the file.
public enum BMPFile {
    static let fileHeaderSize = 14, infoHeaderSize = 40

    /// Writes an 8-bit grayscale BMP atomically. `pixelsPerMeter` is the resolution recorded in the
    /// header (default 2835 ≈ 72 dpi; pass `1 / pitch` for an SLM with a known pixel pitch).
    public static func writeGray8(_ pixels: [UInt8], width: Int, height: Int, pixelsPerMeter: Int = 2835,
                                  to path: String) throws {
        guard width > 0 && height > 0 && width < 1 << 20 && height < 1 << 20 else {
            throw StorageError(.invalidValue, path: path, "a BMP cannot be \(width)×\(height) pixels")
        }
        guard pixels.count == width * height else {
            throw StorageError(.mismatch, path: path, "\(pixels.count) pixels for a \(width)×\(height) image")
        }
        try AtomicFile.write(encodeGray8(pixels, width: width, height: height, pixelsPerMeter: pixelsPerMeter), to: path)
    }

    /// The BMP bytes of an 8-bit grayscale image (row 0 = top).
    public static func encodeGray8(_ pixels: [UInt8], width: Int, height: Int, pixelsPerMeter: Int = 2835) -> [UInt8] {
        precondition(pixels.count == width * height && width > 0 && height > 0, "BMP \(width)×\(height), \(pixels.count) pixels")
        let stride = (width + 3) / 4 * 4
        let dataOffset = fileHeaderSize + infoHeaderSize + 256 * 4
        let fileSize = dataOffset + stride * height
        var out: [UInt8] = []
        out.reserveCapacity(fileSize)
        out += Array("BM".utf8) + le32(fileSize) + le16(0) + le16(0) + le32(dataOffset)
        out += le32(infoHeaderSize) + le32(width) + le32(height) + le16(1) + le16(8)
        out += le32(0) + le32(stride * height) + le32(pixelsPerMeter) + le32(pixelsPerMeter) + le32(256) + le32(0)
        for g in 0..<256 { out += [UInt8(g), UInt8(g), UInt8(g), 0] }   // B, G, R, reserved
        let padding = [UInt8](repeating: 0, count: stride - width)
        for y in (0..<height).reversed() {
            out += pixels[y * width ..< (y + 1) * width]
            out += padding
        }
        return out
    }

    /// Reads a BMP file as gray8.
    public static func read(path: String) throws -> DecodedImage {
        try decode(readFileBytes(path), path: path)
    }

    /// Decodes BMP `bytes` as gray8; `path` names the source in errors.
    public static func decode(_ b: [UInt8], path: String = "<memory>") throws -> DecodedImage {
        guard b.count >= 2, b[0] == 0x42, b[1] == 0x4d else {
            throw StorageError(.corrupt, path: path, "not a BMP file (no \"BM\" signature)")
        }
        guard b.count >= fileHeaderSize + infoHeaderSize else {
            throw StorageError(.truncated, path: path, "file ends inside the BMP headers (truncated)")
        }
        let dataOffset = Int(u32(b, 10)), headerSize = Int(u32(b, 14))
        let width = Int(Int32(bitPattern: u32(b, 18))), signedHeight = Int(Int32(bitPattern: u32(b, 22)))
        let planes = Int(u16(b, 26)), bits = Int(u16(b, 28)), compression = u32(b, 30)
        let colorsUsed = Int(u32(b, 46))
        guard headerSize >= infoHeaderSize else {
            throw StorageError(.unsupported, path: path, "info header of \(headerSize) bytes (OS/2 bitmap) is not supported")
        }
        guard width > 0, signedHeight != 0, width < 1 << 20, abs(signedHeight) < 1 << 20, planes == 1 else {
            throw StorageError(.corrupt, path: path, "invalid BMP header: \(width)×\(signedHeight) pixels, \(planes) planes")
        }
        guard compression == 0 else {
            throw StorageError(.unsupported, path: path, "compressed BMP (compression \(compression)) is not supported; save it uncompressed")
        }
        guard bits == 8 || bits == 24 else {
            throw StorageError(.unsupported, path: path, "\(bits)-bit BMP is not supported (8-bit grayscale/indexed or 24-bit only)")
        }
        let height = abs(signedHeight), topDown = signedHeight < 0
        let stride = (width * bits / 8 + 3) / 4 * 4
        guard b.count >= dataOffset + stride * height, dataOffset >= fileHeaderSize + headerSize else {
            throw StorageError(.truncated, path: path,
                               "pixel data needs \(stride * height) bytes from offset \(dataOffset) but the file has \(b.count) bytes (truncated)")
        }
        var gray = [UInt8](repeating: 0, count: width * height)
        let layout: String
        if bits == 8 {
            let (table, isGray) = try grayTable(b, paletteAt: fileHeaderSize + headerSize,
                                                entries: colorsUsed == 0 ? 256 : colorsUsed, end: dataOffset, path: path)
            for y in 0..<height {
                let row = dataOffset + (topDown ? y : height - 1 - y) * stride
                for x in 0..<width {
                    let index = Int(b[row + x])
                    guard index < table.count else {
                        throw StorageError(.corrupt, path: path, "pixel (\(x), \(y)) uses palette entry \(index) of \(table.count)")
                    }
                    gray[y * width + x] = table[index]
                }
            }
            layout = isGray ? "8-bit indexed" : "8-bit indexed color"
        } else {
            for y in 0..<height {
                let row = dataOffset + (topDown ? y : height - 1 - y) * stride
                for x in 0..<width {
                    let p = row + 3 * x
                    gray[y * width + x] = RasterImage.luma(b[p + 2], b[p + 1], b[p])
                }
            }
            layout = "24-bit BGR"
        }
        return DecodedImage(image: .gray8(gray, width: width, height: height), sourceBitDepth: bits,
                            sourceLayout: layout, hadAlpha: false)
    }

    /// Gray value of each palette entry (B, G, R, reserved quads), and whether every entry is a gray
    /// (B = G = R).
    private static func grayTable(_ b: [UInt8], paletteAt start: Int, entries: Int, end: Int,
                                  path: String) throws -> (gray: [UInt8], isGray: Bool) {
        guard entries > 0, entries <= 256, start + 4 * entries <= min(end, b.count) else {
            throw StorageError(.corrupt, path: path, "palette of \(entries) entries does not fit before the pixel data")
        }
        var isGray = true
        let table = (0..<entries).map { i -> UInt8 in
            let p = start + 4 * i
            if b[p] != b[p + 1] || b[p + 1] != b[p + 2] { isGray = false }
            return RasterImage.luma(b[p + 2], b[p + 1], b[p])
        }
        return (table, isGray)
    }

    private static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
    private static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
    private static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
