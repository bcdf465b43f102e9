import Foundation
import Pipeline
import TestSupport
import Training
import XCTest

/// `phasemask experiment` at tiny size on procedural scenes: one seed, a 2-snapshot teacher, one epoch per
/// run. It must train every run of Table 1, write the report and its figures, and on a second call reuse
/// every finished run (no training) with the same scores.
final class ExperimentEndToEndTests: XCTestCase {
    func testTinyExperimentWritesItsReportAndReusesFinishedRuns() throws {
        let dir = NSTemporaryDirectory() + "phasemask-experiment-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let arguments = ["experiment", "--preset", "tiny", "--seeds", "0", "--teacher-snapshots", "2", "--main-teacher", "2",
                         "--epochs", "1", "--train-size", "32", "--test-size", "8", "--data", "synthetic:smooth",
                         "--lr", "0.003", "--schedule", "decay", "--decay", "0.5", "--threads", "1", "--out", dir]
        let first = try CommandLineTool.run(arguments)
        XCTAssertEqual(first.status, 0, first.output + first.error)
        for run in ["teacher-L2", "student-design", "e2e"] {
            let config = try Checkpoint.configuration(at: dir + "/runs/seed0/\(run)/checkpoint.h5")
            XCTAssertEqual([config.learningRate, config.decayFraction], [0.003, 0.5], run)
            XCTAssertEqual(config.schedule, .decay, run)
        }
        // The teacher, the four ablation students, the two recipes and both baselines: 9 trainings. The
        // L_cdp + L_feat student also stands for the L_t = 2 point of Figure 3 (listed twice, trained once).
        let trained = first.lines(startingWith: "— seed 0, ").map { $0.split(separator: ":")[0] }
        XCTAssertEqual(trained, ["— seed 0, teacher-L2", "— seed 0, student-cdp-feat", "— seed 0, student-cdp", "— seed 0, student-feat",
                                 "— seed 0, student-none", "— seed 0, student-paper-cold", "— seed 0, student-design",
                                 "— seed 0, e2e", "— seed 0, random"])
        let files = ["report.md", "fig2_teacher.png", "fig3_student.png", "fig4_reconstructions.png"].map { dir + "/" + $0 }
        XCTAssertEqual(first.lines(startingWith: "wrote "), files.map { "wrote " + $0 })
        let results = try JSONDecoder().decode([Experiment.RunResult].self,
                                               from: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
        XCTAssertEqual(results.map(\.name), ["teacher-L2", "student-cdp-feat", "student-L2", "student-cdp", "student-feat",
                                             "student-none", "student-paper-cold", "student-design", "e2e", "random"])
        XCTAssertEqual(results.map(\.snapshots), [2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        for r in results { XCTAssertTrue(r.psnr.isFinite && r.psnr > 0 && r.ssim > -1 && r.ssim <= 1, "\(r.name): \(r.psnr) dB, \(r.ssim)") }
        let report = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## Table 1: ablation of the distillation terms (teacher L_t = 2)"), report)
        XCTAssertTrue(report.contains("Adam at learning rate 0.003, annealed linearly to 0 over the last 0.5 of the steps."), report)
        // The classical baselines with the teacher's and the student's masks, beside their U-Nets.
        XCTAssertTrue(report.contains("## Classical baselines (seed 0, first 8 test scenes, no noise)"), report)
        let baselines = report.split(separator: "\n").filter { $0.hasPrefix("| teacher's 2 masks |") || $0.hasPrefix("| student's 1 mask |") }
        XCTAssertEqual(baselines.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[0...1].joined(separator: ": ") },
                       ["teacher's 2 masks", "student's 1 mask"].flatMap { m in
                           ["learned (U-Net)", "spectral initialization", "ER, 200 iterations", "HIO, 200 iterations",
                            "WF, 500 iterations"].map { "\(m): \($0)" } })
        for row in baselines {
            let psnr = Double(row.split(separator: "|")[2].trimmingCharacters(in: .whitespaces))
            XCTAssertTrue(psnr.map { $0.isFinite && $0 > 0 } ?? false, String(row))
        }

        // Again: every run is finished with the same settings, so none trains and the scores are the same
        // (a reused run is evaluated on the same test scenes its training ended with).
        let second = try CommandLineTool.run(arguments)
        XCTAssertEqual(second.status, 0, second.output + second.error)
        XCTAssertEqual(second.lines(startingWith: "— seed 0, "), [], "a finished run was trained again")
        let again = try JSONDecoder().decode([Experiment.RunResult].self,
                                             from: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
        XCTAssertEqual(again.map(\.name), results.map(\.name))
        XCTAssertEqual(again.map(\.psnr), results.map(\.psnr))
        XCTAssertEqual(again.map(\.ssim), results.map(\.ssim))

        try checkSpreadOverTwoRanks(arguments, single: dir, results: results)
    }
}
