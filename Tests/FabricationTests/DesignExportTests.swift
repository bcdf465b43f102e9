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

final class DesignExportFilesTests: XCTestCase {
    func testWriteAllProducesConsistentFiles() throws {
        let (dir, cleanup) = try temporaryDirectory("export-all")
        defer { cleanup() }
        let slm = try profile(columns: 12, rows: 9, bits: 10, gray2Pi: 1000)
        let settings = ExportSettings(constraints: try PhaseConstraints(levels: 8), profile: slm,
                                      fabrication: FabricationSettings(wavelength: 800e-9, refractiveIndex: 1.45, pixelPitch: 4e-6))
        let export = try DesignExport(mask: randomMask([2, 4, 5], seed: 50), settings: settings)
        let metadata = DesignMetadata(softwareVersion: "test", created: Date(timeIntervalSince1970: 1_800_000_000))
        let paths = try export.writeAll(to: dir, stem: "d", metadata: metadata)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)),
                       Set(paths.map { URL(fileURLWithPath: $0).lastPathComponent }))
        XCTAssertEqual(paths.count, 1 + 2 * 2 + 2 * 3 + 2)
        let stored = try DesignFile.read(path: paths[0])
        for l in 0..<2 {
            for format in export.frameFormats {
                let frame = try SLMBitmap.read(path: export.framePath(directory: dir, stem: "d", snapshot: l, format: format),
                                               profile: slm)
                XCTAssertEqual(frame, stored.displays[l])
            }
        }
    }

    func testAFailingPartRemovesTheWholeExport() throws {
        let (dir, cleanup) = try temporaryDirectory("export-fail")
        defer { cleanup() }
        let slm = try profile(columns: 12, rows: 9)
        let export = try DesignExport(mask: randomMask([1, 4, 5], seed: 51),
                                      settings: ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: slm,
                                                               fabrication: FabricationSettings(wavelength: 800e-9, refractiveIndex: 1.45,
                                                                                                pixelPitch: 4e-6)))
        // A directory where the GDSII file should go makes the last step fail.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d.gds"), withIntermediateDirectories: false)
        XCTAssertThrowsError(try export.writeAll(to: dir, stem: "d", metadata: DesignMetadata(softwareVersion: "test")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["d.gds"])
    }
}
