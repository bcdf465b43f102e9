import Fabrication
import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

/// The optical-bench options from the command line (issue 12), on a small custom panel and a mask
/// written by the test: carrier, zero-order simulation, and their refusals.
final class BenchOpticsCLITests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "phasemask-bench-optics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // 40×36 panel, 8-bit, 256 grays per 2π; an 8×8 mask of 8 uniform levels → superpixel 4.
        try Data(#"{"name": "small", "columns": 40, "rows": 36, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256, "designWavelength": 633e-9}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/panel.json"))
        let file = try HDF5File.create(path: dir + "/m.h5")
        let levels = (0..<64).map { Float(2 * Double.pi * Double(($0 * 5 + $0 / 8) % 8) / 8) }
        try file.write(Tensor(levels, shape: [1, 8, 8]), to: "/phi")
        try file.close()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    @discardableResult
    func run(_ args: [String], status: Int32 = 0) throws -> CommandLineTool.Result {
        let r = try CommandLineTool.run(args)
        XCTAssertEqual(r.status, status, "phasemask \(args.joined(separator: " ")):\n\(r.output)\n\(r.error)")
        return r
    }

    func export(_ extra: [String], out: String = "out", status: Int32 = 0) throws -> CommandLineTool.Result {
        try run(["export", "--mask", dir + "/m.h5:/phi", "--slm", dir + "/panel.json", "--levels", "8", "--scenes", "2",
                 "--data", "synthetic:smooth", "--out", dir + "/" + out, "--name", "d"] + extra, status: status)
    }

    func testCarrierExportSimulateAndVerify() throws {
        let exported = try export(["--carrier", "blaze:4,0"])
        XCTAssertEqual(exported.lines(startingWith: "carrier"),
                       ["carrier blaze:4,0: first-order efficiency 81.06 % (panel levels 100.00 % × pixel aperture 81.06 %); "
                        + "first order at far-field bin (0, 8) of 32×32"])
        XCTAssertEqual(exported.lines(startingWith: "frames:"),
                       ["frames: gray = LUT(kappa * wrap(phi + carrier + correction)), per panel pixel"])
        let design = dir + "/out/d.h5"
        XCTAssertEqual(try run(["verify", design]).lines.last(where: { !$0.isEmpty })?.hasPrefix("PASSED"), true)
        let simulated = try run(["simulate", "--mask", design, "--scene", design + ":/verification/scenes",
                                 "--zero-order", "0.2", "--out", dir + "/sensor.h5"])
        XCTAssertEqual(simulated.lines.filter { !$0.isEmpty }, [
            "note: sensor 32×32 bins at panel resolution; zero order at bin (0, 0), first order at (0, 8); "
                + "reconstruct takes the 8×8 window around it",
            "wrote \(dir)/sensor.h5: sensor images [2, 1, 32, 32], no noise, scenes phase 0:3.14159 rad"])
        let sensor = try HDF5File.open(path: dir + "/sensor.h5")
        defer { try? sensor.close() }
        XCTAssertEqual(try sensor.attribute("first_order_bin", of: "/cdp"), .ints([0, 8]))
        XCTAssertEqual(try sensor.attribute("first_order_size", of: "/cdp"), .ints([8, 8]))
    }

    func testABlazeBelowTwoPixelsIsRefusedAndNothingIsWritten() throws {
        let refused = try export(["--carrier", "blaze:8,1.5"], status: 1)
        XCTAssertEqual(refused.error, "Error: --carrier: blaze period PY = 1.5 pixels is below 2 pixels (it would alias); "
                       + "use |period| ≥ 2, or 0 for no ramp along that axis\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
        let wide = try export(["--carrier", "blaze:8,0"])
        XCTAssertEqual(wide.lines(startingWith: "warning:"), [
            "warning: the first order lies within one CDP width of the zero order and overlaps it on the sensor; "
                + "use a blaze period of at most the superpixel (4 pixels)"])
    }

    func testCorrectionsFromTheCommandLineAndTheirRefusals() throws {
        // A CAL file of the panel's size (2π = 256 on this panel) and one of the wrong size.
        try BMPFile.writeGray8((0..<(40 * 36)).map { UInt8($0 % 251) }, width: 40, height: 36, to: dir + "/CAL_LSH1_633nm.bmp")
        try BMPFile.writeGray8([UInt8](repeating: 3, count: 36 * 40), width: 36, height: 40, to: dir + "/CAL_turned.bmp")
        try PNGFile.write(.gray16([UInt16](repeating: 3, count: 40 * 36), width: 40, height: 36), to: dir + "/deep.png")
        let refusals = [
            (dir + "/CAL_turned.bmp", "Error: \(dir)/CAL_turned.bmp: correction is 36×40 pixels; small has 40×36\n"),
            ("meadowlark:" + dir + "/deep.png",
             "Error: \(dir)/deep.png: a meadowlark correction is an 8-bit grayscale image; this file is 16-bit gray\n"),
        ]
        for (spec, message) in refusals {
            XCTAssertEqual(try export(["--correction", spec], status: 1).error, message)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
        }
        let exported = try export(["--correction", dir + "/CAL_LSH1_633nm.bmp", "--carrier", "blaze:4,0"])
        let sum = try SHA256.hex(ofFile: dir + "/CAL_LSH1_633nm.bmp")
        XCTAssertEqual(exported.lines(startingWith: "correction"),
                       ["correction CAL_LSH1_633nm.bmp (hamamatsu, sha256 \(sum.prefix(12))…, made at 6.33e-07 m, × 1.0000)"])
        XCTAssertEqual(exported.lines(startingWith: "note:"), ["note: \(dir)/CAL_LSH1_633nm.bmp: hamamatsu correction, gray 256 = 2π"])
        let verified = try run(["verify", dir + "/out/d.h5", "--device-correction", dir + "/CAL_LSH1_633nm.bmp"], status: 1)
        XCTAssertEqual(verified.lines(startingWith: "FAIL "), [
            "FAIL device correction CAL_LSH1_633nm.bmp: applied twice: the frames already hold it (exported with "
                + "CAL_LSH1_633nm.bmp) and the device adds it again; remove it from the device or export without --correction"])
    }
}

extension BenchOpticsCLITests {
    func testTestPatternsFromTheCommandLine() throws {
        let written = try run(["export", "--slm", dir + "/panel.json", "--test-pattern", "stripes", "--test-pattern", "ramp",
                               "--out", dir + "/tp", "--name", "panel"])
        XCTAssertEqual(written.lines.filter { !$0.isEmpty }, [
            "SLM small: 40×36 pixels, 8-bit, 2π at gray 256",
            "stripes: vertical stripes 8 pixels wide of phase 0 (gray 0) and π (gray 128): its zero order vanishes when the 2π gray value is right",
            "ramp: phase 0 → 6.1114 rad left to right (gray 0 → 249), 256 steps of 0.156 columns",
            "wrote \(dir)/tp/panel_test_stripes.bmp", "wrote \(dir)/tp/panel_test_stripes.png",
            "wrote \(dir)/tp/panel_test_ramp.bmp", "wrote \(dir)/tp/panel_test_ramp.png"])
        let refused = try run(["export", "--mask", dir + "/m.h5:/phi", "--slm", dir + "/panel.json", "--test-pattern", "ramp",
                               "--out", dir + "/both"], status: 1)
        XCTAssertEqual(refused.error, "Error: --test-pattern writes panel checks instead of a design; give it without --model and --mask\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/both"))
    }
}

extension BenchOpticsCLITests {
    func testAnotherWavelengthStatesThePolicyAndThePhaseError() throws {
        let truncated = try export(["--operating-wavelength", "780e-9"])
        XCTAssertEqual(truncated.lines(startingWith: "operating wavelength"), [
            "operating wavelength 7.8e-07 m: phase response × 0.8115, stroke 1.623π < 2π: truncate (phases in [1.623π, 2π) go "
                + "to the nearer of gray 255 and gray 0)"])
        // The 7π/4 level sits beyond the stroke and shows 2π·255/256·633/780.
        let worst = 7 * Double.pi / 4 - 2 * Double.pi * 255 / 256 * 633 / 780
        XCTAssertEqual(truncated.lines(startingWith: "phase error"), [String(format: "phase error of the frames at 7.8e-07 m: RMS %.4f rad, max %.4f rad",
            rmsOfLevels(worst), worst)])
        try run(["verify", dir + "/out/d.h5"])
        let refused = try export(["--operating-wavelength", "780e-9", "--stroke-policy", "clip"], out: "clip", status: 64)
        XCTAssertEqual(refused.error, "Error: --stroke-policy must be truncate or compress, got 'clip'\n")
    }

    /// RMS of the truncation error over the test mask: levels 0…6 exact up to gray rounding, level 7 off by `worst`.
    private func rmsOfLevels(_ worst: Double) -> Double {
        let s = 633.0 / 780
        var sum = 0.0
        for i in 0..<64 {
            let k = (i * 5 + i / 8) % 8
            let t = 2 * Double.pi * Double(k) / 8
            let shown = k == 7 ? 2 * Double.pi * 255 / 256 * s : 2 * Double.pi * (256 * t / (2 * Double.pi * s)).rounded() / 256 * s
            sum += (shown - t) * (shown - t)
        }
        return (sum / 64).squareRoot()
    }
}

extension BenchOpticsCLITests {
    /// simulate-fringes → calibrate-lut → export --lut → verify, and measured CSVs that are refused.
    func testCalibrateLUTFromTheCommandLine() throws {
        let stack = try run(["simulate-fringes", "--slm", dir + "/panel.json", "--stroke", "8", "--gamma", "1.1",
                             "--size", "16x64", "--out", dir + "/stack.h5"])
        XCTAssertEqual(stack.lines.first, "wrote \(dir)/stack.h5: /frames [256, 16, 64], small at 6.33e-07 m")
        let fitted = try run(["calibrate-lut", "--fringes", dir + "/stack.h5:/frames", "--slm", dir + "/panel.json",
                              "--wavelength", "633e-9", "--out", dir + "/lut/small.csv"])
        XCTAssertEqual(fitted.lines.filter { $0.hasPrefix("wrote") },
                       ["wrote \(dir)/lut/small.csv", "wrote \(dir)/lut/small_linear.csv", "wrote \(dir)/lut/small_fit.png"])
        XCTAssertTrue(fitted.lines[0].hasPrefix("stroke 2.546π at 6.33e-07 m (measured at 6.33e-07 m): 2π sub-range grays 0…"),
                      fitted.lines[0])
        try export(["--lut", dir + "/lut/small.csv"])
        try run(["verify", dir + "/out/d.h5"])

        var rows = (0...255).map { "\($0),\(Double($0) * 0.03)" }
        rows.remove(at: 17)
        try ("gray,phase\n" + rows.joined(separator: "\n")).write(toFile: dir + "/gaps.csv", atomically: true, encoding: .utf8)
        rows.insert("17,0.51", at: 3)
        try ("gray,phase\n" + rows.joined(separator: "\n")).write(toFile: dir + "/shuffled.csv", atomically: true, encoding: .utf8)
        for (file, problem) in [("gaps.csv", "1 of the gray levels 0…255 are missing (17); a calibration needs every level"),
                                ("shuffled.csv", "gray levels are not in increasing order: gray 3 (entry 5) follows gray 17; list every gray level once, from 0 to 255")] {
            let refused = try run(["calibrate-lut", "--measured", dir + "/" + file, "--slm", dir + "/panel.json", "--wavelength", "633e-9",
                                   "--out", dir + "/refused/lut.csv"], status: 1)
            XCTAssertEqual(refused.error, "Error: \(dir)/\(file): \(problem)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/refused"))
        }
    }
}
