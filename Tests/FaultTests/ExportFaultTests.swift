import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import XCTest

/// Exports are all or nothing, and `verify` tells apart a changed gray level, a changed phase value, a
/// truncated dataset and a mismatched profile.
final class ExportFaultTests: XCTestCase {
    /// A 2-snapshot 4×4 design on a 16×8 8-bit panel, K = 4, with lithography files and verification CDPs.
    static func export(seed: UInt64) throws -> (DesignExport, VerificationData) {
        let panel = try SLMProfile(name: "test panel", columns: 16, rows: 8, pixelPitch: 8e-6, bitDepth: 8, gray2Pi: 256,
                                   designWavelength: 633e-9)
        let settings = ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: panel,
                                      fabrication: FabricationSettings(wavelength: 633e-9, refractiveIndex: 1.457, pixelPitch: 8e-6))
        var generator = SeededGenerator(seed: seed)
        let mask = Tensor.uniform([2, 4, 4], generator: &generator)
        for i in 0..<mask.count { mask.pointer[i] *= 6.28 }
        let export = try DesignExport(mask: mask, settings: settings)
        let scenes = Tensor.uniform([1, 1, 4, 4], generator: &generator)
        let simulator = try Simulator()
        let verification = try VerificationData.compute(scenes: try simulator.field(.intensity(scenes)), export: export,
                                                        oversampling: 1, measure: simulator.measure)
        return (export, verification)
    }

    static let metadata = DesignMetadata(softwareVersion: "test", created: Date(timeIntervalSince1970: 1_800_000_000))

    /// Every name (hidden ones too) in `directory` with its bytes.
    static func snapshot(_ directory: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in Fault.listing(directory) { out[name] = FileManager.default.contents(atPath: directory + "/" + name) ?? Data() }
        return out
    }

    struct Interrupted: Error {}

    func testInterruptedExportLeavesTheFolderAsItWas() throws {
        let directory = try Fault.temporaryDirectory(self, "export")
        let url = URL(fileURLWithPath: directory)
        let (first, firstCDP) = try Self.export(seed: 1)
        let (second, secondCDP) = try Self.export(seed: 2)
        // Into an empty folder: an interrupted export leaves nothing at all.
        var total = 0
        _ = try? second.writeAll(to: url, stem: "d", metadata: Self.metadata, verification: secondCDP) { _ in total += 1; throw Interrupted() }
        XCTAssertEqual(Fault.listing(directory), [])
        // Over a finished export: interrupted after each possible number of files, the old set stays intact.
        let paths = try first.writeAll(to: url, stem: "d", metadata: Self.metadata, verification: firstCDP)
        XCTAssertEqual(paths.count, 1 + 2 * 2 + 2 * 2 + 2)   // h5, BMP+PNG per snapshot, 2 bit planes each, GDSII, text
        let before = Self.snapshot(directory)
        for stopAfter in 1..<paths.count {
            var staged = 0
            XCTAssertThrowsError(try second.writeAll(to: url, stem: "d", metadata: Self.metadata, verification: secondCDP) { _ in
                staged += 1
                if staged == stopAfter { throw Interrupted() }
            })
            XCTAssertEqual(Self.snapshot(directory), before, "interrupted after \(stopAfter) files, the folder changed")
        }
        // Finished, the new export replaces every file and leaves no staging folder.
        _ = try second.writeAll(to: url, stem: "d", metadata: Self.metadata, verification: secondCDP)
        let after = Self.snapshot(directory)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        XCTAssertNotEqual(after["d.h5"], before["d.h5"])
        XCTAssertNotEqual(after["d_slm_S0.bmp"], before["d_slm_S0.bmp"])
    }

    /// `phasemask export` SIGKILLed after its first, a middle and its last staged file
    /// (`PHASEMASK_TEST_STOP_AT=export-file:k`; the in-process test above covers every count): into an empty
    /// folder it leaves no visible file; over a finished export, every file keeps its bytes. The next
    /// export removes the stale staging folders and verifies.
    func testKilledExportLeavesNoPartialFiles() throws {
        let out = try Fault.temporaryDirectory(self, "export-kill") + "/masks"
        func arguments(levels: Int) -> [String] {
            ["export", "--mask", Fault.corpus + "/design/valid.h5:/mask/phase", "--slm", "pluto-2", "--levels", "\(levels)",
             "--scenes", "2", "--data", "synthetic:smooth", "--wavelength", "633e-9", "--index", "1.457", "--pitch", "8e-6", "--out", out]
        }
        func killed(levels: Int, after files: Int) throws {
            let child = try PhaseMaskProcess(arguments(levels: levels),
                                             environment: [TestStopPoint.environmentVariable: "export-file:\(files)"])
            let status = child.wait()
            XCTAssertEqual(child.endedBySignal, SIGKILL, "export-file:\(files): not stopped (status \(status)): \(child.errorOutput)")
            XCTAssertEqual(Fault.listing(out).filter(AtomicFileGroup.isStagingName).count, 1,
                           "export-file:\(files): the killed export should leave its staging folder: \(Fault.listing(out))")
        }
        func visible() -> [String: Data] { Self.snapshot(out).filter { !$0.key.hasPrefix(".") } }

        let finished = try PhaseMaskProcess.run(arguments(levels: 4))
        XCTAssertEqual(finished.status, 0, finished.err)
        let complete = visible()
        // One snapshot on PLUTO-2 with K = 4: design file, BMP and PNG frame, 2 bit planes, GDSII, summary.
        XCTAssertEqual(complete.keys.sorted(), ["design.gds", "design.h5", "design_fabrication.txt", "design_mask1.png",
                                                "design_mask2.png", "design_slm.bmp", "design_slm.png"])
        try FileManager.default.removeItem(atPath: out)
        try killed(levels: 4, after: 1)
        XCTAssertEqual(visible().keys.sorted(), [], "a killed export into an empty folder left files")

        _ = try PhaseMaskProcess.run(arguments(levels: 4))
        let before = visible()
        XCTAssertEqual(before.keys.sorted(), complete.keys.sorted())
        let stagedByK8 = complete.count + 1   // K = 8 has a third bit plane
        for files in [1, stagedByK8 / 2, stagedByK8] {
            try killed(levels: 8, after: files)
            XCTAssertTrue(visible() == before, "killed after \(files) staged files, the finished export changed")
        }
        let again = try PhaseMaskProcess.run(arguments(levels: 8))
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(Fault.listing(out).filter { $0.hasPrefix(".") }, [".phasemask.lock"], "stale staging folders were not removed")
        XCTAssertEqual(visible().count, stagedByK8)
        XCTAssertNotEqual(visible()["design.h5"], before["design.h5"], "the new export (8 levels) did not replace the old one")
        let verify = try PhaseMaskProcess.run(["verify", out + "/design.h5"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
    }

    /// Runs `phasemask verify` and returns (status, everything it printed).
    func verify(_ arguments: [String]) throws -> (Int32, String) {
        let r = try PhaseMaskProcess.run(["verify"] + arguments)
        return (r.status, r.out + r.err)
    }

    func testVerifyNamesEachKindOfDamage() throws {
        let directory = try Fault.temporaryDirectory(self, "verify")
        let (export, cdp) = try Self.export(seed: 3)
        let paths = try export.writeAll(to: URL(fileURLWithPath: directory), stem: "d", metadata: Self.metadata, verification: cdp)
        let (okStatus, okText) = try verify([paths[0]])
        XCTAssertEqual(okStatus, 0, okText)

        // A changed gray level in a frame file (BMP pixel data starts at byte 1078).
        let bmp = directory + "/d_slm_S1.bmp"
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: bmp))
        bytes[1078 + 16 * 3 + 5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: bmp))
        let (grayStatus, grayText) = try verify([paths[0]])
        XCTAssertEqual(grayStatus, 1)
        XCTAssertTrue(grayText.contains("FAIL frame files equal /slm/display: 1 differing gray values"), grayText)

        // A changed phase value, a truncated dataset, a mismatched profile: in the damaged designs of the
        // corpus (made by Tests/Corpus/make_corpus.py from a real export).
        let cases = [("changed-phase-value.h5", "/mask/phase element 19 (3.0707965) disagrees with its level 1"),
                     ("display-truncated-rows.h5", "/slm/display: dataset has shape [1, 5, 16], expected [1, 8, 16]"),
                     ("profile-other-panel.h5", "/slm/display margins [0, 4, 0, 4] do not match the profile"),
                     ("truncated-half.h5", "truncated HDF5 file")]
        var messages: [String] = [grayText]
        for (name, fragment) in cases {
            let (status, text) = try verify([Fault.corpus + "/design/" + name])
            XCTAssertEqual(status, 1, text)
            XCTAssertTrue(text.contains(fragment), "\(name): \(text)")
            messages.append(text)
        }
        // Frames for another panel than the design's profile.
        let other = directory + "/other.png"
        try PNGFile.write(.gray8([UInt8](repeating: 0, count: 20 * 8), width: 20, height: 8), to: other)
        let (frameStatus, frameText) = try verify([paths[0], "--frames", other, "--frames", other])
        XCTAssertEqual(frameStatus, 1)
        XCTAssertTrue(frameText.contains("frame is 20×8 pixels, test panel has 16×8"), frameText)
        messages.append(frameText)
        XCTAssertEqual(Set(messages).count, messages.count, "two kinds of damage gave the same message")
    }
}
