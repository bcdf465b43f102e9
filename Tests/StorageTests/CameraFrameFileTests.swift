import Foundation
@testable import Storage
import XCTest

/// Camera frames: round trips at 8, 12 (left- and right-justified) and 16 bits through TIFF and PNG,
/// saturation, and every refused layout with an error naming the file.
final class CameraFrameFileTests: XCTestCase {
    /// A 12-bit ramp 0…4095 over 8×8 pixels (with both ends, so full scale is reached once).
    let ramp12: [UInt16] = (0..<64).map { UInt16($0 * 4095 / 63) }

    func testRoundTripsAt8_12And16Bits() throws {
        let dir = try makeTemporaryDirectory(self)
        let ramp8: [UInt8] = (0..<64).map { UInt8($0 * 4) }
        let ramp16: [UInt16] = (0..<64).map { UInt16($0 * 1040 + 3) }
        let cases: [(name: String, image: RasterImage, counts: [Float], bits: Int, storage: String)] = [
            ("a8.tif", .gray8(ramp8, width: 8, height: 8), ramp8.map(Float.init), 8, "8-bit TIFF"),
            ("a12.tif", .gray16(ramp12.map { $0 << 4 }, width: 8, height: 8), ramp12.map(Float.init), 12,
             "16-bit TIFF, 12-bit data left-justified (÷ 16)"),
            ("a16.tif", .gray16(ramp16, width: 8, height: 8), ramp16.map(Float.init), 16, "16-bit TIFF"),
            ("a8.png", .gray8(ramp8, width: 8, height: 8), ramp8.map(Float.init), 8, "8-bit PNG"),
            ("a12.png", .gray16(ramp12.map { $0 << 4 }, width: 8, height: 8), ramp12.map(Float.init), 12,
             "16-bit PNG, 12-bit data left-justified (÷ 16)"),
            ("a16.png", .gray16(ramp16, width: 8, height: 8), ramp16.map(Float.init), 16, "16-bit PNG"),
        ]
        for c in cases {
            let path = dir + "/" + c.name
            if c.name.hasSuffix(".tif") { try TIFFFile.write(c.image, to: path) } else { try PNGFile.write(c.image, to: path) }
            let frame = try CameraFrameFile.read(path: path)
            XCTAssertEqual(frame.counts, c.counts, c.name)
            XCTAssertEqual([frame.width, frame.height, frame.bits], [8, 8, c.bits], c.name)
            XCTAssertEqual(frame.fullScale, Float((1 << c.bits) - 1), c.name)
            XCTAssertEqual(frame.storage, c.storage, c.name)
            XCTAssertEqual(frame.path, path)
        }
    }

    /// Right-justified 12-bit data reads as dim 16-bit data unless told; told, it saturates at 4095.
    /// Values that are neither are refused.
    func testRightJustifiedDataNeedsTheBitCount() throws {
        let file = try TIFFFile.encode(.gray16(ramp12, width: 8, height: 8))
        let auto = try CameraFrameFile.decode(file, format: .tiff, path: "r.tif")
        XCTAssertEqual([auto.bits, auto.saturated.filter { $0 }.count], [16, 0])
        let told = try CameraFrameFile.decode(file, format: .tiff, path: "r.tif", bits: .bits(12))
        XCTAssertEqual(told.counts, ramp12.map(Float.init))
        XCTAssertEqual(told.storage, "16-bit TIFF, 12-bit data right-justified")
        XCTAssertEqual(told.saturated.enumerated().filter { $0.element }.map(\.offset), [63])
        let left = try TIFFFile.encode(.gray16(ramp12.map { $0 << 4 }, width: 8, height: 8))
        XCTAssertEqual(try CameraFrameFile.decode(left, format: .tiff, path: "l.tif", bits: .bits(12)).counts, ramp12.map(Float.init))
        let neither = try TIFFFile.encode(.gray16(ramp12.map { $0 + 5000 }, width: 8, height: 8))
        assertStorageError(.invalidValue, ["n.tif: ", "not 12-bit data"]) {
            try CameraFrameFile.decode(neither, format: .tiff, path: "n.tif", bits: .bits(12))
        }
        // A nearly dark frame whose few nonzero values happen to be multiples of 16 stays 16-bit.
        var dark = [UInt16](repeating: 0, count: 64)
        dark[3] = 32; dark[9] = 48
        XCTAssertEqual(try CameraFrameFile.decode(try TIFFFile.encode(.gray16(dark, width: 8, height: 8)), format: .tiff,
                                                  path: "d.tif").bits, 16)
    }

    func testSaturatedPixelsAreMarkedAtFullScale() throws {
        var p = [UInt8](repeating: 10, count: 12)
        p[4] = 255; p[11] = 255; p[5] = 254
        let frame = try CameraFrameFile.decode(try TIFFFile.encode(.gray8(p, width: 4, height: 3)), format: .tiff, path: "s.tif")
        XCTAssertEqual(frame.saturated.enumerated().filter { $0.element }.map(\.offset), [4, 11])
        let float = try CameraFrameFile.decode(try TIFFFile.encode(.gray32f([0, 1.5, 70000, 2], width: 2, height: 2)),
                                               format: .tiff, path: "f.tif")
        XCTAssertEqual(float.counts, [0, 1.5, 70000, 2])
        XCTAssertNil(float.fullScale)
        XCTAssertEqual(float.saturated, [false, false, false, false])
    }

    func testTiledFramesAreRead() throws {
        var file = HandTIFF(tags: [256: (.long, [20]), 257: (.long, [18]), 258: (.short, [16]), 262: (.short, [1]),
                                   277: (.short, [1]), 322: (.long, [16]), 323: (.long, [16])])
        file.tiled = true
        let values: [UInt16] = (0..<(20 * 18)).map { UInt16($0 * 100) }
        for ty in 0..<2 {
            for tx in 0..<2 {
                file.chunks.append(HandTIFF.samples16((0..<256).map { i in
                    let (x, y) = (tx * 16 + i % 16, ty * 16 + i / 16)
                    return x < 20 && y < 18 ? values[y * 20 + x] : 0
                }, bigEndian: false))
            }
        }
        let frame = try CameraFrameFile.decode(file.bytes, format: .tiff, path: "tiled.tif")
        XCTAssertEqual(frame.counts, values.map(Float.init))
        XCTAssertEqual(try TIFFFile.pageCount(file.bytes), 1)
    }

    func testRefusedFramesNameTheFile() throws {
        let gray = HandTIFF.strips(width: 2, height: 2, bits: 8, samplesPerPixel: 1, photometric: 1,
                                   data: [1, 2, 3, 4], rowsPerStrip: 2).bytes
        let twoPages = Self.withSecondPage(gray)
        XCTAssertEqual(try TIFFFile.pageCount(twoPages), 2)
        let rgb = try TIFFFile.encode(.rgb8([UInt8](repeating: 9, count: 12), width: 2, height: 2))
        var alpha = HandTIFF.strips(width: 2, height: 2, bits: 8, samplesPerPixel: 2, photometric: 1,
                                    data: [UInt8](repeating: 200, count: 8), rowsPerStrip: 2)
        alpha.tags[338] = (.short, [2])
        let float = try TIFFFile.encode(.gray32f([0, 1, 2, 3], width: 2, height: 2))
        let cases: [(String, [UInt8], ImageFile.Format, CameraFrameFile.SignificantBits, StorageError.Kind, String)] = [
            ("stack.tif", twoPages, .tiff, .auto, .unsupported, "holds 2 pages"),
            ("colour.tif", rgb, .tiff, .auto, .unsupported, "colour image (rgb)"),
            ("colour.png", PNGFile.encode(.rgb8([UInt8](repeating: 9, count: 12), width: 2, height: 2)), .png, .auto,
             .unsupported, "colour image"),
            ("alpha.tif", alpha.bytes, .tiff, .auto, .unsupported, "transparency"),
            ("float.tif", float, .tiff, .bits(12), .mismatch, "no 12-bit depth"),
            ("eight.tif", gray, .tiff, .bits(12), .mismatch, "8-bit samples"),
            ("frame.bmp", [0x42, 0x4d], .bmp, .auto, .unsupported, "not BMP"),
            ("text.tif", Array("not a tiff".utf8), .tiff, .auto, .corrupt, "not a TIFF"),
        ]
        for (name, bytes, format, bits, kind, fragment) in cases {
            assertStorageError(kind, [name + ": ", fragment]) { try CameraFrameFile.decode(bytes, format: format, path: name, bits: bits) }
        }
        assertStorageError(.unsupported, ["x.jpg: ", ".tif, .tiff or .png"]) { try CameraFrameFile.read(path: "x.jpg") }
    }

    /// `bytes` (a one-page little-endian TIFF whose directory is at offset 8) with a copy of its
    /// directory appended as a second page, reading the same strips.
    static func withSecondPage(_ bytes: [UInt8]) -> [UInt8] {
        let entries = Int(bytes[8]) | Int(bytes[9]) << 8
        let directory = Array(bytes[8..<(10 + 12 * entries)])
        var out = bytes
        if out.count % 2 == 1 { out.append(0) }
        let offset = UInt32(out.count)
        out += directory + [0, 0, 0, 0]
        let next = 10 + 12 * entries
        for i in 0..<4 { out[next + i] = UInt8(offset >> (8 * UInt32(i)) & 0xff) }
        return out
    }
}
