import Fabrication
import Foundation
import Pipeline
import TestSupport
import Training
import XCTest

/// The designed mask shipped in `masks/` must pass `verify`: its stored CDPs are recomputed from the
/// stored mask, the SLM display and the bitmap files beside it.
final class ShippedMaskTests: XCTestCase {
    func testShippedDesignVerifies() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let design = root.appendingPathComponent("masks/phasemask.h5").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: design), "the shipped design \(design) is missing")
        let report = try VerifyJob.run(file: design)
        XCTAssertTrue(report.passed, "\(report)")
        XCTAssertGreaterThan(report.checks.count, 2, "verify should check the mask, the display and the frame files")
        XCTAssertTrue(report.checks.contains { $0.name == "phasemask_recovery.h5 mask equals /mask/phase" && $0.passed })
    }

    /// The shipped recovery network scores what the design file recorded for the fine-tuned student
    /// when it was made (`/design/metrics`, written by `phasemask design`), on the same test images.
    /// Inference only: another CPU's OpenBLAS kernels move the last digits, not the hundredths of a dB.
    func testShippedRecoveryReproducesTheRecordedScore() throws {
        try XCTSkipIf(FashionMNISTFixture.missing != nil, FashionMNISTFixture.missing ?? "")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let recorded = try DesignFile.read(path: root.appendingPathComponent("masks/phasemask.h5").path).metadata.metrics
        let psnr = try XCTUnwrap(recorded["psnr_finetuned_db"]), ssim = try XCTUnwrap(recorded["ssim_finetuned"])
        let score = try TrainingJob.evaluate(checkpoint: root.appendingPathComponent("masks/phasemask_recovery.h5").path, testSize: nil)
        XCTAssertEqual(score.count, 1000)
        XCTAssertEqual(score.psnr, psnr, accuracy: 0.01)
        XCTAssertEqual(score.ssim, ssim, accuracy: 1e-4)
    }

    /// The general design (`make design-general`, trained on procedural scenes only) verifies, and its
    /// recovery file reproduces the recorded fine-tuned score. Procedural scenes need no dataset, so
    /// this check runs everywhere.
    func testShippedGeneralDesignVerifiesAndReproducesItsScore() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let design = root.appendingPathComponent("masks/general.h5").path
        let report = try VerifyJob.run(file: design)
        XCTAssertTrue(report.passed, "\(report)")
        XCTAssertTrue(report.checks.contains { $0.name == "general_recovery.h5 mask equals /mask/phase" && $0.passed })
        let recorded = try DesignFile.read(path: design).metadata.metrics
        let psnr = try XCTUnwrap(recorded["psnr_finetuned_db"]), ssim = try XCTUnwrap(recorded["ssim_finetuned"])
        let recovery = root.appendingPathComponent("masks/general_recovery.h5").path
        let config = try Checkpoint.configuration(at: recovery)
        XCTAssertEqual(config.dataSources, [DataSource(.synthetic(SyntheticKind.allCases))])
        let score = try TrainingJob.evaluate(checkpoint: recovery, testSize: nil)
        XCTAssertEqual(score.count, 1000)
        XCTAssertEqual(score.psnr, psnr, accuracy: 0.01)
        XCTAssertEqual(score.ssim, ssim, accuracy: 1e-4)
    }
}
