import Foundation
import Optics
import Storage
import TestSupport
import Training
import XCTest

/// `phasemask tolerance` end to end on the shipped design (scored on procedural blobs, so no dataset is
/// needed) and on a tiny one (16×16, K = 4 from two lithography masks), its refusals, and `--perturb` on
/// train and finetune.
final class ToleranceCLITests: XCTestCase {
    /// The folder of the tiny design, made once for the class: `d.h5`, `d_recovery.h5` (and `bare.h5`,
    /// the same mask exported without lithography), and the checkpoint `run/checkpoint.h5`.
    static let folder = NSTemporaryDirectory() + "phasemask-tolerance-\(UUID().uuidString)"
    nonisolated(unsafe) static var made: Result<Void, Error>?

    override class func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func run(_ arguments: [String], status: Int32 = 0) throws -> CommandLineTool.Result {
        let result = try CommandLineTool.run(arguments, timeout: 300)
        XCTAssertEqual(result.status, status, "\(arguments.joined(separator: " ")):\n\(result.output)\n\(result.error)")
        return result
    }

    /// Trains the tiny system and exports it, once.
    func design() throws -> String {
        let f = Self.folder
        if Self.made == nil {
            Self.made = Result(catching: {
                _ = try run(["train", "--mode", "e2e", "--preset", "tiny", "--epochs", "1", "--train-size", "16", "--val-size", "4",
                             "--test-size", "4", "--batch", "8", "--iterations", "2", "--levels", "4", "--data", "synthetic:smooth",
                             "--threads", "1", "--out", f + "/run"])
                for (name, lithography) in [("d", ["--wavelength", "633e-9", "--index", "1.457", "--pitch", "8e-6"]), ("bare", [])] {
                    _ = try run(["export", "--model", f + "/run/checkpoint.h5", "--slm", "slm-200", "--metrics-images", "0",
                                 "--out", f, "--name", name] + lithography)
                }
            })
        }
        try Self.made?.get()
        return f
    }

    /// The repository's root (this file is Tests/PipelineTests/ToleranceCLITests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testToleranceTableCSVAndFigure() throws {
        let (design, model) = (Self.root + "/masks/phasemask.h5", Self.root + "/masks/phasemask_recovery.h5")
        let out = Self.folder + "/tol"
        let r = try run(["tolerance", design, "--model", model, "--data", "synthetic:blobs", "--test-size", "4", "--draws", "2",
                         "--error", "depth-scale=0%,20%", "--error", "misalignment=4um,0.25px", "--error", "crosstalk=0.3px",
                         "--out", out, "--threads", "1"])
        // The nominal mask scores what `evaluate` scores on the same scenes.
        let evaluated = try run(["evaluate", "--model", model, "--data", "synthetic:blobs", "--test-size", "4", "--threads", "1"])
        let psnr = try XCTUnwrap(evaluated.lines.first { $0.hasPrefix("test (4 images of synthetic:blobs): PSNR ") }?
            .split(separator: " ")[6])
        let rows = r.lines.filter { line in ["nominal ", "depth-scale ", "misalignment ", "crosstalk "].contains { line.hasPrefix($0) } }
        XCTAssertEqual(rows.map { $0.split(separator: " ").prefix(3).joined(separator: " ") },
                       ["nominal 0 1", "depth-scale 0 %", "depth-scale 20 %", "misalignment 2 µm", "misalignment 4 µm", "crosstalk 0.3 px"],
                       r.output)
        XCTAssertEqual(rows.first?.split(separator: " ")[5], Substring(psnr), r.output)
        // Zero amplitude is the nominal mask: same mean, no spread over draws, Δ +0.00 (the p5 of 2 × 4
        // repeated scores is another order statistic than that of 4). 0.25 px on an 8 µm pitch is 2 µm.
        let fields = rows.map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual([fields[1][6], fields[1][7], fields[1][9]], [fields[0][5], "0.00", "+0.00"], r.output)
        XCTAssertEqual(fields[1][3...5], ["2", "×", "4"])
        XCTAssertEqual(fields[5][3...5], ["1", "×", "4"], "crosstalk draws nothing")
        XCTAssertEqual([fields[0][6], fields[5][7]], ["-", "-"], "one draw has no standard error")
        for (i, what) in [(2, "a 20 % depth error"), (4, "a 4 µm misalignment"), (5, "crosstalk of 0.3 px")] {
            XCTAssertLessThan(Double(fields[i][6])!, Double(fields[0][5])! - 0.5, "\(what) costs PSNR: \(r.output)")
        }
        XCTAssertEqual(r.lines.filter { $0.hasPrefix(" 1. ") || $0.hasPrefix(" 2. ") || $0.hasPrefix(" 3. ") }.count, 3, r.output)
        XCTAssertEqual(r.lines(startingWith: "wrote "), ["wrote \(out)/tolerance.csv, \(out)/tolerance.png"])
        XCTAssertTrue(r.lines.contains { $0.hasPrefix("[6/6] crosstalk 0.3 px: mean PSNR ") }, r.output)

        let csv = try String(contentsOfFile: out + "/tolerance.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "error,amplitude,unit,amplitude_mask_units,draws,images,psnr_mean_db,psnr_mean_se_db,psnr_p5_db")
        XCTAssertEqual(csv.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3).joined(separator: ",") },
                       ["nominal,0,", "depth-scale,0,%", "depth-scale,20,%", "misalignment,2,µm", "misalignment,4,µm",
                        "crosstalk,0.3,px"])
        let png = try PNGFile.read(path: out + "/tolerance.png").image
        XCTAssertEqual([png.width, png.height], [3 * 480, 340], "one panel per error")
    }

    func testBadInputStopsWithOneLineAndWritesNothing() throws {
        let f = try design(), out = f + "/bad"
        let cases: [([String], Int32, String)] = [
            (["tolerance", f + "/missing.h5", "--model", f + "/d_recovery.h5"], 1, f + "/missing.h5"),
            (["tolerance", f + "/d.h5", "--model", f + "/d_recovery.h5", "--error", "tilt"], 64,
             "--error: 'tilt' is not an error; use one of depth-scale, layer-depth, misalignment, crosstalk, lut-gamma, wavelength"),
            (["tolerance", f + "/d.h5", "--model", f + "/d_recovery.h5", "--error", "misalignment=1"], 1,
             "--error misalignment: misalignment amplitude '1' must be a number ≥ 0 with its unit, px or um (e.g. misalignment:0.1px)"),
            (["tolerance", f + "/d.h5", "--model", f + "/d_recovery.h5", "--error", "depth-scale=90%"], 1,
             "--error depth-scale: 90%: perturbation depth-scale: amplitude 0.9 must be in 0…0.5 (mask units)"),
            (["tolerance", f + "/bare.h5", "--model", f + "/d_recovery.h5", "--error", "layer-depth"], 1,
             "--error layer-depth: \(f)/bare.h5 has no lithography layers (export with --wavelength, --index and --pitch): "
             + "layer-depth acts on its binary masks"),
            (["tolerance", f + "/d.h5", "--model", f + "/d.h5"], 1, f + "/d.h5"),
            (["tolerance", f + "/d.h5", "--model", f + "/d_recovery.h5", "--draws", "0"], 64, "--draws must be at least 1, got 0"),
            (["tolerance", f + "/d.h5", "--model", f + "/d_recovery.h5", "--out", f + "/d.h5"], 1,
             "--out \(f)/d.h5: is a file; give a folder for tolerance.csv and tolerance.png"),
        ]
        for (arguments, status, message) in cases {
            let r = try run(arguments + (arguments.contains("--out") ? [] : ["--out", out]), status: status)
            XCTAssertEqual(r.error.split(separator: "\n").count, 1, r.error)
            XCTAssertTrue(r.error.hasPrefix("Error: ") && r.error.contains(message), "\(arguments.last!): \(r.error)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments.last!) left \(out) behind")
        }
        // Without --error, what the design cannot realize is skipped with a note, not refused.
        let r = try run(["tolerance", f + "/bare.h5", "--model", f + "/d_recovery.h5", "--test-size", "2", "--draws", "1",
                         "--out", out, "--threads", "1"])
        XCTAssertEqual(r.lines.filter { $0.hasPrefix("note: skipping ") }.map { $0.split(separator: ":")[1] },
                       [" skipping layer-depth", " skipping misalignment"], r.output)
        XCTAssertEqual(r.lines.filter { $0.hasPrefix("[") }.count, 1 + 4 * 4, r.output)
    }

    func testPerturbOnTrainAndFinetune() throws {
        let f = try design()
        let ft = try run(["finetune", "--model", f + "/run/checkpoint.h5", "--epochs", "1", "--perturb", "misalignment:0.3px",
                          "--out", f + "/ft", "--threads", "1"])
        XCTAssertTrue(ft.lines.contains("training perturbation of the measuring mask: misalignment:0.3px"), ft.output)
        XCTAssertEqual(try Checkpoint.configuration(at: f + "/ft/checkpoint.h5").perturbation,
                       MaskPerturbation(.misalignment, amplitude: 0.3))
        for (command, text, message) in [
            ("train", "depth-scale:5", "--perturb: depth-scale amplitude '5' must be a number ≥ 0 with its unit, % (e.g. depth-scale:5%)"),
            ("finetune", "misalignment:1um", "--perturb: misalignment amplitude '1um' in µm needs the element's pixel pitch; give it in px (mask pixels)"),
            ("design", "crosstalk", "--perturb: perturbation must be KIND:AMPLITUDE with KIND one of depth-scale, layer-depth, "
             + "misalignment, crosstalk, lut-gamma, wavelength, got 'crosstalk'"),
        ] {
            let args = command == "train" ? ["train", "--mode", "e2e", "--preset", "tiny", "--perturb", text, "--out", f + "/x"]
                : command == "finetune" ? ["finetune", "--model", f + "/run/checkpoint.h5", "--perturb", text, "--out", f + "/x"]
                : ["design", "--preset", "tiny", "--perturb", text, "--work", f + "/x", "--out", f + "/x"]
            let r = try run(args, status: 64)
            XCTAssertEqual(r.error, "Error: \(message)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: f + "/x"))
        }
        // A layer perturbation needs K = 2^k levels.
        let r = try run(["train", "--mode", "e2e", "--preset", "tiny", "--levels", "6", "--perturb", "layer-depth:5%",
                         "--out", f + "/x"], status: 64)
        XCTAssertTrue(r.error.contains("the layer-depth perturbation acts on K = 2^k binary lithography layers"), r.error)
    }
}
