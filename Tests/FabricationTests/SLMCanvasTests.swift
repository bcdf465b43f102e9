import Fabrication
import Foundation
import TensorCore
import XCTest

final class SLMCanvasTests: XCTestCase {
    func testMarginsPutTheOddPixelBottomRight() throws {
        let p = try profile(columns: 11, rows: 7)
        let layout = try SLMLayout(designHeight: 2, designWidth: 3, profile: p)
        XCTAssertEqual(layout.superpixel, 3)   // min(7/2, 11/3)
        XCTAssertEqual([layout.top, layout.bottom, layout.left, layout.right], [0, 1, 1, 1])
        let one = try SLMLayout(designHeight: 2, designWidth: 3, profile: p, superpixel: 1)
        XCTAssertEqual([one.top, one.bottom, one.left, one.right], [2, 3, 4, 4])
        let wide = try SLMLayout(designHeight: 3, designWidth: 3, profile: try profile(columns: 10, rows: 10))
        XCTAssertEqual([wide.top, wide.bottom, wide.left, wide.right], [0, 1, 0, 1])
        for l in [layout, one, wide] {
            XCTAssertEqual(l.top + l.bottom + l.superpixel * l.designHeight, l.profile.rows)
            XCTAssertEqual(l.left + l.right + l.superpixel * l.designWidth, l.profile.columns)
        }
    }

    func testPlacementWritesEachBlockAndZeroPhaseElsewhere() throws {
        for inverted in [false, true] {
            let p = try profile(columns: 13, rows: 9, gray2Pi: 218, inverted: inverted)
            let layout = try SLMLayout(designHeight: 2, designWidth: 3, profile: p, superpixel: 2)
            let encoder = GrayEncoder(profile: p)
            let mask = randomMask([2, 2, 3], seed: 5)
            let image = try layout.encode(mask, snapshot: 1, with: encoder)
            XCTAssertEqual([image.width, image.height], [13, 9])
            for r in 0..<9 {
                for c in 0..<13 {
                    let (i, j) = ((r - layout.top) / 2, (c - layout.left) / 2)
                    let inside = r >= layout.top && c >= layout.left && i < 2 && j < 3
                    let phase = inside ? Double(mask[1, i, j]) : 0
                    XCTAssertEqual(Int(image[r, c]), encoder.gray(forPhase: phase), "pixel \(r),\(c)")
                }
            }
            XCTAssertEqual(Int(image[0, 0]), inverted ? 255 : 0)
        }
    }

    func testDecodeOfEncodeGivesTheGrayQuantizedPhase() throws {
        let p = try profile(columns: 20, rows: 15, gray2Pi: 218, inverted: true)
        let layout = try SLMLayout(designHeight: 4, designWidth: 5, profile: p)
        XCTAssertEqual(layout.superpixel, 3)
        let encoder = GrayEncoder(profile: p)
        let mask = randomMask([2, 4, 5], seed: 9)
        let decoded = try layout.decode(try layout.encode(mask, with: encoder), with: encoder)
        XCTAssertEqual(decoded.shape, [2, 4, 5])
        for i in 0..<mask.count {
            let phi = Double(mask.pointer[i])
            let quantized = try encoder.phase(forGray: encoder.gray(forPhase: phi))
            XCTAssertLessThan(circularError(Double(decoded.pointer[i]), quantized), 1e-5)
            XCTAssertLessThanOrEqual(circularError(Double(decoded.pointer[i]), phi), encoder.worstCaseError + 1e-5)
        }
    }

    func testDecodeAveragesBlocksOnTheCircle() throws {
        let p = try profile(columns: 2, rows: 2, gray2Pi: 256)
        let layout = try SLMLayout(designHeight: 1, designWidth: 1, profile: p)
        let encoder = GrayEncoder(profile: p)
        // Two pixels just above 0 and two just below 2π average to 0, not to π.
        let image = GrayImage(width: 2, height: 2, pixels: [2, 254, 2, 254])
        let phase = Double(try layout.decode([image], with: encoder).pointer[0])
        XCTAssertLessThan(circularError(phase, 0), 1e-6)
    }

    func testErrorsForDesignsThatDoNotFitAndWrongBitmaps() throws {
        let p = try profile(columns: 8, rows: 6)
        XCTAssertThrowsError(try SLMLayout(designHeight: 7, designWidth: 2, profile: p)) { e in
            XCTAssertTrue("\(e)".contains("7×2"), "\(e)")
        }
        XCTAssertThrowsError(try SLMLayout(designHeight: 3, designWidth: 3, profile: p, superpixel: 3))
        XCTAssertThrowsError(try SLMLayout(designHeight: 3, designWidth: 3, profile: p, superpixel: 0))
        let layout = try SLMLayout(designHeight: 3, designWidth: 4, profile: p)
        let encoder = GrayEncoder(profile: p)
        XCTAssertThrowsError(try layout.decode([GrayImage(width: 8, height: 5, repeating: 0)], with: encoder, source: "x.bmp")) {
            XCTAssertTrue("\($0)".contains("x.bmp"))
        }
        XCTAssertThrowsError(try layout.decode([GrayImage(width: 8, height: 6, repeating: 300)], with: encoder))
        XCTAssertThrowsError(try layout.encode(randomMask([1, 4, 3], seed: 1), snapshot: 0, with: encoder))
        XCTAssertThrowsError(try layout.encode(randomMask([1, 3, 4], seed: 1), snapshot: 1, with: encoder))
    }
}
