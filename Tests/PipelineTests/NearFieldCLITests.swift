import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

/// The near field from the command line: a mask exported with `--propagation angular-spectrum …`
/// records its geometry in the design file, and `verify`, `simulate` and `reconstruct` read it from
/// there; a conflicting or impossible geometry is one error line and leaves nothing behind.
final class NearFieldCLITests: CLITestCase {
    /// 8 µm pitch, 633 nm, 1 mm, padded by 2: on a 16×16 mask the steepest wave walks 39.6 µm of the
    /// 64 µm margin, and H turns by 15 rad at the corner of the band.
    let geometry = ["--propagation", "angular-spectrum", "--pixel-pitch-um", "8", "--wavelength-nm", "633", "--distance-mm", "1"]
    let described = "angular spectrum, pitch 8 µm, λ 633 nm, z 1 mm, pad 2"

    /// Three random 16×16 masks as `masks.h5:/phi` and a 16×16 scene image.
    func writeInputs() throws {
        var rng = SeededGenerator(seed: 90)
        let phi = Tensor.uniform([3, 16, 16], low: 0, high: 2 * .pi, generator: &rng)
        let file = try HDF5File.create(path: dir + "/masks.h5")
        try file.write(phi, to: "/phi")
        try file.setAttribute("units", .string("rad"), on: "/phi")
        try file.close()
        var pixels = [UInt8](repeating: 0, count: 256)
        for r in 0..<16 { for c in 0..<16 where (r - 7) * (r - 7) + (c - 8) * (c - 8) < 24 { pixels[r * 16 + c] = UInt8(90 + 10 * c) } }
        try PNGFile.write(.gray8(pixels, width: 16, height: 16), to: dir + "/scene.png")
    }

    func testAngularSpectrumDesignSimulatesAndReconstructsFromItsFile() throws {
        let d = dir!
        try writeInputs()
        _ = try run(["export", "--mask", d + "/masks.h5:/phi", "--slm", "pluto-2", "--levels", "8", "--scenes", "2",
                     "--data", "synthetic:smooth", "--out", d + "/m", "--name", "d"] + geometry + ["--pad", "2"])
        let design = d + "/m/d.h5"
        let file = try HDF5File.open(path: design)
        XCTAssertEqual(try file.intAttribute("format_version"), 3)
        XCTAssertEqual(try file.stringAttribute("propagation", of: "/sensing"), "angular-spectrum")
        XCTAssertEqual(try file.doubleAttribute("pixel_pitch_m", of: "/sensing"), 8e-6)
        XCTAssertEqual(try file.doubleAttribute("wavelength_m", of: "/sensing"), 633e-9)
        XCTAssertEqual(try file.doubleAttribute("distance_m", of: "/sensing"), 1e-3)
        XCTAssertEqual(try file.intAttribute("pad", of: "/sensing"), 2)
        try file.close()

        let verified = try run(["verify", design, "--no-frames"])
        XCTAssertTrue(verified.output.contains("PASS"), verified.output)

        // No propagation option: the geometry comes from the design file.
        let simulated = try run(["simulate", "--mask", design, "--scene", d + "/scene.png", "--out", d + "/cdp.h5",
                                 "--frame-tiff", d + "/f.tif"])
        let frames = (0..<3).map { "\(d)/f_b0_l\($0).tif" }
        XCTAssertEqual(simulated.lines, ["wrote \(d)/cdp.h5: CDPs [1, 3, 32, 32], \(described), no noise, "
                                         + "scenes phase 0:3.14159 rad"] + frames.map { "wrote \($0)" } + [""])
        let cdp = try HDF5File.open(path: d + "/cdp.h5")
        XCTAssertEqual(try cdp.stringAttribute("propagation", of: "/cdp"), "angular-spectrum")
        XCTAssertEqual(try cdp.intAttribute("oversampling", of: "/cdp"), 2)
        try cdp.close()

        // Error reduction lands on the scene up to its global phase (measured: 100 dB with the scene's
        // global phase, 24.6 dB without), which needs AᴴA = L·I of the near-field operator.
        let er = try run(["reconstruct", "--method", "er", "--mask", design, "--cdp", d + "/cdp.h5", "--out", d + "/er.png"])
        XCTAssertGreaterThan(try psnr(er), 20, er.output)
        XCTAssertTrue(er.output.contains("; with the scene's global phase: PSNR 100.00 dB"), er.output)
        let out = try HDF5File.open(path: d + "/er.h5")
        XCTAssertEqual(try out.stringAttribute("propagation"), "angular-spectrum")
        try out.close()
        // The camera frames of those CDPs (sensor images, not centred) reconstruct as well as the CDPs.
        let fromFrames = try run(["reconstruct", "--method", "er", "--mask", design, "--scene", d + "/cdp.h5",
                                  "--out", d + "/er-frames.png"] + frames.flatMap { ["--frame", $0] })
        XCTAssertEqual(try psnr(fromFrames), try psnr(er), accuracy: 0.5, fromFrames.output)
        // The same geometry given explicitly is accepted; another one is refused, naming the design.
        _ = try run(["reconstruct", "--method", "spectral", "--mask", design, "--cdp", d + "/cdp.h5", "--out", d + "/s.png"]
                    + geometry + ["--pad", "2"])
        let conflicting = try CommandLineTool.run(["simulate", "--mask", design, "--scene", d + "/scene.png", "--out", d + "/x.h5",
                                                   "--propagation", "fresnel", "--pixel-pitch-um", "8", "--wavelength-nm", "633",
                                                   "--distance-mm", "1", "--pad", "2"])
        XCTAssertEqual(conflicting.status, 1)
        XCTAssertEqual(conflicting.error, "Error: \(design): was made for the sensing geometry \(described); the options ask for "
                       + "Fresnel, pitch 8 µm, λ 633 nm, z 1 mm, pad 2: drop --propagation and its options to use the recorded "
                       + "geometry, or give the mask alone (FILE.h5:/DATASET) to measure it in another one\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d + "/x.h5"))
        // Far-field CDPs of the same masks do not fit the near-field design.
        _ = try run(["simulate", "--mask", d + "/masks.h5:/phi", "--scene", d + "/scene.png", "--out", d + "/far.h5",
                     "--oversampling", "2"])
        let mixed = try CommandLineTool.run(["reconstruct", "--method", "er", "--mask", design, "--cdp", d + "/far.h5",
                                             "--out", d + "/mixed.png"])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertEqual(mixed.error, "Error: \(d)/far.h5: holds CDPs measured with the sensing geometry far field, oversampling 2; "
                       + "the masks of \(design) were made for \(described)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d + "/mixed.png"))
    }

    /// A negative distance, an aliasing geometry without --pad and --pad without --propagation end with
    /// one error line each (exit status 64 for an option the parser refuses, 1 for a geometry the
    /// sampling check refuses), before anything is written.
    func testImpossibleGeometriesLeaveNothingBehind() throws {
        let d = dir!
        try writeInputs()
        try FileManager.default.createDirectory(atPath: d + "/out", withIntermediateDirectories: true)
        let simulate = ["simulate", "--mask", d + "/masks.h5:/phi", "--scene", d + "/scene.png", "--out", d + "/out/cdp.h5"]
        let cases: [([String], Int32, String)] = [
            (simulate + ["--propagation", "angular-spectrum", "--pixel-pitch-um", "8", "--wavelength-nm", "633", "--distance-mm", "-1"], 64,
             "Error: --propagation angular-spectrum: the distance must be positive and finite, got -1 mm"),
            (simulate + geometry, 1,
             "Error: --propagation: angular-spectrum propagation over z = 1 mm aliases on the 16×16 grid: the steepest plane wave at "
             + "the 8 µm pitch (spatial frequency 1/(2·pitch) on both axes) walks 39.62 µm sideways, more than the 0 µm margin that "
             + "padding by 1 leaves around the 16×16 mask, so its light would wrap around the window onto the sensor; give --pad 2"),
            (simulate + ["--pad", "2"], 64, "Error: --pixel-pitch-um, --wavelength-nm, --distance-mm and --pad describe a near-field "
             + "geometry: give --propagation angular-spectrum or fresnel with them"),
            (simulate + ["--propagation", "fresnel", "--pixel-pitch-um", "8", "--wavelength-nm", "633"], 64,
             "Error: --propagation fresnel needs --distance-mm"),
            (["train", "--mode", "teacher", "--preset", "tiny", "--data", "synthetic:blobs", "--out", d + "/out/t"] + geometry, 64,
             "Error: angular-spectrum propagation over z = 1 mm aliases on the 16×16 grid: the steepest plane wave at the 8 µm pitch "
             + "(spatial frequency 1/(2·pitch) on both axes) walks 39.62 µm sideways, more than the 0 µm margin that padding by 1 "
             + "leaves around the 16×16 mask, so its light would wrap around the window onto the sensor; give --pad 2"),
        ]
        for (args, status, message) in cases {
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, status, args.joined(separator: " "))
            XCTAssertEqual(r.error.split(separator: "\n").first.map(String.init), message, args.joined(separator: " "))
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d + "/out"), [], args.joined(separator: " "))
        }
    }
}
