import Fabrication
import Foundation
import XCTest

final class SLMProfileTests: XCTestCase {
    let validJSON = """
    {"name": "Bench SLM", "columns": 640, "rows": 480, "pixelPitch": 1.5e-5, "bitDepth": 10,
     "gray2Pi": 900, "designWavelength": 8.08e-7, "inverted": true}
    """

    func testBuiltInsHaveThePublishedFigures() throws {
        let pluto = try XCTUnwrap(SLMCatalog.profile(named: "pluto-2"))
        XCTAssertEqual([pluto.columns, pluto.rows, pluto.bitDepth], [1920, 1080, 8])
        XCTAssertEqual(pluto.pixelPitch, 8e-6)
        let hamamatsu = try XCTUnwrap(SLMCatalog.profile(named: "X13138"))
        XCTAssertEqual([hamamatsu.columns, hamamatsu.rows, hamamatsu.bitDepth, hamamatsu.gray2Pi], [1272, 1024, 8, 218])
        XCTAssertEqual(hamamatsu.pixelPitch, 12.5e-6)
        XCTAssertEqual(hamamatsu.designWavelength, 690e-9)
        let santec = try XCTUnwrap(SLMCatalog.profile(named: "slm-200"))
        XCTAssertEqual([santec.columns, santec.rows, santec.bitDepth, santec.maxGray], [1920, 1200, 10, 1023])
        for entry in SLMCatalog.builtIns { XCTAssertNoThrow(try entry.profile.validate(source: entry.key)) }
    }

    func testLookupIgnoresCaseAndAcceptsFullNames() {
        XCTAssertEqual(SLMCatalog.profile(named: "PLUTO-2")?.name, "Holoeye PLUTO-2")
        XCTAssertEqual(SLMCatalog.profile(named: " holoeye pluto-2 ")?.name, "Holoeye PLUTO-2")
        XCTAssertEqual(SLMCatalog.profile(named: "Santec SLM-200")?.columns, 1920)
        XCTAssertNil(SLMCatalog.profile(named: "pluto-3"))
        XCTAssertThrowsError(try SLMCatalog.resolve("pluto-3")) { XCTAssertTrue("\($0)".contains("pluto-2")) }
    }

    func testParsesAndRoundTripsJSON() throws {
        let p = try SLMProfile.parse(json: Data(validJSON.utf8), source: "bench.json")
        XCTAssertEqual(p.name, "Bench SLM")
        XCTAssertEqual(p.maxGray, 1023)
        XCTAssertTrue(p.inverted)
        let again = try SLMProfile.parse(json: try p.jsonData(), source: "again.json")
        XCTAssertEqual(again, p)
        let noInversion = validJSON.replacingOccurrences(of: ", \"inverted\": true", with: "")
        XCTAssertFalse(try SLMProfile.parse(json: Data(noInversion.utf8), source: "b.json").inverted)
    }

    func testErrorsNameTheFileAndTheField() {
        func expectError(_ json: String, mentions field: String, line: UInt = #line) {
            XCTAssertThrowsError(try SLMProfile.parse(json: Data(json.utf8), source: "custom.json"), line: line) { e in
                XCTAssertTrue("\(e)".contains("custom.json"), "\(e)", line: line)
                XCTAssertTrue("\(e)".contains(field), "\(e)", line: line)
            }
        }
        expectError(validJSON.replacingOccurrences(of: "\"pixelPitch\": 1.5e-5, ", with: ""), mentions: "missing field 'pixelPitch'")
        expectError(validJSON.replacingOccurrences(of: "1.5e-5", with: "0"), mentions: "pixelPitch")
        expectError(validJSON.replacingOccurrences(of: "1.5e-5", with: "-8e-6"), mentions: "pixelPitch")
        expectError(validJSON.replacingOccurrences(of: "\"bitDepth\": 10", with: "\"bitDepth\": 0"), mentions: "bitDepth")
        expectError(validJSON.replacingOccurrences(of: "\"bitDepth\": 10", with: "\"bitDepth\": 17"), mentions: "bitDepth")
        expectError(validJSON.replacingOccurrences(of: "900", with: "1025"), mentions: "gray2Pi")
        expectError(validJSON.replacingOccurrences(of: "900", with: "1"), mentions: "gray2Pi")
        expectError(validJSON.replacingOccurrences(of: "640", with: "0"), mentions: "columns")
        expectError(validJSON.replacingOccurrences(of: "480", with: "-3"), mentions: "rows")
        expectError(validJSON.replacingOccurrences(of: "640", with: "\"wide\""), mentions: "columns")
        expectError(validJSON.replacingOccurrences(of: "8.08e-7", with: "0"), mentions: "designWavelength")
        expectError("{\"name\": ", mentions: "JSON")
    }

    func testLoadsAFileAndReportsUnreadableOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slmprofile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bench.json")
        try Data(validJSON.utf8).write(to: file)
        XCTAssertEqual(try SLMCatalog.resolve(file.path).columns, 640)
        let missing = dir.appendingPathComponent("none.json")
        XCTAssertThrowsError(try SLMProfile.load(contentsOf: missing)) { XCTAssertTrue("\($0)".contains("none.json")) }
    }
}
