import Storage
import XCTest

final class BMPFileTests: XCTestCase {
    private func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }

    /// A hand-made BMP with a BITMAPINFOHEADER and no palette.
    private func handBMP(width: Int, height: Int, bits: Int, compression: Int = 0, palette: [UInt8] = [],
                         rows: [[UInt8]]) -> [UInt8] {
        let offset = 54 + palette.count
        let data = rows.flatMap { $0 }
        return [0x42, 0x4d] + le32(offset + data.count) + [0, 0, 0, 0] + le32(offset)
            + le32(40) + le32(width) + le32(height) + [1, 0, UInt8(bits), 0] + le32(compression) + le32(data.count)
            + le32(2835) + le32(2835) + le32(palette.count / 4) + le32(0) + palette + data
    }

    func testGray8HeaderBytesAreExact() {
        // 3×2 image: stride 4, data offset 14 + 40 + 1024 = 1078 (0x436), file size 1078 + 8 = 1086 (0x43e).
        let bytes = BMPFile.encodeGray8([10, 20, 30, 40, 50, 60], width: 3, height: 2)
        let expectedHeaders: [UInt8] = [
            0x42, 0x4d, 0x3e, 0x04, 0, 0, 0, 0, 0, 0, 0x36, 0x04, 0, 0,   // "BM", size, reserved, offset
            40, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 8, 0,              // header size, width, height, planes, bpp
            0, 0, 0, 0, 8, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0,   // BI_RGB, image size, 2835 px/m × 2
            0, 1, 0, 0, 0, 0, 0, 0,                                       // 256 colours used, 0 important
        ]
        XCTAssertEqual(bytes.count, 1086)
        XCTAssertEqual(Array(bytes[0..<54]), expectedHeaders)
        XCTAssertEqual(Array(bytes[54..<62]), [0, 0, 0, 0, 1, 1, 1, 0])
        XCTAssertEqual(Array(bytes[54 + 4 * 255 ..< 54 + 4 * 256]), [255, 255, 255, 0])
        // Bottom-up: the file's first row is the image's bottom row (array row 1), padded to 4 bytes.
        XCTAssertEqual(Array(bytes[1078...]), [40, 50, 60, 0, 10, 20, 30, 0])
    }

    func testGray8RoundTripThroughAFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let (w, h) = (7, 5)
        let pixels = (0..<w * h).map { UInt8(($0 * 53) % 256) }
        try BMPFile.writeGray8(pixels, width: w, height: h, to: dir + "/slm.bmp")
        let back = try BMPFile.read(path: dir + "/slm.bmp")
        XCTAssertEqual(back.image, .gray8(pixels, width: w, height: h))
        XCTAssertEqual(back.sourceBitDepth, 8)
        XCTAssertEqual(directoryListing(dir), ["slm.bmp"])
    }

    func testReads24BitAndTopDownAsGray() throws {
        // 2×2, 24-bit, bottom-up: stride 8; rows stored bottom first, pixels B G R.
        let bottom: [UInt8] = [0, 0, 255, 255, 255, 255, 0, 0]       // red, white
        let top: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0]              // blue, green
        let bgr = handBMP(width: 2, height: 2, bits: 24, rows: [bottom, top])
        let decoded = try BMPFile.decode(bgr)
        XCTAssertEqual(decoded.image, .gray8([RasterImage.luma(0, 0, 255), RasterImage.luma(0, 255, 0),
                                              RasterImage.luma(255, 0, 0), 255], width: 2, height: 2))
        XCTAssertEqual(decoded.sourceLayout, "24-bit BGR")
        XCTAssertEqual(RasterImage.luma(255, 0, 0), 76)

        // 8-bit top-down (negative height) with a 2-entry palette: index 1 is pure red.
        let palette: [UInt8] = [7, 7, 7, 0, 0, 0, 255, 0]
        var topDown = handBMP(width: 1, height: 2, bits: 8, palette: palette, rows: [[1, 0, 0, 0], [0, 0, 0, 0]])
        topDown.replaceSubrange(22..<26, with: le32(-2 & 0xffff_ffff))
        XCTAssertEqual(try BMPFile.decode(topDown).image, .gray8([76, 7], width: 1, height: 2))
    }

    func testBadFilesAreRejectedClearly() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/bad.bmp"
        let good = BMPFile.encodeGray8([1, 2, 3, 4], width: 2, height: 2)

        writeBytes(Array(good.prefix(good.count - 3)), path)
        assertStorageError(.truncated, [path, "truncated"]) { try BMPFile.read(path: path) }
        writeBytes(Array(good.prefix(30)), path)
        assertStorageError(.truncated, [path, "headers"]) { try BMPFile.read(path: path) }

        var png = good
        png[0] = 0x89
        writeBytes(png, path)
        assertStorageError(.corrupt, [path, "signature"]) { try BMPFile.read(path: path) }

        let rle = handBMP(width: 1, height: 1, bits: 8, compression: 1, palette: [0, 0, 0, 0], rows: [[0, 0, 0, 0]])
        assertStorageError(.unsupported, ["compressed"]) { try BMPFile.decode(rle) }
        let fourBit = handBMP(width: 1, height: 1, bits: 4, palette: [0, 0, 0, 0], rows: [[0, 0, 0, 0]])
        assertStorageError(.unsupported, ["4-bit"]) { try BMPFile.decode(fourBit) }
        let thirtyTwo = handBMP(width: 1, height: 1, bits: 32, rows: [[0, 0, 0, 0]])
        assertStorageError(.unsupported, ["32-bit"]) { try BMPFile.decode(thirtyTwo) }

        assertStorageError(.mismatch, [dir + "/w.bmp"]) { try BMPFile.writeGray8([1, 2, 3], width: 2, height: 2, to: dir + "/w.bmp") }
        XCTAssertEqual(directoryListing(dir), ["bad.bmp"])
    }
}
