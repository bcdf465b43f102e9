import Fabrication
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// A mask `[L, H, W]` of uniform K-level phases 2πk/K (exact on a 256-gray panel when K divides 256).
func levelMask(_ shape: [Int], levels k: Int, seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor((0..<shape.reduce(1, *)).map { _ in Float(2 * Double.pi * Double(Int.random(in: 0..<k, using: &g)) / Double(k)) },
                  shape: shape)
}

final class CarrierTests: XCTestCase {
    func testABlazeOfPeriod8On8BitLinearAddsARampOf32GraysPerPixel() throws {
        let p = try profile(columns: 40, rows: 18)
        let layout = try SLMLayout(designHeight: 4, designWidth: 5, profile: p, superpixel: 4)
        let encoder = GrayEncoder(profile: p)
        let mask = levelMask([1, 4, 5], levels: 8, seed: 3)
        let plain = try DisplayChain(layout: layout, encoder: encoder).encode(mask, snapshot: 0)
        for (carrier, along) in [(Carrier.blaze(periodX: 8, periodY: 0), "columns"), (.blaze(periodX: 0, periodY: 8), "rows")] {
            let blazed = try DisplayChain(layout: layout, encoder: encoder, carrier: carrier).encode(mask, snapshot: 0)
            for r in 0..<p.rows {
                for c in 0..<p.columns {
                    let inside = (layout.top..<(layout.top + 16)).contains(r) && (layout.left..<(layout.left + 20)).contains(c)
                    let step = along == "columns" ? c - layout.left : r - layout.top
                    let expected = inside ? (Int(plain[r, c]) + 32 * step) % 256 : Int(plain[r, c])
                    XCTAssertEqual(Int(blazed[r, c]), expected, "\(carrier) at \(r),\(c)")
                }
            }
        }
    }

    func testCarrierSpellingAndRefusals() throws {
        XCTAssertEqual(try Carrier(parsing: "blaze:8,0"), .blaze(periodX: 8, periodY: 0))
        XCTAssertEqual(try Carrier(parsing: "blaze:-2.5, 4").description, "blaze:-2.5,4")
        XCTAssertEqual(try Carrier(parsing: "lens:0.25"), .lens(focalLength: 0.25))
        let refusals = [
            ("blaze:1.5,0", "--carrier: blaze period PX = 1.5 pixels is below 2 pixels (it would alias); use |period| ≥ 2, or 0 for no ramp along that axis"),
            ("blaze:8,-1", "--carrier: blaze period PY = -1.0 pixels is below 2 pixels (it would alias); use |period| ≥ 2, or 0 for no ramp along that axis"),
            ("blaze:0,0", "--carrier: blaze:0,0 is no carrier; give a period along at least one axis"),
            ("blaze:8", "--carrier: 'blaze:8': a blaze needs two periods in SLM pixels, blaze:PX,PY (0 = none along that axis)"),
            ("lens:0", "--carrier: lens focal length 0.0 m must be a finite non-zero length in metres"),
            ("prism:3", "--carrier: 'prism:3': unknown carrier 'prism'; use blaze:PX,PY or lens:FOCAL_M"),
        ]
        for (text, message) in refusals {
            XCTAssertThrowsError(try Carrier(parsing: text), text) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testALensThatWouldAliasIsRefusedAndOneThatDoesNotIsCentred() throws {
        let p = try profile(columns: 40, rows: 40)
        let layout = try SLMLayout(designHeight: 4, designWidth: 4, profile: p, superpixel: 10)
        // Footprint 40 px: ρ_max = 20 px = 160 µm; |f| ≥ 2 · 8 µm · 160 µm / 633 nm = 4.044 mm.
        let least = 2 * 8e-6 * 160e-6 / 633e-9
        XCTAssertEqual(Carrier.minimumFocalLength(layout: layout, wavelength: 633e-9), least, accuracy: 1e-12)
        XCTAssertThrowsError(try Carrier.lens(focalLength: 0.004).phaseMap(layout: layout, wavelength: 633e-9)) {
            XCTAssertTrue("\($0)".hasPrefix("--carrier: lens:0.004 aliases on test:"), "\($0)")
        }
        let map = try Carrier.lens(focalLength: 0.005).phaseMap(layout: layout, wavelength: 633e-9)
        // Symmetric about the footprint centre (between pixels 19 and 20), −π x²/(λf) at pixel (19, 0).
        XCTAssertEqual(map[19 * 40 + 0], map[20 * 40 + 39], accuracy: 1e-9)
        let (x, y) = (19.5 * 8e-6, 0.5 * 8e-6)
        XCTAssertEqual(map[19 * 40 + 0], -Double.pi * (x * x + y * y) / (633e-9 * 0.005), accuracy: 1e-9)
        // No step between neighbours exceeds π.
        for r in 0..<40 { for c in 1..<40 { XCTAssertLessThanOrEqual(abs(map[r * 40 + c] - map[r * 40 + c - 1]), Double.pi) } }
    }

    func testEfficiencyIsTheApertureTimesTheLevelsTheGraysGive() throws {
        let layout = try SLMLayout(designHeight: 2, designWidth: 2, profile: try profile(columns: 32, rows: 32), superpixel: 16)
        let sinc = sin(Double.pi / 8) / (Double.pi / 8)
        let exact = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: layout.profile),
                                     carrier: .blaze(periodX: 8, periodY: 0)).carrierEfficiency()!
        XCTAssertEqual(exact.levels, 1, accuracy: 1e-12)   // 2πr/8 are all gray levels of a 256-gray panel
        XCTAssertEqual(exact.total, sinc * sinc, accuracy: 1e-12)
        // 218 grays per 2π, period 6 (no ties): one period r = 0…5 shows 2π·round(218 r/6)/218.
        let p218 = try profile(columns: 36, rows: 36, gray2Pi: 218)
        let coarse = try DisplayChain(layout: try SLMLayout(designHeight: 2, designWidth: 2, profile: p218, superpixel: 18),
                                      encoder: GrayEncoder(profile: p218), carrier: .blaze(periodX: 6, periodY: 0)).carrierEfficiency()!
        var re = 0.0, im = 0.0
        for r in 0..<6 {
            let shown = 2 * Double.pi * (218.0 * Double(r) / 6).rounded() / 218
            re += cos(shown - 2 * Double.pi * Double(r) / 6) / 6
            im += sin(shown - 2 * Double.pi * Double(r) / 6) / 6
        }
        XCTAssertEqual(coarse.levels, re * re + im * im, accuracy: 1e-12)
        XCTAssertLessThan(coarse.levels, 1)
        let sinc6 = sin(Double.pi / 6) / (Double.pi / 6)
        XCTAssertEqual(coarse.total, coarse.levels * sinc6 * sinc6, accuracy: 1e-12)
    }

    func testDecodingTakesTheCarrierBackOut() throws {
        let p = try profile(columns: 30, rows: 20, gray2Pi: 218)
        let layout = try SLMLayout(designHeight: 3, designWidth: 4, profile: p, superpixel: 5)
        let mask = randomMask([2, 3, 4], seed: 9)
        let chain = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), carrier: .blaze(periodX: 6.5, periodY: -3))
        let decoded = try chain.decode(try chain.encode(mask))
        for i in 0..<mask.count {
            // Every pixel of a superpixel is within half a gray step of φ + carrier, so their mean is too.
            XCTAssertLessThanOrEqual(circularError(Double(decoded.pointer[i]), Double(mask.pointer[i])), Double.pi / 218 + 1e-6)
        }
    }
}
