/// The one PNG encoder written in Swift: 1-bit grayscale, which libpng's simplified API cannot
/// write (it has no depth below 8 bits). The stream is the PNG signature, IHDR (bit depth 1, colour
/// type 0, no interlace), IDAT holding the zlib-deflated scanlines (filter type None, pixels packed
/// most significant bit first, rows padded to whole bytes), and IEND; chunk CRCs come from zlib.
extension PNGFile {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// The PNG bytes of a 1-bit grayscale image (`true` = white, sample 1), row 0 at the top.
    public static func encodeBilevel(_ bits: [Bool], width: Int, height: Int) -> [UInt8] {
        precondition(width > 0 && height > 0 && width < 1 << 31 && height < 1 << 31, "PNG size \(width)×\(height)")
        precondition(bits.count == width * height, "\(bits.count) bits for a \(width)×\(height) image")
        let rowBytes = (width + 7) / 8
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))   // filter byte 0 starts each row
        for y in 0..<height {
            let row = y * (rowBytes + 1) + 1
            for x in 0..<width where bits[y * width + x] { raw[row + (x >> 3)] |= 0x80 >> UInt8(x & 7) }
        }
        var out = signature
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [1, 0, 0, 0, 0]
        appendChunk("IHDR", header, to: &out)
        let compressed = Zlib.compress(raw)
        let piece = 1 << 18
        for start in stride(from: 0, to: compressed.count, by: piece) {
            appendChunk("IDAT", Array(compressed[start ..< min(start + piece, compressed.count)]), to: &out)
        }
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Appends length, type, data and the CRC-32 of type + data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian32(UInt32(data.count))
        out += typeBytes
        out += data
        out += bigEndian32(Zlib.crc(data[...], continuing: Zlib.crc(typeBytes[...])))
    }

    private static func bigEndian32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }
}
