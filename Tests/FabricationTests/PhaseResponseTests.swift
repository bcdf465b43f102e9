import Fabrication
import Foundation
import Optics
import TensorCore
import XCTest

/// The response at another wavelength on an 8-bit linear panel calibrated with 256 grays per 2π at
/// 633 nm: at λ every gray g shows 2π·g/256 · 633/λ.
final class PhaseResponseTests: XCTestCase {
    let p = try! profile(columns: 24, rows: 16)

    func export(_ response: PhaseResponse?, mask: Tensor) throws -> DesignExport {
        var settings = ExportSettings(constraints: try PhaseConstraints(levels: 8), profile: p, superpixel: 2)
        settings.response = response
        return try DesignExport(mask: mask, settings: settings)
    }

    /// At 780 nm the stroke is 2π·633/780 < 2π. Compress scales the target by κ = 633/780, which on a
    /// linear panel lands on the same grays as at 633 nm; every phase is then off by (1 − κ)·φ.
    func testCompressKeepsTheCalibratedGraysAndScalesEveryPhase() throws {
        let s = 633.0 / 780
        let response = try PhaseResponse(profile: p, lut: nil, wavelength: 780e-9, policy: .compress)
        XCTAssertEqual(response.stroke, 2 * Double.pi * s, accuracy: 1e-12)
        XCTAssertEqual(response.compression, s, accuracy: 1e-12)
        let mask = levelMask([1, 8, 12], levels: 8, seed: 1)
        let at780 = try export(response, mask: mask), at633 = try export(nil, mask: mask)
        XCTAssertEqual(at780.displays, at633.displays)
        let largest = (0..<mask.count).map { Double(mask.pointer[$0]) }.max()!
        XCTAssertEqual(at780.displayPhaseError.max, (1 - s) * largest, accuracy: 1e-5)
    }

    /// Truncate uses every gray at its phase at λ: a reachable target goes to round(256·t/(2π s)); the
    /// level 7π/4 lies beyond the stroke and goes to the nearer end, gray 255.
    func testTruncateSendsUnreachablePhasesToTheNearerEnd() throws {
        let s = 633.0 / 780
        let response = try PhaseResponse(profile: p, lut: nil, wavelength: 780e-9, policy: .truncate)
        XCTAssertEqual(response.compression, 1)
        XCTAssertEqual(response.grays, Array(0...255))
        for k in 0..<8 {
            let t = 2 * Double.pi * Double(k) / 8
            let expected = k == 7 ? 255 : Int((256 * t / (2 * Double.pi * s)).rounded())
            XCTAssertEqual(response.encoder.gray(forPhase: t), expected, "level \(k)")
        }
        let mask = levelMask([1, 8, 12], levels: 8, seed: 2)
        let e = try export(response, mask: mask).displayPhaseError
        XCTAssertEqual(e.max, 7 * Double.pi / 4 - 2 * Double.pi * 255 / 256 * s, accuracy: 1e-5)
    }

    /// At 500 nm the stroke is 2π·633/500 > 2π: only grays with phase below 2π − δ/2 are used.
    func testAboveTwoPiOnlyThe2PiSubRangeIsUsed() throws {
        let s = 633.0 / 500
        let response = try PhaseResponse(profile: p, lut: nil, wavelength: 500e-9)
        let step = 2 * Double.pi / 256 * s
        let expected = (0...255).filter { Double($0) * step < 2 * Double.pi - step / 2 }
        XCTAssertEqual(response.grays, expected)
        XCTAssertEqual(expected.last, 201)
        XCTAssertEqual(response.compression, 1)
        XCTAssertTrue(response.summary.hasSuffix("≥ 2π: the 2π sub-range, grays 0…201 (202 values)"), response.summary)
    }

    /// A measured table that wraps (a 2.9π panel, 10-bit) is unwrapped along the grays: at its own
    /// wavelength only the 2π sub-range is kept, at twice the wavelength all of it (1.45π, truncate).
    func testAWrappedTableIsUnwrappedBeforeScaling() throws {
        let deep = try profile(columns: 8, rows: 8, bits: 10, gray2Pi: 1024)
        let pairs = (0...1023).map { (gray: $0, phase: wrapPhase(2.9 * Double.pi * Double($0) / 1024)) }
        let lut = try PhaseLUT(pairs: pairs, maxGray: 1023, source: "t")
        let same = try PhaseResponse(profile: deep, lut: lut, wavelength: 633e-9)
        XCTAssertEqual(same.stroke, 2.9 * Double.pi * 1024 / 1024, accuracy: 1e-9)
        XCTAssertEqual(same.grays.last, 705)   // 2.9π·g/1024 < 2π − δ/2 ⇔ g < 706.2 − 0.5
        let longer = try PhaseResponse(profile: deep, lut: lut, wavelength: 1266e-9)
        XCTAssertEqual(longer.stroke, 1.45 * Double.pi, accuracy: 1e-9)
        XCTAssertEqual(longer.grays.count, 1024)
        XCTAssertEqual(try longer.encoder.phase(forGray: 1023), 1.45 * Double.pi * 1023 / 1024, accuracy: 1e-9)
    }
}
