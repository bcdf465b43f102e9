import Fabrication
import Foundation
import Storage
import TensorCore
import XCTest

final class TestPatternTests: XCTestCase {
    /// On a 10-bit panel 2048 columns wide with 1024 grays per 2π, the ramp holds every gray 0…1023
    /// exactly twice per row, left to right, and its 16-bit PNG and CSV read back to the same frame.
    func testTheRampShowsEveryGrayAtTheNativeDepth() throws {
        let p = try profile(columns: 2048, rows: 3, bits: 10, gray2Pi: 1024)
        let frame = TestPattern.ramp.frame(profile: p, encoder: GrayEncoder(profile: p))
        for r in 0..<3 { for c in 0..<2048 { XCTAssertEqual(Int(frame[r, c]), c / 2) } }
        let (dir, cleanup) = try temporaryDirectory("test-pattern-\(UUID().uuidString)")
        defer { cleanup() }
        let paths = try TestPattern.writeAll([.ramp], profile: p, encoder: GrayEncoder(profile: p), correction: nil, to: dir, stem: "t")
        XCTAssertEqual(paths.map { ($0 as NSString).lastPathComponent }, ["t_test_ramp.png", "t_test_ramp.csv"])
        for path in paths { XCTAssertEqual(try SLMBitmap.read(path: path, profile: p), frame, path) }
        XCTAssertEqual(try PNGFile.read(path: paths[0]).sourceBitDepth, 16)
    }

    func testCheckerboardMarksTheTopLeftAndStripesAlternateZeroAndPi() throws {
        for inverted in [false, true] {
            let p = try profile(columns: 200, rows: 150, inverted: inverted)
            let encoder = GrayEncoder(profile: p)
            func shown(_ g: Int) -> Int { inverted ? 255 - g : g }
            let board = TestPattern.checkerboard.frame(profile: p, encoder: encoder)
            XCTAssertEqual(Int(board[0, 0]), shown(64))      // π/2 marks row 0, column 0
            XCTAssertEqual(Int(board[63, 63]), shown(64))
            XCTAssertEqual(Int(board[0, 64]), shown(128))    // π
            XCTAssertEqual(Int(board[64, 0]), shown(128))
            XCTAssertEqual(Int(board[64, 64]), shown(0))
            XCTAssertEqual(Int(board[149, 199]), shown(128))   // cell (2, 3): odd → π
            let stripes = TestPattern.stripes.frame(profile: p, encoder: encoder)
            for c in 0..<200 { XCTAssertEqual(Int(stripes[7, c]), shown((c / 8) % 2 == 0 ? 0 : 128), "column \(c)") }
        }
    }

    /// A correction is added to a pattern as to a design: (pattern gray + correction gray) mod 2π gray.
    func testACorrectionIsAddedToThePattern() throws {
        let p = try profile(columns: 20, rows: 4, gray2Pi: 218)
        let k = (0..<80).map { ($0 * 7) % 218 }
        let correction = PanelCorrection(records: [], phase: k.map { 2 * Double.pi * Double($0) / 218 })
        let plain = TestPattern.stripes.frame(profile: p, encoder: GrayEncoder(profile: p))
        let corrected = TestPattern.stripes.frame(profile: p, encoder: GrayEncoder(profile: p), correction: correction)
        for i in 0..<80 { XCTAssertEqual(Int(corrected.pixels[i]), (Int(plain.pixels[i]) + k[i]) % 218) }
        XCTAssertThrowsError(try TestPattern(parsing: "zebra")) {
            XCTAssertEqual("\($0)", "--test-pattern: 'zebra' is not a test pattern; use checkerboard, ramp or stripes")
        }
    }
}
