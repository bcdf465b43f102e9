/// PNG reading and writing, implemented in Swift over zlib.
///
/// Why not libpng: libpng reports errors by `longjmp`, which must never cross Swift frames, and
/// `setjmp` cannot be called from Swift. Rather than hide a C wrapper in a system-library shim, the
/// codec handles the PNG byte stream itself: chunks with zlib's CRC-32, zlib deflate/inflate for the
/// image data, filter type 0 (None) on write and all five filters on read. Every failure is a thrown
/// `StorageError`.
///
/// Written: 8-bit and 16-bit grayscale, 8-bit RGB, and 1-bit grayscale (bit planes). Read: every
/// non-interlaced PNG colour type and bit depth, delivered as gray8 (grayscale of ≤ 8 bits, scaled
/// to 0…255), gray16 (16-bit grayscale), or rgb8 (RGB, and palette images expanded through PLTE;
/// 16-bit RGB is rounded to 8 bits). Alpha channels and tRNS transparency are dropped and reported in
/// `DecodedImage.hadAlpha`. Interlaced (Adam7) files are rejected. Row 0 is the top of the image.
public enum PNGFile {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// Writes a gray8, gray16 or rgb8 image atomically.
    public static func write(_ image: RasterImage, to path: String) throws {
        try checkSize(image.width, image.height, path)
        try AtomicFile.write(encode(image), to: path)
    }

    /// Writes a 1-bit grayscale PNG: `true` pixels are white (sample 1), `false` black (0).
    public static func writeBilevel(_ bits: [Bool], width: Int, height: Int, to path: String) throws {
        try checkSize(width, height, path)
        guard bits.count == width * height else {
            throw StorageError(.mismatch, path: path, "\(bits.count) bits for a \(width)×\(height) image")
        }
        try AtomicFile.write(encodeBilevel(bits, width: width, height: height), to: path)
    }

    private static func checkSize(_ width: Int, _ height: Int, _ path: String) throws {
        guard width > 0 && height > 0 && width < 1 << 31 && height < 1 << 31 else {
            throw StorageError(.invalidValue, path: path, "a PNG cannot be \(width)×\(height) pixels")
        }
    }

    /// Reads a PNG file.
    public static func read(path: String) throws -> DecodedImage {
        try decode(readFileBytes(path), path: path)
    }

    /// The PNG bytes of `image`.
    public static func encode(_ image: RasterImage) -> [UInt8] {
        let (w, h) = (image.width, image.height)
        var raw: [UInt8]
        let depth: UInt8, colorType: UInt8
        switch image.pixels {
        case .gray8(let p):
            (depth, colorType) = (8, 0)
            raw = scanlines(height: h, rowBytes: w) { row, out in out.append(contentsOf: p[row * w ..< (row + 1) * w]) }
        case .gray16(let p):
            (depth, colorType) = (16, 0)
            raw = scanlines(height: h, rowBytes: 2 * w) { row, out in
                for v in p[row * w ..< (row + 1) * w] { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xff)) }
            }
        case .rgb8(let p):
            (depth, colorType) = (8, 2)
            raw = scanlines(height: h, rowBytes: 3 * w) { row, out in out.append(contentsOf: p[3 * row * w ..< 3 * (row + 1) * w]) }
        }
        return assemble(width: w, height: h, depth: depth, colorType: colorType, raw: raw)
    }

    /// The PNG bytes of a 1-bit grayscale image (`true` = white).
    public static func encodeBilevel(_ bits: [Bool], width: Int, height: Int) -> [UInt8] {
        precondition(bits.count == width * height, "\(bits.count) bits for a \(width)×\(height) image")
        let rowBytes = (width + 7) / 8
        let raw = scanlines(height: height, rowBytes: rowBytes) { row, out in
            var packed = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<width where bits[row * width + x] { packed[x >> 3] |= 0x80 >> UInt8(x & 7) }
            out.append(contentsOf: packed)
        }
        return assemble(width: width, height: height, depth: 1, colorType: 0, raw: raw)
    }

    /// Filtered image data: each row is filter byte 0 followed by the row's bytes.
    private static func scanlines(height: Int, rowBytes: Int, _ row: (Int, inout [UInt8]) -> Void) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (rowBytes + 1))
        for y in 0..<height {
            raw.append(0)
            row(y, &raw)
        }
        return raw
    }

    private static func assemble(width: Int, height: Int, depth: UInt8, colorType: UInt8, raw: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0 && width < 1 << 31 && height < 1 << 31, "PNG size \(width)×\(height)")
        var out = signature
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [depth, colorType, 0, 0, 0]
        appendChunk("IHDR", header, to: &out)
        let compressed = Zlib.compress(raw)
        let piece = 1 << 18
        for start in stride(from: 0, to: max(compressed.count, 1), by: piece) {
            appendChunk("IDAT", Array(compressed[start ..< min(start + piece, compressed.count)]), to: &out)
        }
        appendChunk("IEND", [], to: &out)
        return out
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian32(UInt32(data.count))
        out += typeBytes
        out += data
        out += bigEndian32(Zlib.crc(data[...], continuing: Zlib.crc(typeBytes[...])))
    }

    static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
}
