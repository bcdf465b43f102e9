import Foundation
import Storage
import TestSupport
import XCTest

/// `--refine N` from the command line: a tiny one-snapshot design's U-Net estimate, refined by error
/// reduction on the same CDPs, scores higher in `reconstruct` and in `evaluate` (a tiny U-Net is far from
/// the truth, so the gain is smaller than the 8 dB of a trained design); the option is refused
/// where it does not apply.
final class RefinementEndToEndTests: CLITestCase {
    func testRefinedEstimatesScoreHigher() throws {
        let d = dir!, model = d + "/e/checkpoint.h5", design = d + "/m/d.h5"
        _ = try run(["train", "--mode", "e2e", "--preset", "tiny", "--data", "synthetic:blobs", "--out", d + "/e", "--threads", "1"])
        _ = try run(["export", "--model", model, "--slm", "pluto-2", "--levels", "8", "--metrics-images", "4",
                     "--out", d + "/m", "--name", "d"])
        var pixels = [UInt8](repeating: 0, count: 256)
        for r in 0..<16 { for c in 0..<16 where (r - 7) * (r - 7) + (c - 8) * (c - 8) < 20 { pixels[r * 16 + c] = UInt8(100 + 9 * c) } }
        try PNGFile.write(.gray8(pixels, width: 16, height: 16), to: d + "/scene.png")
        _ = try run(["simulate", "--mask", design, "--scene", d + "/scene.png", "--out", d + "/cdp.h5"])
        let plain = try run(["reconstruct", "--mask", design, "--cdp", d + "/cdp.h5", "--out", d + "/u.png"])
        let refined = try run(["reconstruct", "--mask", design, "--cdp", d + "/cdp.h5", "--refine", "100", "--out", d + "/r.png"])
        XCTAssertTrue(refined.output.contains("(U-Net refined by 100 iterations of er, residual "), refined.output)
        let (before, after) = (try psnr(plain, "reconstructed "), try psnr(refined, "reconstructed "))
        XCTAssertGreaterThan(after, before + 1, "reconstruct: \(before) → \(after) dB")

        let scored = try run(["evaluate", "--model", model, "--test-size", "16"])
        let improved = try run(["evaluate", "--model", model, "--test-size", "16", "--refine", "100"])
        XCTAssertTrue(improved.output.contains("test (16 images, refined by 100 iterations of er): PSNR "), improved.output)
        XCTAssertGreaterThan(try psnr(improved, "test "), try psnr(scored, "test ") + 1)

        let wrong = try CommandLineTool.run(["reconstruct", "--method", "er", "--refine", "5", "--model", model, "--cdp", d + "/cdp.h5",
                                             "--out", d + "/x.png"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.error.contains("--refine: refines the U-Net's estimate (--method unet); er has --iterations"), wrong.error)
        let zero = try CommandLineTool.run(["evaluate", "--model", model, "--refine", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.error.contains("--refine must be ≥ 1 iterations, got 0"), zero.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: d + "/x.png"))
    }
}
