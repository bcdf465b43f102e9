import Fabrication
import Foundation
import Storage
import TensorCore
import XCTest

/// A fresh temporary directory, removed by the returned closure.
func temporaryDirectory(_ name: String) throws -> (URL, () -> Void) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (dir, { try? FileManager.default.removeItem(at: dir) })
}

func randomFrame(_ p: SLMProfile, seed: UInt64) -> GrayImage {
    var g = SeededGenerator(seed: seed)
    return GrayImage(width: p.columns, height: p.rows,
                     pixels: (0..<(p.columns * p.rows)).map { _ in UInt16.random(in: 0...UInt16(p.maxGray), using: &g) })
}

final class SLMBitmapTests: XCTestCase {
    func testEveryFormatRoundTripsExactly() throws {
        let (dir, cleanup) = try temporaryDirectory("bitmap")
        defer { cleanup() }
        for (p, formats) in [(try profile(columns: 7, rows: 5), SLMBitmapFormat.allCases),
                             (try profile(columns: 6, rows: 3, bits: 10, gray2Pi: 1024), [.png, .csv]),
                             (try profile(columns: 5, rows: 4, bits: 6, gray2Pi: 64), SLMBitmapFormat.allCases)] {
            let frame = randomFrame(p, seed: UInt64(p.bitDepth))
            for format in formats {
                let path = dir.appendingPathComponent("frame\(p.bitDepth).\(format.rawValue)").path
                try SLMBitmap.write(frame, profile: p, format: format, to: path)
                XCTAssertEqual(try SLMBitmap.read(path: path, profile: p), frame, "\(format) \(p.bitDepth)-bit")
            }
        }
        // The BMP keeps row 0 at the top: Storage's reader agrees with the writer.
        let p = try profile(columns: 3, rows: 2)
        var frame = GrayImage(width: 3, height: 2, repeating: 0)
        frame[0, 2] = 200
        let path = dir.appendingPathComponent("top.bmp").path
        try SLMBitmap.write(frame, profile: p, format: .bmp, to: path)
        XCTAssertEqual(try BMPFile.read(path: path).image.pixels, .gray8([0, 0, 200, 0, 0, 0]))
    }

    func testWrongSizeDepthOrValuesAreRefused() throws {
        let (dir, cleanup) = try temporaryDirectory("bitmap-bad")
        defer { cleanup() }
        let eight = try profile(columns: 4, rows: 3)
        let ten = try profile(columns: 4, rows: 3, bits: 10, gray2Pi: 1024)
        let six = try profile(columns: 4, rows: 3, bits: 6, gray2Pi: 64)
        let path = dir.appendingPathComponent("f.png").path
        try SLMBitmap.write(randomFrame(eight, seed: 1), profile: eight, format: .png, to: path)
        XCTAssertThrowsError(try SLMBitmap.read(path: path, profile: ten)) { XCTAssertTrue("\($0)".contains("16-bit")) }
        XCTAssertThrowsError(try SLMBitmap.read(path: path, profile: six)) { XCTAssertTrue("\($0)".contains("exceeds 63")) }
        let wide = try profile(columns: 5, rows: 3)
        XCTAssertThrowsError(try SLMBitmap.read(path: path, profile: wide)) { XCTAssertTrue("\($0)".contains("f.png")) }
        let csv = dir.appendingPathComponent("f.csv").path
        try SLMBitmap.write(randomFrame(ten, seed: 2), profile: ten, format: .csv, to: csv)
        XCTAssertThrowsError(try SLMBitmap.read(path: csv, profile: try profile(columns: 4, rows: 2, bits: 10, gray2Pi: 1024)))
        XCTAssertThrowsError(try SLMBitmap.read(path: dir.appendingPathComponent("f.tif").path, profile: eight))
        // Refused writes leave nothing behind.
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertThrowsError(try SLMBitmap.write(randomFrame(ten, seed: 3), profile: ten, format: .bmp,
                                                 to: dir.appendingPathComponent("g.bmp").path))
        XCTAssertThrowsError(try SLMBitmap.write(GrayImage(width: 4, height: 3, repeating: 64), profile: six, format: .png,
                                                 to: dir.appendingPathComponent("g.png").path))
        XCTAssertThrowsError(try SLMBitmap.write(randomFrame(wide, seed: 4), profile: eight, format: .png,
                                                 to: dir.appendingPathComponent("g.png").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), before)
    }

    func testLookupTableFileLoads() throws {
        let (dir, cleanup) = try temporaryDirectory("lut")
        defer { cleanup() }
        let path = dir.appendingPathComponent("lut.csv").path
        try "gray,phase\n0,0\n128,3.1\n255,6.0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let lut = try PhaseLUT.load(path: path, maxGray: 255)
        XCTAssertEqual(lut.entries.map(\.gray), [0, 128, 255])
        XCTAssertThrowsError(try PhaseLUT.load(path: path, maxGray: 127)) { XCTAssertTrue("\($0)".contains("lut.csv")) }
    }
}
