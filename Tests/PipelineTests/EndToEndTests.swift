import Foundation
import Storage
import TestSupport
import XCTest

/// The product from the command line at tiny size: design → export → verify → simulate → reconstruct.
final class EndToEndTests: XCTestCase {
    func testDesignExportVerifySimulateReconstruct() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                          "dataset-fashion-mnist not installed")
        let dir = NSTemporaryDirectory() + "phasemask-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ args: [String]) throws -> CommandLineTool.Result {
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, 0, "phasemask \(args.joined(separator: " ")) failed:\n\(r.output)\n\(r.error)")
            return r
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        // design: teacher → student → quantize → fine-tune → export → verify, with its results table.
        let design = try run(["design", "--preset", "tiny", "--snapshots", "3", "--levels", "4", "--work", dir + "/work",
                              "--out", dir + "/masks", "--name", "tiny", "--threads", "1"])
        XCTAssertTrue(design.output.contains("student, fine-tuned to quantized"), design.output)
        XCTAssertTrue(design.output.contains("verify: passed"), design.output)
        for file in ["tiny.h5", "tiny_recovery.h5", "tiny_slm.bmp", "tiny_preview.png", "tiny.gds", "tiny_mask1.png",
                     "tiny_mask2.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/masks/\(file)"), file)
        }

        // export again from the fine-tuned checkpoint for another SLM, then verify that export.
        _ = try run(["export", "--model", dir + "/work/finetune/checkpoint.h5", "--slm", "x13138", "--levels", "4",
                     "--metrics-images", "8", "--out", dir + "/x13138", "--name", "x"])
        let verify = try run(["verify", dir + "/x13138/x.h5"])
        XCTAssertTrue(verify.output.contains("\nPASSED (tolerance"), verify.output)
        XCTAssertTrue(verify.output.contains("ok   x_recovery.h5 mask equals /mask/phase: 0 differing gray values"), verify.output)

        // simulate the exported mask on a test scene, then reconstruct from those CDPs.
        _ = try run(["simulate", "--mask", dir + "/masks/tiny.h5", "--scene", "fashion-mnist:test:0",
                     "--out", dir + "/cdp.h5"])
        let cdp = try HDF5File.open(path: dir + "/cdp.h5")
        XCTAssertEqual(try cdp.datasetInfo("/cdp").shape, [1, 1, 16, 16])
        try cdp.close()
        let rec = try run(["reconstruct", "--model", dir + "/work/finetune/checkpoint.h5", "--cdp", dir + "/cdp.h5",
                           "--out", dir + "/rec.png"])
        XCTAssertTrue(rec.output.contains("PSNR"), rec.output)
        XCTAssertFalse(rec.output.contains("warning"), "the simulated mask should be the fine-tuned checkpoint's: \(rec.output)")
        let image = try PNGFile.read(path: dir + "/rec.png").image
        XCTAssertEqual(image.width, 16)
        XCTAssertEqual(image.height, 16)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/rec.h5"))

        // The recovery file shipped beside the mask: no optimizer state, the design's mask, and the same
        // reconstruction as the fine-tuned checkpoint it came from.
        let recovery = try HDF5File.open(path: dir + "/masks/tiny_recovery.h5")
        XCTAssertEqual(try recovery.stringAttribute("role"), "recovery")
        XCTAssertFalse(recovery.exists("/optimizer"))
        let recoveryMask = try recovery.readTensor("/parameters/phi")
        try recovery.close()
        let designFile = try HDF5File.open(path: dir + "/masks/tiny.h5")
        let designMask = try designFile.readTensor("/mask/phase")
        try designFile.close()
        XCTAssertEqual(recoveryMask.shape, designMask.shape)
        XCTAssertLessThan(maxAbsDifference(recoveryMask, designMask), 1e-6)
        let fromRecovery = try run(["reconstruct", "--model", dir + "/masks/tiny_recovery.h5", "--cdp", dir + "/cdp.h5",
                                    "--out", dir + "/rec2.png"])
        XCTAssertFalse(fromRecovery.output.contains("warning"), fromRecovery.output)
        let a = try HDF5File.open(path: dir + "/rec.h5"), b = try HDF5File.open(path: dir + "/rec2.h5")
        XCTAssertTrue(bitIdentical(try a.readTensor("/estimate"), try b.readTensor("/estimate")))
        try a.close(); try b.close()
        let evaluated = try run(["evaluate", "--model", dir + "/masks/tiny_recovery.h5"])
        XCTAssertTrue(evaluated.output.hasPrefix("test (32 images): PSNR "), evaluated.output)
    }
}
