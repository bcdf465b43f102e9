import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

/// The camera path from the command line: `simulate --frame-tiff` writes real 16-bit TIFF frames
/// (12-bit data left-justified, binned 2×2, offset on a larger sensor, on a black level with its dark
/// frame); `import-frame` and `reconstruct --frame` read them back; the reconstructions from the frames
/// match those from the HDF5 CDPs within 0.5 dB, for the U-Net and for HIO. Bad frames leave nothing.
final class CameraFrameEndToEndTests: CLITestCase {
    func testFramesFromSimulateReconstructLikeTheirCDPs() throws {
        let d = dir!
        _ = try run(["train", "--mode", "teacher", "--preset", "tiny", "--snapshots", "4", "--data", "synthetic:blobs",
                     "--out", d + "/t", "--threads", "1"])
        _ = try run(["export", "--model", d + "/t/checkpoint.h5", "--slm", "pluto-2", "--levels", "8", "--metrics-images", "4",
                     "--out", d + "/m", "--name", "d"])
        var pixels = [UInt8](repeating: 0, count: 256)
        for r in 0..<16 { for c in 0..<16 where (r - 7) * (r - 7) + (c - 8) * (c - 8) < 20 { pixels[r * 16 + c] = UInt8(100 + 9 * c) } }
        try PNGFile.write(.gray8(pixels, width: 16, height: 16), to: d + "/scene.png")
        let design = d + "/m/d.h5", model = d + "/m/d_recovery.h5"
        let simulated = try run(["simulate", "--mask", design, "--scene", d + "/scene.png", "--out", d + "/cdp.h5",
                                 "--frame-tiff", d + "/f.tif", "--frame-bits", "12", "--frame-bin", "2", "--frame-sensor", "40x36",
                                 "--frame-offset", "5,1", "--frame-dark", "64"])
        let frames = (0..<4).map { "\(d)/f_b0_l\($0).tif" }
        XCTAssertEqual(simulated.lines, ["wrote \(d)/cdp.h5: CDPs [1, 4, 16, 16], no noise, scenes phase 0:3.14159 rad"]
                       + (frames + [d + "/f_dark.tif"]).map { "wrote \($0)" } + [""])
        let first = try TIFFFile.read(path: frames[0])
        XCTAssertEqual([first.image.width, first.image.height, first.sourceBitDepth], [40, 36, 16])

        let imported = try run(["import-frame"] + frames + ["--dark", d + "/f_dark.tif", "--bin", "2", "--mask", design,
                                                           "--out", d + "/imp.h5"])
        let summary = "4 frame(s) (16-bit TIFF, 12-bit data left-justified (÷ 16)), window 5,1,32,32 binned 2×2 to 16×16, "
            + "0 saturated pixel(s)"
        XCTAssertEqual(imported.lines, ["wrote \(d)/imp.h5: CDPs [1, 4, 16, 16] from " + summary,
                                        "normalization: each CDP scaled so that its sum is H·W = 256, the energy ‖x‖² of a "
                                        + "pure-phase 16×16 scene (|x| = 1; Parseval, orthonormal FFT)", ""])
        let file = try HDF5File.open(path: d + "/imp.h5")
        XCTAssertEqual(try file.read(UInt8.self, "/saturated").shape, [1, 4, 16, 16])
        XCTAssertEqual(try file.intAttribute("bin", of: "/cdp"), 2)
        XCTAssertEqual(try file.stringAttribute("dark_file", of: "/cdp"), d + "/f_dark.tif")
        try file.close()

        let frameArgs = frames.flatMap { ["--frame", $0] } + ["--dark", d + "/f_dark.tif", "--bin", "2"]
        for method in ["unet", "hio"] {
            let fromCDP = try run(["reconstruct", "--method", method, "--model", model, "--mask", design, "--cdp", d + "/cdp.h5",
                                   "--out", d + "/\(method)-cdp.png"])
            let fromFrames = try run(["reconstruct", "--method", method, "--model", model, "--mask", design, "--scene",
                                      d + "/cdp.h5", "--out", d + "/\(method)-frames.png"] + frameArgs)
            let fromImport = try run(["reconstruct", "--method", method, "--model", model, "--mask", design, "--cdp", d + "/imp.h5",
                                      "--scene", d + "/scene.png", "--out", d + "/\(method)-imp.png"])
            XCTAssertEqual(fromFrames.lines(startingWith: "frames: "), ["frames: " + summary + "; each CDP scaled so that its sum "
                                                                       + "is H·W = 256, the energy ‖x‖² of a pure-phase 16×16 scene "
                                                                       + "(|x| = 1; Parseval, orthonormal FFT)"])
            let (a, b, c) = (try psnr(fromCDP), try psnr(fromFrames), try psnr(fromImport))
            XCTAssertEqual(b, a, accuracy: 0.5, "\(method): frames \(b) dB vs CDPs \(a) dB")
            XCTAssertEqual(c, b, accuracy: 0.01, "\(method): the imported file and the frames are the same CDPs")
            let label = method == "unet" ? "" : " by hio (residual "
            XCTAssertTrue(try XCTUnwrap(fromFrames.lines(startingWith: "reconstructed ").first)
                            .hasPrefix("reconstructed 1 image(s)\(label)"), fromFrames.output)
            XCTAssertTrue(fromFrames.output.contains("; against \(d)/cdp.h5: PSNR "), fromFrames.output)
            XCTAssertTrue(fromImport.output.contains("; against \(d)/scene.png: PSNR "), fromImport.output)
        }
        // Without --model the U-Net is the recovery file beside the design: the same reconstruction.
        let companion = try run(["reconstruct", "--mask", design, "--scene", d + "/cdp.h5", "--out", d + "/companion.png"] + frameArgs)
        XCTAssertEqual(companion.lines.first, "note: --model \(model), the recovery file beside the design")
        let withModel = try run(["reconstruct", "--model", model, "--mask", design, "--scene", d + "/cdp.h5",
                                 "--out", d + "/with-model.png"] + frameArgs)
        XCTAssertEqual(try psnr(companion), try psnr(withModel))
        let hio = try run(["reconstruct", "--method", "hio", "--mask", design, "--cdp", d + "/cdp.h5", "--out", d + "/h.png"])
        XCTAssertGreaterThan(try psnr(hio), 20, "HIO on 4 masks without noise: \(hio.output)")
    }

    /// A frame smaller than the design's grid is refused with the file named, and nothing is written.
    func testFrameSmallerThanTheGridLeavesNothingBehind() throws {
        let d = dir!
        _ = try run(["train", "--mode", "teacher", "--preset", "tiny", "--snapshots", "2", "--epochs", "1", "--train-size", "16",
                     "--data", "synthetic:blobs", "--out", d + "/t", "--threads", "1"])
        try FileManager.default.createDirectory(atPath: d + "/out", withIntermediateDirectories: true)
        let small = d + "/small.tif"
        try TIFFFile.write(.gray16([UInt16](repeating: 900, count: 100), width: 10, height: 10), to: small)
        let expected = "Error: \(small): is 10×10 pixels, smaller than the design's 16×16 grid\n"
        let imported = try CommandLineTool.run(["import-frame", small, small, "--model", d + "/t/checkpoint.h5",
                                                "--out", d + "/out/cdp.h5"])
        XCTAssertEqual(imported.status, 1)
        XCTAssertEqual(imported.error, expected)
        let reconstructed = try CommandLineTool.run(["reconstruct", "--model", d + "/t/checkpoint.h5", "--frame", small,
                                                     "--frame", small, "--out", d + "/out/r.png"])
        XCTAssertEqual(reconstructed.status, 1)
        XCTAssertEqual(reconstructed.error, expected)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d + "/out"), [])
    }
}
