import CZlib
import Storage
import XCTest

/// Hand-made PNG streams, so the reader is tested on files our writer never produces.
private enum HandPNG {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        let crc = (t + data).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return be32(UInt32(data.count)) + t + data + be32(crc)
    }

    static func zlibCompress(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        precondition(compress(&out, &length, bytes, uLong(bytes.count)) == Z_OK)
        return Array(out.prefix(Int(length)))
    }

    /// Row `y` filtered with `filter` (0…4) given the unfiltered rows and bytes per pixel.
    static func filtered(_ rows: [[UInt8]], _ y: Int, _ filter: UInt8, bpp: Int) -> [UInt8] {
        let row = rows[y]
        return (0..<row.count).map { x in
            let a = x >= bpp ? Int(row[x - bpp]) : 0
            let b = y > 0 ? Int(rows[y - 1][x]) : 0
            let c = (x >= bpp && y > 0) ? Int(rows[y - 1][x - bpp]) : 0
            let p = a + b - c
            let paeth = (abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c)) ? a : (abs(p - b) <= abs(p - c) ? b : c)
            let predictor = [0, a, b, (a + b) / 2, paeth][Int(filter)]
            return UInt8(truncatingIfNeeded: Int(row[x]) - predictor)
        }
    }

    static func make(width: Int, height: Int, depth: UInt8, colorType: UInt8, rows: [[UInt8]], bpp: Int,
                     interlace: UInt8 = 0, extra: [[UInt8]] = []) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<rows.count {
            let f = UInt8(y % 5)
            raw.append(f)
            raw += filtered(rows, y, f, bpp: bpp)
        }
        let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [depth, colorType, 0, 0, interlace]
        return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", ihdr) + extra.flatMap { $0 }
            + chunk("IDAT", zlibCompress(raw)) + chunk("IEND", [])
    }
}

final class PNGFileTests: XCTestCase {
    func testGray8RoundTrip() throws {
        let dir = try makeTemporaryDirectory(self)
        let image = RasterImage.gray8((0..<35).map { UInt8($0 * 7) }, width: 7, height: 5)
        try PNGFile.write(image, to: dir + "/g8.png")
        let back = try PNGFile.read(path: dir + "/g8.png")
        XCTAssertEqual(back.image, image)
        XCTAssertEqual(back.sourceBitDepth, 8)
        XCTAssertEqual(back.sourceLayout, "gray")
        XCTAssertFalse(back.hadAlpha)
        XCTAssertEqual(Array(readBytes(dir + "/g8.png").prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    }

    func testGray16AndRGB8RoundTrip() throws {
        let g16 = RasterImage.gray16((0..<12).map { UInt16($0 * 5461 + 1) }, width: 4, height: 3)
        XCTAssertEqual(try PNGFile.decode(PNGFile.encode(g16)).image, g16)
        let rgb = RasterImage.rgb8((0..<30).map { UInt8(255 - $0 * 8) }, width: 5, height: 2)
        let back = try PNGFile.decode(PNGFile.encode(rgb))
        XCTAssertEqual(back.image, rgb)
        XCTAssertEqual(back.sourceLayout, "rgb")
    }

    func testBilevelRoundTripPacksBits() throws {
        let dir = try makeTemporaryDirectory(self)
        let (w, h) = (11, 3)
        let bits = (0..<w * h).map { ($0 * 7 + $0 / 5) % 3 == 0 }
        try PNGFile.writeBilevel(bits, width: w, height: h, to: dir + "/plane.png")
        let back = try PNGFile.read(path: dir + "/plane.png")
        XCTAssertEqual(back.sourceBitDepth, 1)
        XCTAssertEqual(back.image, .gray8(bits.map { $0 ? 255 : 0 }, width: w, height: h))
    }

    func testReaderUndoesAllFiveFilters() throws {
        let (w, h) = (6, 10)
        let rows: [[UInt8]] = (0..<h).map { (y: Int) -> [UInt8] in
            (0..<3 * w).map { (x: Int) -> UInt8 in UInt8((x * 31 + y * 17 + x * y * 5) % 256) }
        }
        let png = HandPNG.make(width: w, height: h, depth: 8, colorType: 2, rows: rows, bpp: 3)
        XCTAssertEqual(try PNGFile.decode(png).image, .rgb8(rows.flatMap { $0 }, width: w, height: h))
    }

    func testPaletteAlphaAndLowDepthAreConverted() throws {
        // 2-bit palette, 3 entries, with tRNS.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let rows: [[UInt8]] = [[0b00_01_10_00], [0b10_10_01_00]]
        let png = HandPNG.make(width: 4, height: 2, depth: 2, colorType: 3, rows: rows, bpp: 1,
                               extra: [HandPNG.chunk("PLTE", palette), HandPNG.chunk("tRNS", [0])])
        let decoded = try PNGFile.decode(png)
        XCTAssertTrue(decoded.hadAlpha)
        XCTAssertEqual(decoded.sourceLayout, "palette")
        let indices = [0, 1, 2, 0, 2, 2, 1, 0]
        XCTAssertEqual(decoded.image, .rgb8(indices.flatMap { Array(palette[3 * $0 ..< 3 * $0 + 3]) }, width: 4, height: 2))

        // 4-bit gray scales to 0…255 (v · 17).
        let gray4 = HandPNG.make(width: 3, height: 1, depth: 4, colorType: 0, rows: [[0x0f, 0x70]], bpp: 1)
        XCTAssertEqual(try PNGFile.decode(gray4).image, .gray8([0, 255, 119], width: 3, height: 1))

        // 8-bit gray+alpha: alpha dropped and reported.
        let ga = HandPNG.make(width: 2, height: 1, depth: 8, colorType: 4, rows: [[10, 255, 20, 0]], bpp: 2)
        let gaDecoded = try PNGFile.decode(ga)
        XCTAssertEqual(gaDecoded.image, .gray8([10, 20], width: 2, height: 1))
        XCTAssertTrue(gaDecoded.hadAlpha)

        // 16-bit RGBA rounds to 8-bit RGB.
        let rgba = HandPNG.make(width: 1, height: 1, depth: 16, colorType: 6, rows: [[0xff, 0xff, 0x80, 0x80, 0, 0x80, 0, 0]], bpp: 8)
        XCTAssertEqual(try PNGFile.decode(rgba).image, .rgb8([255, 128, 0], width: 1, height: 1))
    }

    func testBadFilesGiveErrors() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/bad.png"
        let good = PNGFile.encode(.gray8([UInt8](repeating: 9, count: 64), width: 8, height: 8))

        writeBytes(Array(good.prefix(good.count - 20)), path)
        assertStorageError(.truncated, [path, "truncated"]) { try PNGFile.read(path: path) }

        var signature = good
        signature[1] = 0x51
        writeBytes(signature, path)
        assertStorageError(.corrupt, [path, "bad signature"]) { try PNGFile.read(path: path) }

        var crc = good
        crc[8 + 8 + 3] ^= 1   // a byte of the IHDR data
        writeBytes(crc, path)
        assertStorageError(.corrupt, [path, "IHDR", "bad CRC"]) { try PNGFile.read(path: path) }

        let interlaced = HandPNG.make(width: 1, height: 1, depth: 8, colorType: 0, rows: [[1]], bpp: 1, interlace: 1)
        assertStorageError(.unsupported, ["interlaced"]) { try PNGFile.decode(interlaced) }

        let badDepth = HandPNG.make(width: 1, height: 1, depth: 4, colorType: 2, rows: [[1]], bpp: 1)
        assertStorageError(.unsupported, ["colour type 2 with bit depth 4"]) { try PNGFile.decode(badDepth) }

        let noPalette = HandPNG.make(width: 1, height: 1, depth: 8, colorType: 3, rows: [[0]], bpp: 1)
        assertStorageError(.corrupt, ["PLTE"]) { try PNGFile.decode(noPalette) }

        let short = HandPNG.make(width: 4, height: 4, depth: 8, colorType: 0, rows: [[1, 2, 3, 4]], bpp: 1)
        assertStorageError(.corrupt, ["IDAT", "expected 20"]) { try PNGFile.decode(short) }

        let huge = HandPNG.make(width: 100_000, height: 100_000, depth: 8, colorType: 0, rows: [[1]], bpp: 1)
        assertStorageError(.truncated, ["IDAT", "100000×100000"]) { try PNGFile.decode(huge) }

        assertStorageError(.notFound, [dir + "/none.png"]) { try PNGFile.read(path: dir + "/none.png") }
        assertStorageError(.invalidValue, [dir + "/empty.png"]) { try PNGFile.writeBilevel([], width: 0, height: 3, to: dir + "/empty.png") }
        XCTAssertEqual(directoryListing(dir), ["bad.png"])
    }
}
