import Fabrication
import Foundation
import Optics
import TensorCore
import XCTest

final class DesignExportTests: XCTestCase {
    func testPartsDescribeTheSameMask() throws {
        let slm = try profile(columns: 21, rows: 17, gray2Pi: 218, inverted: true)
        let settings = ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: slm,
                                      fabrication: FabricationSettings(wavelength: 633e-9, refractiveIndex: 1.457,
                                                                       pixelPitch: 8e-6))
        let mask = randomMask([2, 4, 5], seed: 30)
        let export = try DesignExport(mask: mask, settings: settings)
        XCTAssertEqual(export.layout.superpixel, 4)
        XCTAssertEqual(export.displays.count, 2)
        let shown = try export.displayedPhase()
        for i in 0..<mask.count {
            XCTAssertEqual(Double(export.continuousPhase.pointer[i]), wrapPhase(Double(mask.pointer[i])), accuracy: 1e-6)
            let level = Double(export.quantized.phases.pointer[i])
            XCTAssertLessThanOrEqual(circularError(Double(shown.pointer[i]), level), export.encoder.worstCaseError + 1e-5)
            let litho = try XCTUnwrap(export.lithography)
            XCTAssertEqual(litho.levelIndices[i], export.quantized.levelIndices[i])
        }
    }

    func testBadInputIsRefusedBeforeAnythingIsBuilt() throws {
        let slm = try profile(columns: 8, rows: 8)
        let four = try PhaseConstraints(levels: 4)
        XCTAssertThrowsError(try DesignExport(mask: Tensor([0, .nan, 0, 0], shape: [1, 2, 2]),
                                              settings: ExportSettings(constraints: four, profile: slm)))
        XCTAssertThrowsError(try DesignExport(mask: randomMask([1, 9, 2], seed: 1),
                                              settings: ExportSettings(constraints: four, profile: slm)))
        let six = ExportSettings(constraints: try PhaseConstraints(levels: 6), profile: slm,
                                 fabrication: FabricationSettings(wavelength: 633e-9, refractiveIndex: 1.5, pixelPitch: 1e-6))
        XCTAssertThrowsError(try DesignExport(mask: randomMask([1, 2, 2], seed: 1), settings: six)) {
            XCTAssertTrue("\($0)".contains("power of two"))
        }
        let noFab = ExportSettings(constraints: try PhaseConstraints(levels: 6), profile: slm)
        XCTAssertNil(try DesignExport(mask: randomMask([1, 2, 2], seed: 1), settings: noFab).lithography)
    }
}
