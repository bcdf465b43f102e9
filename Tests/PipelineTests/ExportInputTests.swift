import Fabrication
import Foundation
import Pipeline
import Storage
import TensorCore
import XCTest

/// `export --mask` on masks from other tools: a 2-D mask in degrees exports exactly like the same mask
/// as `[1, H, W]` radians, the summary carries the conversion notes, and the verification scenes of a bare
/// mask can come from a procedural source instead of FashionMNIST.
final class ExportInputTests: XCTestCase {
    func testDegreesAndTwoDimensionalMasksExportLikeRadians() throws {
        let dir = NSTemporaryDirectory() + "phasemask-export-input-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let panel = dir + "/panel.json"
        try Data(#"{"name": "small", "columns": 16, "rows": 8, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256, "designWavelength": 633e-9}"#.utf8)
            .write(to: URL(fileURLWithPath: panel))
        // 8×8 phases in whole degrees (so degrees and radians describe exactly the same mask).
        let degrees = (0..<64).map { Double(($0 * 37) % 360) }
        let file = try HDF5File.create(path: dir + "/masks.h5")
        try file.write(degrees, shape: [8, 8], to: "/deg")
        try file.setAttribute("units", .string("deg"), on: "/deg")
        try file.write(degrees.map { $0 * (Double.pi / 180) }, shape: [1, 8, 8], to: "/rad")
        try file.close()

        func export(_ dataset: String) throws -> (ExportOutcome, Tensor) {
            var o = ExportOptions(out: dir + "/out" + dataset)
            o.mask = dir + "/masks.h5:" + dataset
            o.slm = panel
            o.levels = 4
            o.scenes = 2
            o.data = "synthetic:smooth"
            let outcome = try ExportJob.run(o)
            let design = try HDF5File.open(path: dir + "/out" + dataset + "/design.h5")
            defer { try? design.close() }
            return (outcome, try design.readTensor("/mask/phase"))
        }
        let (fromDegrees, degreeMask) = try export("/deg")
        let (fromRadians, radianMask) = try export("/rad")
        XCTAssertEqual(degreeMask.shape, [1, 8, 8])
        XCTAssertEqual(degreeMask.array, radianMask.array, "the quantized masks differ")
        XCTAssertEqual(fromDegrees.notes, ["\(dir)/masks.h5: /deg is one 2-D mask [8, 8]; read as 1 snapshot [1, 8, 8]",
                                           "\(dir)/masks.h5: /deg is in degrees (× π/180); converted to radians"])
        XCTAssertEqual(fromRadians.notes, [])
        XCTAssertTrue(fromDegrees.summary.hasPrefix("note: \(dir)/masks.h5: /deg is one 2-D mask"), fromDegrees.summary)

        // The stored verification scenes are the first smooth test scenes at the mask's size.
        let design = try HDF5File.open(path: dir + "/out/deg/design.h5")
        defer { try? design.close() }
        XCTAssertEqual(try design.readTensor("/verification/scenes").shape, [2, 8, 8, 2])
        XCTAssertEqual(try VerifyJob.run(file: dir + "/out/deg/design.h5", frames: nil).passed, true)
    }

    func testUnknownUnitsStopTheExportBeforeAnythingIsWritten() throws {
        let dir = NSTemporaryDirectory() + "phasemask-export-units-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try HDF5File.create(path: dir + "/m.h5")
        try file.write([Double](repeating: 1, count: 16), shape: [4, 4], to: "/phi")
        try file.setAttribute("units", .string("grad"), on: "/phi")
        try file.close()
        var o = ExportOptions(out: dir + "/out")
        o.mask = dir + "/m.h5:/phi"
        o.scenes = 0
        XCTAssertThrowsError(try ExportJob.run(o)) {
            XCTAssertEqual("\($0)", "\(dir)/m.h5: /phi: units 'grad' are not a phase unit; expected rad, deg or waves")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
    }
}
