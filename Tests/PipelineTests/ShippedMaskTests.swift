import Fabrication
import Foundation
import Pipeline
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
    }
}
