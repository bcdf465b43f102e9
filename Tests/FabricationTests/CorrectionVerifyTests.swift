import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

/// `verify` on a design exported with a Hamamatsu-style correction: it recomputes the chain, names a
/// frame that holds the correction twice or lacks it, a correction file changed since the export, and
/// a correction the device would add again.
final class CorrectionVerifyTests: XCTestCase {
    var dir = URL(fileURLWithPath: "/")
    var cleanup: () -> Void = {}
    let p = try! profile(columns: 13, rows: 9, gray2Pi: 218)
    var cal: [UInt8] = []
    var calPath: String { dir.appendingPathComponent("CAL_LSH0701234_633nm.bmp").path }
    var framePath: String { dir.appendingPathComponent("v_slm.bmp").path }

    override func setUpWithError() throws {
        (dir, cleanup) = try temporaryDirectory("correction-verify-\(UUID().uuidString)")
        var g = SeededGenerator(seed: 70)
        cal = (0..<(13 * 9)).map { _ in UInt8.random(in: 0...217, using: &g) }
        try BMPFile.writeGray8(cal, width: 13, height: 9, to: calPath)
    }

    override func tearDown() { cleanup() }

    /// Exports a 4×5 design (K = 8) with the correction and verification data; returns the design path.
    func exportWithCorrection() throws -> String {
        var settings = ExportSettings(constraints: try PhaseConstraints(levels: 8), profile: p)
        settings.correction = try PanelCorrection.load([try CorrectionFile(parsing: calPath)], profile: p, wavelength: 633e-9)
        settings.carrier = .blaze(periodX: 3, periodY: 0)
        let export = try DesignExport(mask: randomMask([1, 4, 5], seed: 71), settings: settings)
        let scenes = ComplexField(storage: randomMask([2, 4, 5, 2], seed: 72, range: -1...1))
        let v = try VerificationData.compute(scenes: scenes, export: export, oversampling: 1, measure: naiveCDP)
        return try export.writeAll(to: dir, stem: "v", metadata: DesignMetadata(softwareVersion: "test"), verification: v)[0]
    }

    func verify(_ path: String, device: [String] = []) throws -> VerificationReport {
        let design = try DesignFile.read(path: path)
        return try DesignVerifier.verify(design, frames: DesignVerifier.frameFiles(besides: design), deviceCorrections: device,
                                         measure: naiveCDP)
    }

    func testAFreshExportPassesAndRecordsTheFile() throws {
        let path = try exportWithCorrection()
        let report = try verify(path)
        XCTAssertTrue(report.passed, report.description)
        XCTAssertEqual(report.checks.suffix(2).map(\.name), ["correction CAL_LSH0701234_633nm.bmp is the file exported with",
                                                             "correction files recompute /slm/correction"])
        let records = try XCTUnwrap(try DesignFile.read(path: path).chain.correction?.records)
        XCTAssertEqual(records.map(\.file), ["CAL_LSH0701234_633nm.bmp"])
        XCTAssertEqual(records[0].sha256, try SHA256.hex(ofFile: calPath))
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertEqual(try file.stringAttribute("composition", of: "/slm/display"),
                       "gray = LUT(kappa * wrap(phi + carrier + correction)), per panel pixel")
        XCTAssertEqual(try file.stringAttribute("carrier", of: "/slm/display"), "blaze:3,0")
    }

    /// A lab script adds the CAL file to the exported frame once more, modulo 218: verify names it.
    func testAFrameWithTheCorrectionAddedAgainIsNamedADoubleCorrection() throws {
        let path = try exportWithCorrection()
        var frame = try SLMBitmap.read(path: framePath, profile: p)
        for i in frame.pixels.indices { frame.pixels[i] = UInt16((Int(frame.pixels[i]) + Int(cal[i])) % 218) }
        try SLMBitmap.write(frame, profile: p, format: .bmp, to: framePath)
        let report = try verify(path)
        XCTAssertFalse(report.passed)
        let failed = report.checks.filter { !$0.passed }.map(\.name)
        XCTAssertTrue(failed.contains("frame files equal /slm/display — the correction CAL_LSH0701234_633nm.bmp is applied twice"),
                      report.description)
    }

    /// A frame exported without the correction stands where the corrected one should: named missing.
    func testAFrameWithoutTheCorrectionIsNamedMissing() throws {
        let path = try exportWithCorrection()
        let design = try DesignFile.read(path: path)
        let bare = try design.chain.with(correction: nil).encode(design.quantized.phases, snapshot: 0)
        try SLMBitmap.write(bare, profile: p, format: .bmp, to: framePath)
        let failed = try verify(path).checks.filter { !$0.passed }.map(\.name)
        XCTAssertTrue(failed.contains("frame files equal /slm/display — the correction CAL_LSH0701234_633nm.bmp is missing"), "\(failed)")
    }

    func testAChangedCorrectionFileAndADeviceThatAddsItAgainFail() throws {
        let path = try exportWithCorrection()
        let device = try verify(path, device: [calPath])
        XCTAssertEqual(device.checks.last?.passed, false)
        XCTAssertTrue(device.description.contains("FAIL device correction CAL_LSH0701234_633nm.bmp: applied twice: the frames already hold it"),
                      device.description)
        cal[0] = cal[0] == 0 ? 1 : 0
        try BMPFile.writeGray8(cal, width: 13, height: 9, to: calPath)
        let changed = try verify(path)
        XCTAssertEqual(changed.checks.filter { !$0.passed }.map(\.name), ["correction CAL_LSH0701234_633nm.bmp is the file exported with"])
    }
}

extension CorrectionVerifyTests {
    /// Frames with a carrier or correction mean something else to a reader that ignores them: such a
    /// design is format version 2; a plain one stays version 1.
    func testAChainDesignIsFormatVersionTwo() throws {
        let path = try exportWithCorrection()
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertEqual(try file.intAttribute("format_version"), 2)
        let (plainDir, done) = try temporaryDirectory("plain-version-\(UUID().uuidString)")
        defer { done() }
        let (_, paths) = try makeVerifiedFiles(plainDir)
        let plain = try HDF5File.open(path: paths[0])
        defer { try? plain.close() }
        XCTAssertEqual(try plain.intAttribute("format_version"), 1)
    }
}
