@testable import Fabrication
import Foundation
import TensorCore
import XCTest

final class GDSIITests: XCTestCase {
    func testRealEncodingFollowsTheExcess64Layout() throws {
        // 1 = (1/16)·16^1: exponent 65, mantissa 2^52.
        XCTAssertEqual(GDSReal.encode(1), 0x4110_0000_0000_0000)
        XCTAssertEqual(GDSReal.encode(0.5), 0x4080_0000_0000_0000)
        XCTAssertEqual(GDSReal.encode(-2), 0xC120_0000_0000_0000)
        XCTAssertEqual(GDSReal.encode(0), 0)
        XCTAssertNil(GDSReal.encode(.nan))
        XCTAssertNil(GDSReal.encode(1e300))
        var g = SeededGenerator(seed: 1)
        for _ in 0..<1000 {
            let x = Double.random(in: -1...1, using: &g) * pow(10, Double.random(in: -30...30, using: &g))
            XCTAssertEqual(GDSReal.decode(try XCTUnwrap(GDSReal.encode(x))), x)
        }
        for x in [1e-3, 1e-9] { XCTAssertEqual(GDSReal.decode(try XCTUnwrap(GDSReal.encode(x))), x) }
        // Normalized: the top hex digit of the mantissa is not zero.
        XCTAssertNotEqual((try XCTUnwrap(GDSReal.encode(1e-9)) >> 52) & 0xF, 0)
    }

    func sampleLibrary() -> GDSLibrary {
        GDSLibrary(name: "LIB", structures: [
            GDSStructure(name: "TOP", boundaries: [
                .rectangle(layer: 1, x0: 0, y0: 0, x1: 8000, y1: 8000),
                .rectangle(layer: 2, x0: -16000, y0: 8000, x1: 24000, y1: 16000),
            ]),
            GDSStructure(name: "EMPTY_1", boundaries: []),
        ])
    }

    func testRecordsAreBigEndianAndRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let bytes = [UInt8](try GDSWriter.encode(sampleLibrary(), date: date))
        XCTAssertEqual(Array(bytes.prefix(6)), [0x00, 0x06, 0x00, 0x02, 0x02, 0x58])   // HEADER 600
        XCTAssertEqual(Array(bytes[6..<10]), [0x00, 0x1C, 0x01, 0x02])                 // BGNLIB, 24 data bytes
        XCTAssertEqual(Int(bytes[10]) << 8 | Int(bytes[11]), 2023)                       // year, UTC
        XCTAssertEqual(Array(bytes.suffix(4)), [0x00, 0x04, 0x04, 0x00])                 // ENDLIB
        let library = try GDSReader.read(Data(bytes), source: "t.gds")
        XCTAssertEqual(library, sampleLibrary())
        XCTAssertEqual(library.databaseUnitInMetres, 1e-9)
        XCTAssertEqual(library.databaseUnitInUserUnits, 1e-3)
    }

    func testEveryTruncationAndBadLengthIsAnError() throws {
        let bytes = [UInt8](try GDSWriter.encode(sampleLibrary()))
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try GDSReader.read(Data(bytes.prefix(n)), source: "cut.gds"), "prefix \(n)") { e in
                XCTAssertTrue("\(e)".contains("cut.gds"))
            }
        }
        var odd = bytes
        odd[7] = 0x1B   // BGNLIB length 27: odd
        XCTAssertThrowsError(try GDSReader.read(Data(odd), source: "odd.gds")) { XCTAssertTrue("\($0)".contains("length")) }
        var tiny = bytes
        tiny[7] = 0x02  // length 2 < header size
        XCTAssertThrowsError(try GDSReader.read(Data(tiny), source: "tiny.gds"))
        var huge = bytes
        huge[6] = 0xFF  // length beyond the end of the file
        XCTAssertThrowsError(try GDSReader.read(Data(huge), source: "huge.gds")) { XCTAssertTrue("\($0)".contains("truncated")) }
        var wrongType = bytes
        wrongType[9] = 0x03   // BGNLIB as int32
        XCTAssertThrowsError(try GDSReader.read(Data(wrongType), source: "type.gds"))
        // Zero padding after ENDLIB (2048-byte blocks) is accepted.
        XCTAssertEqual(try GDSReader.read(Data(bytes + [UInt8](repeating: 0, count: 100)), source: "pad.gds"), sampleLibrary())
    }

    func testWriterRejectsOpenPolygonsAndBadNames() {
        var open = sampleLibrary()
        open.structures[0].boundaries[0].points.removeLast()
        XCTAssertThrowsError(try GDSWriter.encode(open))
        var badName = sampleLibrary()
        badName.structures[0].name = "has space"
        XCTAssertThrowsError(try GDSWriter.encode(badName))
    }

    func testAtomicWriteLeavesOnlyTheFinishedFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gds-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.gds")
        try GDSWriter.write(sampleLibrary(), to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.gds"])
        XCTAssertEqual(try GDSReader.read(contentsOf: url), sampleLibrary())
        let nowhere = dir.appendingPathComponent("missing/m.gds")
        XCTAssertThrowsError(try GDSWriter.write(sampleLibrary(), to: nowhere)) { XCTAssertTrue("\($0)".contains("missing/m.gds")) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.gds"])
    }
}
