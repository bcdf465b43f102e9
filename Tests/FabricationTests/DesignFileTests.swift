import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

final class DesignFileTests: XCTestCase {
    func makeExport(lut: PhaseLUT? = nil, fabrication: Bool = true) throws -> DesignExport {
        let slm = try profile(columns: 14, rows: 11, gray2Pi: 218, inverted: true)
        let settings = ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: slm, lut: lut,
                                      fabrication: fabrication ? FabricationSettings(wavelength: 633e-9, refractiveIndex: 1.457,
                                                                                     pixelPitch: 8e-6, conjugated: true) : nil)
        return try DesignExport(mask: randomMask([2, 3, 4], seed: 40), settings: settings)
    }

    /// Stand-in verification arrays of the right shapes (the file stores whatever it is given).
    func verification(seed: UInt64) -> VerificationData {
        VerificationData(scenes: ComplexField(storage: randomMask([2, 3, 4, 2], seed: seed)),
                         cdp: randomMask([2, 2, 6, 8], seed: seed + 1, range: 0...5),
                         displayCDP: randomMask([2, 2, 6, 8], seed: seed + 2, range: 0...5), oversampling: 2)
    }

    let metadata = DesignMetadata(softwareVersion: "0.1-test", configurationJSON: "{\"levels\":4}",
                                  metrics: ["psnr_quantized_db": 27.5, "ssim_quantized": 0.81],
                                  created: Date(timeIntervalSince1970: 1_790_000_000))

    func testRoundTripKeepsEveryPart() throws {
        let (dir, cleanup) = try temporaryDirectory("design")
        defer { cleanup() }
        let path = dir.appendingPathComponent("d.h5").path
        let export = try makeExport()
        let v = verification(seed: 3)
        try DesignFile.write(export, metadata: metadata, verification: v, to: path)
        let stored = try DesignFile.read(path: path)
        XCTAssertEqual(stored.quantized.levelIndices, export.quantized.levelIndices)
        XCTAssertTrue(bitIdentical(stored.quantized.phases, export.quantized.phases))
        XCTAssertEqual(stored.quantized.constraints, export.quantized.constraints)
        XCTAssertEqual(stored.quantized.report, export.quantized.report)
        XCTAssertTrue(bitIdentical(stored.continuousPhase, export.continuousPhase))
        XCTAssertEqual(stored.layout, export.layout)
        XCTAssertEqual(stored.encoder.mapping, export.encoder.mapping)
        XCTAssertEqual(stored.displays, export.displays)
        XCTAssertTrue(bitIdentical(try XCTUnwrap(stored.height), try XCTUnwrap(export.lithography).heightMap()))
        XCTAssertEqual(stored.fabrication, FabricationSettings(wavelength: 633e-9, refractiveIndex: 1.457, pixelPitch: 8e-6,
                                                               conjugated: true))
        let back = try XCTUnwrap(stored.verification)
        XCTAssertTrue(bitIdentical(back.scenes.storage, v.scenes.storage))
        XCTAssertTrue(bitIdentical(back.cdp, v.cdp))
        XCTAssertTrue(bitIdentical(back.displayCDP, v.displayCDP))
        XCTAssertEqual(back.oversampling, 2)
        XCTAssertEqual(stored.metadata, metadata)
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        for object in ["/mask/phase", "/mask/phase_continuous", "/mask/level_phases"] {
            XCTAssertEqual(try file.stringAttribute("units", of: object), "rad")
        }
        XCTAssertEqual(try file.stringAttribute("units", of: "/fabrication/height"), "m")
        XCTAssertEqual(try file.datasetInfo("/slm/display").type, .uint16)
    }

    func testLookupTableAndNoFabricationRoundTrip() throws {
        let (dir, cleanup) = try temporaryDirectory("design-lut")
        defer { cleanup() }
        let lut = try PhaseLUT(pairs: [(0, 0), (60, 1.6), (120, 3.1), (200, 4.8)], maxGray: 255, source: "lut")
        let export = try makeExport(lut: lut, fabrication: false)
        let path = dir.appendingPathComponent("lut.h5").path
        try DesignFile.write(export, metadata: metadata, to: path)
        let stored = try DesignFile.read(path: path)
        XCTAssertEqual(stored.encoder.mapping, .table(lut))
        XCTAssertNil(stored.height)
        XCTAssertNil(stored.verification)
        XCTAssertEqual(stored.displays, export.displays)
    }

    func testBadInputLeavesNoFileAndBadFilesAreNamed() throws {
        let (dir, cleanup) = try temporaryDirectory("design-bad")
        defer { cleanup() }
        let path = dir.appendingPathComponent("bad.h5").path
        var wrong = verification(seed: 5)
        wrong.cdp = Tensor(zeros: [2, 2, 3, 4])
        XCTAssertThrowsError(try DesignFile.write(try makeExport(), metadata: metadata, verification: wrong, to: path))
        var nan = verification(seed: 6)
        nan.displayCDP.pointer[7] = .nan
        XCTAssertThrowsError(try DesignFile.write(try makeExport(), metadata: metadata, verification: nan, to: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])

        let good = dir.appendingPathComponent("good.h5").path
        try DesignFile.write(try makeExport(), metadata: metadata, verification: verification(seed: 7), to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let cut = dir.appendingPathComponent("cut.h5").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try DesignFile.read(path: cut)) { XCTAssertTrue("\($0)".contains("cut.h5"), "\($0)") }

        let other = dir.appendingPathComponent("other.h5").path
        let file = try HDF5File.create(path: other)
        try file.write(Tensor(zeros: [1, 2, 2]), to: "/mask/phase")
        try file.close()
        XCTAssertThrowsError(try DesignFile.read(path: other)) { XCTAssertTrue("\($0)".contains("not a phasemask-design")) }
    }
}
