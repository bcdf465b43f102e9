import Foundation
@testable import Storage
import XCTest

/// The TIFF reader on hand-made layouts (tiles, planes, alpha, min-is-white, orientation), its
/// refusals, and damaged files: each error names the file, and libtiff prints nothing.
final class TIFFReaderTests: XCTestCase {
    func testTilesAreAssembledAndEdgeTilesCropped() throws {
        // 20 × 18 pixels in 16 × 16 tiles: 2 × 2 tiles, the right and bottom ones mostly padding.
        let (width, height) = (20, 18)
        let pixels = (0..<width * height).map { UInt8($0 % 251) }
        var file = HandTIFF(tags: [256: (.long, [20]), 257: (.long, [18]), 258: (.short, [8]), 262: (.short, [1]),
                                   277: (.short, [1]), 322: (.long, [16]), 323: (.long, [16])])
        file.tiled = true
        for ty in 0..<2 {
            for tx in 0..<2 {
                file.chunks.append((0..<256).map { i in
                    let (x, y) = (tx * 16 + i % 16, ty * 16 + i / 16)
                    return x < width && y < height ? pixels[y * width + x] : 0xee
                })
            }
        }
        XCTAssertEqual(try TIFFFile.decode(file.bytes).image, .gray8(pixels, width: width, height: height))
    }

    func testPlanarRGBIsInterleaved() throws {
        // PlanarConfiguration 2: all red samples (strip 0), then green (1), then blue (2).
        let rgb: [UInt8] = (0..<3 * 6).map { UInt8($0 * 13) }
        var file = HandTIFF.strips(width: 3, height: 2, bits: 8, samplesPerPixel: 3, photometric: 2,
                                   data: rgb, rowsPerStrip: 2)
        file.tags[284] = (.short, [2])
        file.chunks = (0..<3).map { c in (0..<6).map { rgb[3 * $0 + c] } }
        XCTAssertEqual(try TIFFFile.decode(file.bytes).image, .rgb8(rgb, width: 3, height: 2))
    }

    func testAlphaIsCompositedOntoBlack() throws {
        // 16-bit gray + unassociated alpha: v·α / 65535; associated alpha keeps v.
        let samples: [UInt16] = [65535, 65535, 40000, 0, 65535, 32768, 1000, 65535]
        for (kind, expected) in [(2, [UInt16(65535), 0, 32768, 1000]), (1, [65535, 40000, 65535, 1000])] {
            var file = HandTIFF.strips(width: 2, height: 2, bits: 16, samplesPerPixel: 2, photometric: 1,
                                       data: HandTIFF.samples16(samples, bigEndian: false), rowsPerStrip: 2)
            file.tags[338] = (.short, [UInt32(kind)])
            let decoded = try TIFFFile.decode(file.bytes)
            XCTAssertEqual(decoded.image, .gray16(expected, width: 2, height: 2), "ExtraSamples \(kind)")
            XCTAssertTrue(decoded.hadAlpha)
            XCTAssertEqual(decoded.sourceLayout, "gray+alpha")
        }
    }

    func testMinIsWhiteIsInverted() throws {
        let file = HandTIFF.strips(width: 4, height: 1, bits: 8, samplesPerPixel: 1, photometric: 0,
                                   data: [0, 1, 200, 255], rowsPerStrip: 1).bytes
        let decoded = try TIFFFile.decode(file)
        XCTAssertEqual(decoded.image, .gray8([255, 254, 55, 0], width: 4, height: 1))
        XCTAssertEqual(decoded.sourceLayout, "gray (min-is-white)")
    }

    func testOrientationPutsRowZeroAtTheTop() throws {
        // Stored 3 × 2: a b c / d e f.
        let stored: [UInt8] = [1, 2, 3, 4, 5, 6]
        let shown: [Int: (pixels: [UInt8], width: Int, height: Int)] = [
            1: ([1, 2, 3, 4, 5, 6], 3, 2), 2: ([3, 2, 1, 6, 5, 4], 3, 2), 3: ([6, 5, 4, 3, 2, 1], 3, 2),
            4: ([4, 5, 6, 1, 2, 3], 3, 2), 5: ([1, 4, 2, 5, 3, 6], 2, 3), 6: ([4, 1, 5, 2, 6, 3], 2, 3),
            7: ([6, 3, 5, 2, 4, 1], 2, 3), 8: ([3, 6, 2, 5, 1, 4], 2, 3),
        ]
        for (orientation, want) in shown {
            var file = HandTIFF.strips(width: 3, height: 2, bits: 8, samplesPerPixel: 1, photometric: 1,
                                       data: stored, rowsPerStrip: 2)
            file.tags[274] = (.short, [UInt32(orientation)])
            XCTAssertEqual(try TIFFFile.decode(file.bytes).image, .gray8(want.pixels, width: want.width, height: want.height),
                           "Orientation \(orientation)")
        }
    }

    func testUnsupportedLayoutsAreRefusedNamingTheFile() throws {
        func gray(bits: Int, extra: [UInt16: (type: HandTIFF.FieldType, values: [UInt32])] = [:],
                  photometric: Int = 1, samples: Int = 1) -> [UInt8] {
            var file = HandTIFF.strips(width: 2, height: 2, bits: bits, samplesPerPixel: samples, photometric: photometric,
                                       data: [UInt8](repeating: 9, count: max(1, 4 * samples * bits / 8)), rowsPerStrip: 2)
            for (tag, field) in extra { file.tags[tag] = field }
            return file.bytes
        }
        let cases: [(name: String, bytes: [UInt8], fragment: String)] = [
            ("palette.tif", gray(bits: 8, extra: [320: (.short, [UInt32](repeating: 0, count: 768))], photometric: 3), "palette"),
            ("twelve.tif", gray(bits: 12), "12-bit integer samples are not supported"),
            ("signed.tif", gray(bits: 16, extra: [339: (.short, [2])]), "signed 16-bit"),
            ("cmyk.tif", gray(bits: 8, photometric: 5, samples: 4), "CMYK"),
            ("double.tif", gray(bits: 64, extra: [339: (.short, [3])]), "64-bit float samples are not supported"),
        ]
        for c in cases {
            let error = try expectError { _ = try TIFFFile.decode(c.bytes, path: c.name) }
            XCTAssertEqual(error.path, c.name)
            XCTAssertEqual(error.kind, .unsupported, "\(error)")
            XCTAssertTrue(error.message.contains(c.fragment), "\(c.name): \(error)")
        }
    }

    func testDamagedFilesAreNamedAndLibtiffPrintsNothing() throws {
        let dir = try makeTemporaryDirectory(self)
        let good = HandTIFF.strips(width: 16, height: 16, bits: 16, samplesPerPixel: 1, photometric: 1,
                                   data: [UInt8](repeating: 7, count: 512), rowsPerStrip: 4).bytes
        var deflated = try TIFFFile.encode(.gray8([UInt8](repeating: 3, count: 4096), width: 64, height: 64),
                                           compression: .deflate)
        for i in 8..<16 { deflated[i] ^= 0x5a }   // libtiff puts the first strip right after the header
        let cases: [(name: String, bytes: [UInt8], kind: StorageError.Kind, libtiff: Bool)] = [
            ("empty.tif", [], .truncated, false),
            ("text.tif", Array("P5 not a tiff".utf8), .corrupt, false),
            ("header.tif", Array("II*\0".utf8), .truncated, false),
            ("cut-data.tif", Array(good.prefix(good.count - 100)), .truncated, true),
            ("cut-directory.tif", Array(good.prefix(40)), .truncated, true),
            ("far-directory.tif", Array(good.prefix(4)) + [0xff, 0xff, 0, 0] + good.dropFirst(8), .truncated, true),
            ("bad-deflate.tif", deflated, .corrupt, true),
        ]
        var outcomes: [Result<DecodedImage, Error>] = []
        let printed = try capturingStandardError {
            for c in cases {
                writeBytes(c.bytes, dir + "/" + c.name)
                outcomes.append(Result { try TIFFFile.read(path: dir + "/" + c.name) })
            }
        }
        XCTAssertEqual(printed, "", "libtiff printed to stderr")
        for (c, outcome) in zip(cases, outcomes) {
            let path = dir + "/" + c.name
            let error = try expectError { _ = try outcome.get() }
            XCTAssertEqual(error.path, path)
            XCTAssertTrue("\(error)".hasPrefix(path + ": "), "\(error)")
            XCTAssertEqual(error.kind, c.kind, "\(c.name): \(error)")
            XCTAssertEqual(error.message.contains("(libtiff: "), c.libtiff, "\(c.name): \(error)")
        }
    }

    func testNonFiniteFloatIsRefused() throws {
        let file = try TIFFFile.encode(.gray32f([0, .nan, 0.5, 0.25], width: 2, height: 2))
        let error = try expectError { _ = try TIFFFile.decode(file, path: "nan.tif") }
        XCTAssertEqual(error.kind, .invalidValue)
        XCTAssertTrue("\(error)".hasPrefix("nan.tif: ") && error.message.contains("row 0, column 1"), "\(error)")
    }

    func testImageFileReadsByExtension() throws {
        let dir = try makeTemporaryDirectory(self)
        let image = RasterImage.gray16([1, 2, 3, 4], width: 2, height: 2)
        XCTAssertEqual(ImageFile.format(of: "a/b.TIF"), .tiff)
        XCTAssertEqual(ImageFile.format(of: "b.tiff"), .tiff)
        XCTAssertEqual(ImageFile.format(of: "b.Png"), .png)
        XCTAssertNil(ImageFile.format(of: "b.jpg"))
        try TIFFFile.write(image, to: dir + "/x.TIFF")
        XCTAssertEqual(try ImageFile.read(path: dir + "/x.TIFF").image, image)
        let error = try expectError { _ = try ImageFile.read(path: dir + "/x.jpg") }
        XCTAssertEqual(error.kind, .unsupported)
    }

    /// The `StorageError` `body` throws (failing the test when it throws nothing or something else).
    func expectError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) throws -> StorageError {
        do { try body() } catch let error as StorageError { return error }
        XCTFail("expected a StorageError", file: file, line: line)
        throw NoError()
    }

    struct NoError: Error {}
}

/// What the process wrote to file descriptor 2 while `body` ran.
func capturingStandardError(_ body: () throws -> Void) throws -> String {
    let path = NSTemporaryDirectory() + "stderr-" + UUID().uuidString
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create \(path)")
    defer { close(fd); unlink(path) }
    fflush(stderr)
    let saved = dup(2)
    dup2(fd, 2)
    defer { fflush(stderr); dup2(saved, 2); close(saved) }
    try body()
    fflush(stderr)
    return String(decoding: readBytes(path), as: UTF8.self)
}
