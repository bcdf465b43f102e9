import Foundation
@testable import Storage
import XCTest

/// TIFF through libtiff: the writer's round trips, the reader on hand-made files (HandTIFF), refusals
/// and damaged files (named, with libtiff's words, and nothing printed by libtiff).
final class TIFFFileTests: XCTestCase {
    /// 16-bit values touching both ends of the range and every byte position.
    func gray16Pattern(_ count: Int) -> [UInt16] {
        (0..<count).map { i in i == 0 ? 0 : i == 1 ? 65535 : UInt16(truncatingIfNeeded: i &* 40503 &+ i >> 3) }
    }

    func testGray16RoundTripsThroughTheWriterInBothCompressions() throws {
        let dir = try makeTemporaryDirectory(self)
        // 64 × 300 at 128 bytes per row: libtiff's ~8 KiB strips make several strips.
        let image = RasterImage.gray16(gray16Pattern(64 * 300), width: 64, height: 300)
        for compression in [TIFFFile.Compression.none, .deflate] {
            let path = dir + "/frame-\(compression).tif"
            try TIFFFile.write(image, to: path, compression: compression)
            let decoded = try TIFFFile.read(path: path)
            XCTAssertEqual(decoded.image, image, "\(compression)")
            XCTAssertEqual(decoded.sourceBitDepth, 16)
            XCTAssertEqual(decoded.sourceLayout, "gray")
            XCTAssertFalse(decoded.hadAlpha)
        }
        XCTAssertEqual(directoryListing(dir), ["frame-deflate.tif", "frame-none.tif"], "no temporary file is left")
        let raw = readBytes(dir + "/frame-none.tif")
        XCTAssertGreaterThanOrEqual(raw.count, 64 * 300 * 2, "uncompressed holds every sample")
    }

    func testGray8RoundTripsAndDeflateCompresses() throws {
        let samples: [UInt8] = (0..<30_000).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i % 200 + i / 200) }
        let ramp = RasterImage.gray8(samples, width: 200, height: 150)
        let plain = try TIFFFile.encode(ramp, compression: .none)
        let deflated = try TIFFFile.encode(ramp, compression: .deflate)
        XCTAssertEqual(try TIFFFile.decode(plain).image, ramp)
        XCTAssertEqual(try TIFFFile.decode(deflated).image, ramp)
        XCTAssertGreaterThanOrEqual(plain.count, 200 * 150)
        XCTAssertLessThan(deflated.count, plain.count / 4, "a ramp with a horizontal predictor deflates well")
    }

    func testRGBAndFloatRoundTrip() throws {
        let rgb = RasterImage.rgb8((0..<3 * 7 * 5).map { UInt8($0 * 7 % 256) }, width: 7, height: 5)
        let float = RasterImage.gray32f([-1.5, 0, 0.25, 1, 3e7, -0, 1e-30, 0.5, 2], width: 3, height: 3)
        for compression in [TIFFFile.Compression.none, .deflate] {
            XCTAssertEqual(try TIFFFile.decode(TIFFFile.encode(rgb, compression: compression)).image, rgb)
            let decoded = try TIFFFile.decode(TIFFFile.encode(float, compression: compression))
            XCTAssertEqual(decoded.image, float)
            XCTAssertEqual(decoded.sourceLayout, "float gray")
            XCTAssertEqual(decoded.sourceBitDepth, 32)
        }
        XCTAssertTrue(float.isStretched)
        let t = float.intensityTensor()
        XCTAssertEqual(t.buffer.min(), 0)
        XCTAssertEqual(t.buffer.max(), 1)
        XCTAssertEqual(t.pointer[1], Float(1.5 / (3e7 + 1.5)), accuracy: 1e-12, "stretched min → 0, max → 1")
    }

    /// 16-bit gray with known values, built by hand in both byte orders, two strips (2 + 1 rows).
    /// The values up to 4095 are a 12-bit frame in a 16-bit container: they come back unchanged.
    func testReadsHandMadeGray16InBothByteOrders() throws {
        let values: [UInt16] = [0, 1, 255, 256, 4095, 65535, 0x1234, 0xfedc, 3, 0x8000, 7, 40000, 12, 13, 65534]
        for bigEndian in [false, true] {
            let file = HandTIFF.strips(width: 5, height: 3, bits: 16, samplesPerPixel: 1, photometric: 1,
                                       data: HandTIFF.samples16(values, bigEndian: bigEndian), rowsPerStrip: 2,
                                       bigEndian: bigEndian).bytes
            XCTAssertEqual(Array(file.prefix(2)), bigEndian ? [0x4d, 0x4d] : [0x49, 0x49])
            let decoded = try TIFFFile.decode(file, path: "hand.tif")
            XCTAssertEqual(decoded.image, .gray16(values, width: 5, height: 3), bigEndian ? "big-endian" : "little-endian")
            XCTAssertEqual(decoded.sourceBitDepth, 16)
        }
        let twelveBit: [UInt16] = (0..<16).map { UInt16($0 * 273) }   // 0 … 4095
        let frame = HandTIFF.strips(width: 4, height: 4, bits: 16, samplesPerPixel: 1, photometric: 1,
                                    data: HandTIFF.samples16(twelveBit, bigEndian: false), rowsPerStrip: 4).bytes
        XCTAssertEqual(try TIFFFile.decode(frame).image, .gray16(twelveBit, width: 4, height: 4))
    }

    /// RGB 8-bit by hand: the pixels come back as they are and become gray by the luma rule the PNG path uses.
    func testHandMadeRGBBecomesGrayByThePNGLumaRule() throws {
        let rgb: [UInt8] = [200, 100, 50, 0, 0, 0, 255, 255, 255, 10, 200, 30,
                            1, 2, 3, 250, 5, 9, 77, 77, 77, 0, 255, 0]
        let file = HandTIFF.strips(width: 4, height: 2, bits: 8, samplesPerPixel: 3, photometric: 2,
                                   data: rgb, rowsPerStrip: 1).bytes
        let decoded = try TIFFFile.decode(file)
        XCTAssertEqual(decoded.image, .rgb8(rgb, width: 4, height: 2))
        XCTAssertTrue(decoded.isColour)
        let gray = decoded.image.intensityTensor()
        XCTAssertEqual(gray.shape, [1, 1, 2, 4])
        XCTAssertEqual(gray.pointer[0], Float((299 * 200 + 587 * 100 + 114 * 50 + 500) / 1000) / 255)
        let viaPNG = try PNGFile.decode(PNGFile.encode(.rgb8(rgb, width: 4, height: 2))).image.intensityTensor()
        XCTAssertEqual(Array(gray.buffer), Array(viaPNG.buffer))
    }
}
