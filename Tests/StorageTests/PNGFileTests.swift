import Storage
import XCTest

/// PNG through libpng's simplified API: exact round trips, files from other writers (no gamma
/// chunk, filters, interlacing, palettes, transparency), the Swift 1-bit encoder, and errors.
final class PNGFileTests: XCTestCase {
    func testGray8RoundTripIsExactForEveryValue() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/g8.png"
        let image = RasterImage.gray8((0..<256).map { UInt8(($0 * 167) & 0xff) }, width: 32, height: 8)
        try PNGFile.write(image, to: path)
        let back = try PNGFile.read(path: path)
        XCTAssertEqual(back.image, image)
        XCTAssertEqual(back.sourceBitDepth, 8)
        XCTAssertEqual(back.sourceLayout, "gray")
        XCTAssertFalse(back.hadAlpha)
        let file = readBytes(path)
        XCTAssertEqual(Array(file.prefix(8)), HandPNG.signature)
        XCTAssertEqual(HandPNG.chunks("sRGB", in: file).count, 1, "8-bit output is marked sRGB")
        XCTAssertEqual(directoryListing(dir), ["g8.png"])
    }

    func testGray16RoundTripIsExactForEveryValue() throws {
        // v ↦ 40503 v mod 2^16 is a bijection, so every 16-bit value appears once, scrambled.
        let samples = (0..<65536).map { UInt16(truncatingIfNeeded: $0 &* 40503) }
        let image = RasterImage.gray16(samples, width: 256, height: 256)
        let png = PNGFile.encode(image)
        XCTAssertEqual(HandPNG.chunks("gAMA", in: png), [be32(100_000)], "16-bit output is marked linear")
        let back = try PNGFile.decode(png)
        XCTAssertEqual(back.image, image)
        XCTAssertEqual(back.sourceBitDepth, 16)
        XCTAssertEqual(back.sourceLayout, "gray")
    }

    func testRGB8RoundTrip() throws {
        let rgb = RasterImage.rgb8((0..<768).map { UInt8(($0 * 101 + $0 / 256) & 0xff) }, width: 16, height: 16)
        let back = try PNGFile.decode(PNGFile.encode(rgb))
        XCTAssertEqual(back.image, rgb)
        XCTAssertEqual(back.sourceLayout, "rgb")
        XCTAssertEqual(back.sourceBitDepth, 8)
    }

    func testFilesWithoutGammaChunkKeepTheirSamples() throws {
        let gray8 = (0..<256).map { UInt8($0) }
        let png8 = HandPNG.make(width: 16, height: 16, depth: 8, colorType: 0,
                                rows: (0..<16).map { Array(gray8[16 * $0 ..< 16 * $0 + 16]) }, bpp: 1)
        XCTAssertEqual(try PNGFile.decode(png8).image, .gray8(gray8, width: 16, height: 16))

        let gray16: [UInt16] = [0, 1, 0x00ff, 0x1234, 0x7fff, 0x8000, 0xfffe, 0xffff]
        let png16 = HandPNG.make(width: 8, height: 1, depth: 16, colorType: 0,
                                 rows: [gray16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }], bpp: 2)
        XCTAssertEqual(try PNGFile.decode(png16).image, .gray16(gray16, width: 8, height: 1))

        // 16-bit colour is taken as sRGB, so reaching 8 bits is rounding: round(v · 255 / 65535).
        let rgb16 = (0..<48).map { UInt16(($0 * 1399 + 7) & 0xffff) }
        let pngRGB = HandPNG.make(width: 4, height: 4, depth: 16, colorType: 2,
                                  rows: (0..<4).map { y in rgb16[12 * y ..< 12 * y + 12].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } },
                                  bpp: 6)
        let rounded = rgb16.map { UInt8((Int($0) * 255 + 32767) / 65535) }
        XCTAssertEqual(try PNGFile.decode(pngRGB).image, .rgb8(rounded, width: 4, height: 4))
    }

    func testGray16WithGammaChunkIsConvertedToLinear() throws {
        // gAMA 1/2.2 says the samples are v^(1/2.2)-encoded; gray16 is linear, so libpng decodes them.
        let png = HandPNG.make(width: 3, height: 1, depth: 16, colorType: 0, rows: [[0, 0, 0x80, 0x00, 0xff, 0xff]],
                               bpp: 2, extra: [HandPNG.chunk("gAMA", be32(45455))])
        guard case .gray16(let v) = try PNGFile.decode(png).image.pixels else { return XCTFail("expected gray16") }
        let linear = 65535 * pow(32768.0 / 65535, 100_000 / 45455.0)
        XCTAssertEqual(v[0], 0)
        XCTAssertEqual(Double(v[1]), linear, accuracy: 3)
        XCTAssertEqual(v[2], 65535)
    }

    func testSwiftWrittenBilevelDecodesThroughLibpngToTheSameBits() throws {
        let dir = try makeTemporaryDirectory(self)
        for (w, h) in [(1, 1), (8, 2), (11, 3), (13, 5), (64, 3)] {
            let bits = (0..<w * h).map { ($0 * 7 + $0 / 5) % 3 == 0 }
            let path = dir + "/plane-\(w)x\(h).png"
            try PNGFile.writeBilevel(bits, width: w, height: h, to: path)
            let file = readBytes(path)
            XCTAssertEqual(HandPNG.chunks("IHDR", in: file).first?[8...9], [1, 0], "1-bit grayscale header")
            let back = try PNGFile.read(path: path)
            XCTAssertEqual(back.sourceBitDepth, 1)
            XCTAssertEqual(back.sourceLayout, "gray")
            XCTAssertFalse(back.hadAlpha)
            XCTAssertEqual(back.image, .gray8(bits.map { $0 ? 255 : 0 }, width: w, height: h), "\(w)×\(h)")
        }
    }

    func testReaderUndoesAllFiveFilters() throws {
        let (w, h) = (6, 10)
        let rows: [[UInt8]] = (0..<h).map { (y: Int) -> [UInt8] in
            (0..<3 * w).map { (x: Int) -> UInt8 in UInt8((x * 31 + y * 17 + x * y * 5) % 256) }
        }
        let png = HandPNG.make(width: w, height: h, depth: 8, colorType: 2, rows: rows, bpp: 3)
        XCTAssertEqual(try PNGFile.decode(png).image, .rgb8(rows.flatMap { $0 }, width: w, height: h))
    }

    func testInterlacedFileIsRead() throws {
        let (w, h) = (11, 9)
        let pixels = (0..<w * h).map { UInt8(($0 * 53 + 11) & 0xff) }
        let decoded = try PNGFile.decode(HandPNG.makeInterlacedGray8(pixels, width: w, height: h))
        XCTAssertEqual(decoded.image, .gray8(pixels, width: w, height: h))
    }

    func testPaletteAndLowDepthAreExpanded() throws {
        // 2-bit palette, 3 entries.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let rows: [[UInt8]] = [[0b00_01_10_00], [0b10_10_01_00]]
        let png = HandPNG.make(width: 4, height: 2, depth: 2, colorType: 3, rows: rows, bpp: 1,
                               extra: [HandPNG.chunk("PLTE", palette)])
        let decoded = try PNGFile.decode(png)
        XCTAssertFalse(decoded.hadAlpha)
        XCTAssertEqual(decoded.sourceLayout, "palette")
        XCTAssertEqual(decoded.sourceBitDepth, 2)
        let indices = [0, 1, 2, 0, 2, 2, 1, 0]
        XCTAssertEqual(decoded.image, .rgb8(indices.flatMap { Array(palette[3 * $0 ..< 3 * $0 + 3]) }, width: 4, height: 2))

        // 4-bit gray scales to 0…255 (v · 17).
        let gray4 = HandPNG.make(width: 3, height: 1, depth: 4, colorType: 0, rows: [[0x0f, 0x70]], bpp: 1)
        XCTAssertEqual(try PNGFile.decode(gray4).image, .gray8([0, 255, 119], width: 3, height: 1))
    }

    func testTransparencyIsCompositedOntoBlack() throws {
        // Palette entry 0 fully transparent through tRNS.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0]
        let indexed = HandPNG.make(width: 2, height: 1, depth: 8, colorType: 3, rows: [[0, 1]], bpp: 1,
                                   extra: [HandPNG.chunk("PLTE", palette), HandPNG.chunk("tRNS", [0])])
        let decoded = try PNGFile.decode(indexed)
        XCTAssertTrue(decoded.hadAlpha)
        XCTAssertEqual(decoded.sourceLayout, "palette+alpha")
        XCTAssertEqual(decoded.image, .rgb8([0, 0, 0, 0, 255, 0], width: 2, height: 1))

        // 8-bit gray+alpha: opaque kept, transparent black, half-covered darker.
        let ga = HandPNG.make(width: 3, height: 1, depth: 8, colorType: 4, rows: [[10, 255, 20, 0, 200, 128]], bpp: 2)
        let gaDecoded = try PNGFile.decode(ga)
        XCTAssertTrue(gaDecoded.hadAlpha)
        XCTAssertEqual(gaDecoded.sourceLayout, "gray+alpha")
        guard case .gray8(let g) = gaDecoded.image.pixels else { return XCTFail("expected gray8") }
        XCTAssertEqual(Array(g[0...1]), [10, 0])
        XCTAssertTrue(g[2] > 0 && g[2] < 200, "\(g[2])")

        // 16-bit RGBA to rgb8: opaque rounded, transparent black.
        let rgba = HandPNG.make(width: 2, height: 1, depth: 16, colorType: 6,
                                rows: [[0xff, 0xff, 0x80, 0x80, 0, 0x80, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0, 0]], bpp: 8)
        XCTAssertEqual(try PNGFile.decode(rgba).image, .rgb8([255, 128, 0, 0, 0, 0], width: 2, height: 1))

        // 16-bit gray+alpha to gray16: premultiplied, round(v · α / 65535).
        let ga16 = HandPNG.make(width: 2, height: 1, depth: 16, colorType: 4, rows: [[0x80, 0, 0xff, 0xff, 0x80, 0, 0x40, 0]], bpp: 4)
        let half = (0x8000 * 0x4000 + 32767) / 65535
        XCTAssertEqual(try PNGFile.decode(ga16).image, .gray16([0x8000, UInt16(half)], width: 2, height: 1))
    }

    /// A libpng failure: `kind`, and a message that starts with our own words `ours` (file, chunk, meaning)
    /// followed by "; libpng: " and libpng's reason. libpng's wording is quoted for the user but not
    /// checked: another libpng version may word it differently with no bug here.
    func assertLibpngError(_ kind: StorageErrorKindForTests, _ ours: String, file: StaticString = #filePath, line: UInt = #line,
                           _ body: () throws -> Any) {
        assertStorageError(kind, [ours + "; libpng: "], file: file, line: line, body)
        do { _ = try body() } catch {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(ours + "; libpng: "), "\"\(text)\" should start with \"\(ours); libpng: \"", file: file, line: line)
            XCTAssertGreaterThan(text.count, ours.count + "; libpng: ".count, "libpng's reason is missing", file: file, line: line)
        }
    }

    func testBadFilesGiveErrors() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/bad.png"
        let good = PNGFile.encode(.gray8([UInt8](repeating: 9, count: 64), width: 8, height: 8))

        writeBytes(Array(good.prefix(good.count - 20)), path)
        assertLibpngError(.truncated, "\(path): the PNG data ends early (truncated)") { try PNGFile.read(path: path) }
        writeBytes([], path)
        assertStorageError(.truncated, [path, "empty"]) { try PNGFile.read(path: path) }

        var signature = good
        signature[1] = 0x51
        writeBytes(signature, path)
        assertLibpngError(.corrupt, "\(path): not a PNG file (bad signature)") { try PNGFile.read(path: path) }
        writeBytes(Array("P5 8 8 255\n".utf8) + [UInt8](repeating: 9, count: 64), path)
        assertStorageError(.corrupt, [path, "not a PNG file"]) { try PNGFile.read(path: path) }

        var crc = good
        crc[8 + 8 + 3] ^= 1   // a byte of the IHDR data
        writeBytes(crc, path)
        assertLibpngError(.corrupt, "\(path): IHDR: bad CRC (chunk damaged)") { try PNGFile.read(path: path) }

        // Bit depth 4 with colour type 2 (RGB) is not a valid combination.
        let badDepth = HandPNG.make(width: 1, height: 1, depth: 4, colorType: 2, rows: [[1]], bpp: 1)
        assertLibpngError(.corrupt, "<memory>: invalid PNG data") { try PNGFile.decode(badDepth) }

        // A palette image without its PLTE chunk, and a tEXt chunk before IHDR: the chunk libpng stopped at.
        let noPalette = HandPNG.make(width: 1, height: 1, depth: 8, colorType: 3, rows: [[0]], bpp: 1)
        assertLibpngError(.corrupt, "<memory>: IDAT: invalid PNG data") { try PNGFile.decode(noPalette) }

        let notFirst = HandPNG.signature + HandPNG.chunk("tEXt", Array("k\0v".utf8)) + Array(good.dropFirst(8))
        assertLibpngError(.corrupt, "<memory>: tEXt: invalid PNG data") { try PNGFile.decode(notFirst) }

        let short = HandPNG.make(width: 4, height: 4, depth: 8, colorType: 0, rows: [[1, 2, 3, 4]], bpp: 1)
        assertLibpngError(.truncated, "<memory>: the PNG data ends early (truncated)") { try PNGFile.decode(short) }

        let huge = HandPNG.make(width: 100_000, height: 100_000, depth: 8, colorType: 0, rows: [[1]], bpp: 1)
        assertStorageError(.truncated, ["IDAT", "100000×100000"]) { try PNGFile.decode(huge) }

        assertStorageError(.notFound, [dir + "/none.png"]) { try PNGFile.read(path: dir + "/none.png") }
        assertStorageError(.invalidValue, [dir + "/empty.png"]) { try PNGFile.writeBilevel([], width: 0, height: 3, to: dir + "/empty.png") }
        assertStorageError(.invalidValue, [dir + "/empty.png"]) { try PNGFile.write(.gray8([], width: 0, height: 0), to: dir + "/empty.png") }
        XCTAssertEqual(directoryListing(dir), ["bad.png"])
    }
}
