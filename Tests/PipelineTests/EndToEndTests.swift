import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

/// The product from the command line at tiny size, on procedural scenes (no dataset needed):
/// design → export → verify → simulate → reconstruct → evaluate → finetune, each command's output read
/// line by line and checked against the others where they measure the same thing.
final class EndToEndTests: CLITestCase {
    /// The one line of `result` that starts with `prefix` (a test failure when there is not exactly one).
    func line(_ result: CommandLineTool.Result, _ prefix: String) -> String {
        let found = result.lines(startingWith: prefix)
        XCTAssertEqual(found.count, 1, "expected one line starting with '\(prefix)' in:\n\(result.output)")
        return found.first ?? ""
    }

    /// The PSNR and SSIM columns of a design table row, as printed ("21.63", "0.7237").
    func scores(_ row: String) -> [String] { row.split(separator: " ").suffix(2).map(String.init) }

    func testDesignExportVerifySimulateReconstructEvaluateFinetune() throws {
        let data = "synthetic:smooth,blobs"
        // design: teacher → student → quantize → fine-tune (1 epoch) → export → verify, with its table.
        let design = try run(["design", "--preset", "tiny", "--snapshots", "3", "--levels", "4", "--finetune-epochs", "1",
                              "--data", data, "--work", dir + "/work", "--out", dir + "/masks", "--name", "tiny",
                              "--threads", "1"])
        XCTAssertEqual(line(design, "verify: "), "verify: passed")
        let continuous = scores(line(design, "student, continuous mask "))
        let quantized = scores(line(design, "student, quantized (K = 4) "))
        let fineTuned = scores(line(design, "student, fine-tuned to quantized "))
        XCTAssertEqual(scores(line(design, "teacher (L = 3) ")).count, 2)
        for file in ["tiny.h5", "tiny_recovery.h5", "tiny_slm.bmp", "tiny_preview.png", "tiny.gds", "tiny_mask1.png",
                     "tiny_mask2.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir!)/masks/\(file)"), file)
        }

        // export again from the fine-tuned checkpoint for another SLM, then verify that export.
        _ = try run(["export", "--model", dir + "/work/finetune/checkpoint.h5", "--slm", "x13138", "--levels", "4",
                     "--metrics-images", "8", "--out", dir + "/x13138", "--name", "x"])
        let verify = try run(["verify", dir + "/x13138/x.h5"])
        XCTAssertEqual(verify.lines.filter { $0.hasPrefix("FAIL") }, [], verify.output)
        XCTAssertTrue(verify.lines.contains("ok   x_recovery.h5 mask equals /mask/phase: 0 differing gray values"), verify.output)
        XCTAssertTrue(line(verify, "PASSED").hasPrefix("PASSED (tolerance 1.0e-05, max relative error "), verify.output)

        // simulate the design on its own stored verification scenes, then reconstruct from those CDPs.
        let cdpPath = dir + "/cdp.h5"
        let simulated = try run(["simulate", "--mask", dir + "/masks/tiny.h5", "--scene", dir + "/masks/tiny.h5:/verification/scenes",
                                 "--out", cdpPath])
        XCTAssertEqual(simulated.output, "wrote \(cdpPath): CDPs [4, 1, 16, 16], no noise, scenes phase 0:3.14159 rad\n")
        let rec = try run(["reconstruct", "--model", dir + "/work/finetune/checkpoint.h5", "--cdp", cdpPath,
                           "--out", dir + "/rec.png"])
        let recLine = line(rec, "reconstructed ")
        XCTAssertTrue(recLine.hasPrefix("reconstructed 4 image(s) → \(dir!)/rec.png, \(dir!)/rec.h5; against the stored scene: PSNR "),
                      rec.output)
        XCTAssertEqual(rec.lines.filter { $0.hasPrefix("warning") }, [], "the simulated mask should be the checkpoint's")
        let image = try PNGFile.read(path: dir + "/rec.png").image
        XCTAssertEqual([image.width, image.height], [4 * 16 + 3 * 2, 16], "4 estimates side by side, 2-pixel gaps")

        // The recovery file shipped beside the mask reconstructs exactly as the checkpoint it came from.
        let fromRecovery = try run(["reconstruct", "--model", dir + "/masks/tiny_recovery.h5", "--cdp", cdpPath,
                                    "--out", dir + "/rec2.png"])
        XCTAssertEqual(fromRecovery.lines.filter { $0.hasPrefix("warning") }, [])
        let a = try HDF5File.open(path: dir + "/rec.h5"), b = try HDF5File.open(path: dir + "/rec2.h5")
        XCTAssertTrue(bitIdentical(try a.readTensor("/estimate"), try b.readTensor("/estimate")))
        try a.close(); try b.close()

        // evaluate the recovery file: its test split is the design's, so it reproduces the table's last row.
        let evaluated = try run(["evaluate", "--model", dir + "/masks/tiny_recovery.h5", "--threads", "1"])
        let evaluation = line(evaluated, "test (")
        XCTAssertTrue(evaluation.hasPrefix("test (32 images): PSNR \(fineTuned[0]) dB  SSIM \(fineTuned[1])  ("), evaluation
                      + " should match the design's fine-tuned row \(fineTuned)")

        // finetune the design's student again, one epoch, one thread: the design's last three rows exactly.
        let ft = try run(["finetune", "--model", dir + "/work/student/checkpoint.h5", "--levels", "4", "--epochs", "1",
                          "--out", dir + "/ft", "--threads", "1"])
        XCTAssertEqual(line(ft, "test PSNR/SSIM"), "test PSNR/SSIM  continuous \(continuous[0]) dB / \(continuous[1])   "
                       + "quantized \(quantized[0]) dB / \(quantized[1])   fine-tuned \(fineTuned[0]) dB / \(fineTuned[1])")
        XCTAssertEqual(line(ft, "fine-tuned checkpoint: "), "fine-tuned checkpoint: \(dir!)/ft/checkpoint.h5")
    }

    /// Masks and scenes from other tools through `simulate`: the design's mask as a 2-D dataset in degrees
    /// gives the design's CDPs, and a colour, non-square scene image is converted with printed notes.
    func testSimulateConvertsMasksAndScenesFromOtherTools() throws {
        let design = try run(["design", "--preset", "tiny", "--snapshots", "2", "--levels", "4", "--epochs", "1",
                              "--train-size", "32", "--test-size", "4", "--finetune-epochs", "1", "--data", "synthetic:steps",
                              "--work", dir + "/work", "--out", dir + "/masks", "--name", "d", "--threads", "1"])
        XCTAssertEqual(line(design, "verify: "), "verify: passed")
        let designFile = try HDF5File.open(path: dir + "/masks/d.h5")
        let phase = try designFile.readTensor("/mask/phase")
        try designFile.close()
        XCTAssertEqual(phase.shape, [1, 16, 16])
        let other = try HDF5File.create(path: dir + "/other.h5")
        try other.write(phase.array.map { Double($0) * (180 / Double.pi) }, shape: [16, 16], to: "/phi")
        try other.setAttribute("units", .string("deg"), on: "/phi")
        try other.close()
        // 40×24 colour scene: a red-green ramp.
        var rgb: [UInt8] = []
        for y in 0..<24 { for x in 0..<40 { rgb += [UInt8(6 * x), UInt8(10 * y), 128] } }
        try PNGFile.write(.rgb8(rgb, width: 40, height: 24), to: dir + "/scene.png")

        let fromDesign = try run(["simulate", "--mask", dir + "/masks/d.h5", "--scene", dir + "/scene.png", "--out", dir + "/a.h5"])
        let fromDegrees = try run(["simulate", "--mask", dir + "/other.h5:/phi", "--scene", dir + "/scene.png", "--out", dir + "/b.h5"])
        let sceneNotes = ["note: \(dir!)/scene.png: colour image (rgb) converted to gray with the Rec. 601 luma weights",
                          "note: \(dir!)/scene.png: 40×24 pixels (W×H) centre-cropped to 24×24, the mask's aspect ratio, then resized to 16×16"]
        XCTAssertEqual(fromDesign.lines, sceneNotes + ["wrote \(dir!)/a.h5: CDPs [1, 1, 16, 16], no noise, scenes phase 0:3.14159 rad", ""])
        XCTAssertEqual(fromDegrees.lines, ["note: \(dir!)/other.h5: /phi is one 2-D mask [16, 16]; read as 1 snapshot [1, 16, 16]",
                                           "note: \(dir!)/other.h5: /phi is in degrees (× π/180); converted to radians"]
                       + sceneNotes + ["wrote \(dir!)/b.h5: CDPs [1, 1, 16, 16], no noise, scenes phase 0:3.14159 rad", ""])
        // Degrees → radians rounds each phase to float32 again: the CDPs agree to float32 precision.
        let x = try HDF5File.open(path: dir + "/a.h5"), y = try HDF5File.open(path: dir + "/b.h5")
        let cdpA = try x.readTensor("/cdp"), cdpB = try y.readTensor("/cdp")
        try x.close(); try y.close()
        let scale = cdpA.buffer.max()!
        XCTAssertLessThan(maxAbsDifference(cdpA, cdpB) / scale, 1e-5)
    }

    /// `model-info` for depth 2, 4 base channels, 16×16, counted by hand from the layer list in `UNet`:
    /// a `ConvBlock(in, out)` is two 3×3 convolutions with bias and two batch norms (γ, β; buffers mean,
    /// variance): 9·in·out + 9·out² + 6·out parameters in 8 tensors, 4·out buffers; a 2×2 transposed
    /// convolution 4·in·out + out in 2 tensors; the 1×1 output convolution in + 1 in 2 tensors.
    /// Channels 4, 8, 16: enc0 (2→4) 240, enc1 (4→8) 912, bottleneck (8→16) 3552, up1 (16→8) 520,
    /// dec1 (16→8) 1776, up0 (8→4) 132, dec0 (8→4) 456, out (4→1) 5: 7,593 in 5·8 + 2·2 + 2 = 46 tensors;
    /// buffers 4·(4 + 8 + 16 + 8 + 4) = 160. Receptive field (`UNet.receptiveField`'s recurrence):
    /// 1 + 4 + 1 (level 0) + 8 + 2 (level 1) + 16 (bottleneck) + 8 + 4 (decoders) = 44 ≥ 2·16 − 1.
    func testModelInfoMatchesAHandCount() throws {
        let info = try run(["model-info", "--size", "16", "--depth", "2", "--channels", "4"])
        XCTAssertEqual(info.lines, [
            "U-Net: depth 2, base channels 4, 2 input channel(s), 1 output channel(s)",
            "  level 0:    4 channels at 16×16",
            "  level 1:    8 channels at 8×8",
            "  bottleneck: 16 channels at 4×4",
            "  parameters: 7,593 in 46 tensors; batch-norm buffers: 160",
            "  receptive field: 44×44 pixels for a 16×16 image (every output pixel sees the whole image)",
            "",
        ])
    }
}
