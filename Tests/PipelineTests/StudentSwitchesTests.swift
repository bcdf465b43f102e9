import Foundation
import TestSupport
import Training
import XCTest

/// `phasemask train --mode student` with `--no-cdp` and `--no-feat`: the switches reach the checkpoint's
/// configuration, and the printed loss terms are exactly the ones switched on, adding up to
/// α·task + β·cdp + σ·feat with σ = 1 − α − β.
final class StudentSwitchesTests: XCTestCase {
    /// The loss terms of the last progress line on standard error ("epoch 1/1  step 4/4  loss 0.1  task …").
    func terms(_ stderr: String) -> [String: Double] {
        guard let last = stderr.split(separator: "\n").last(where: { $0.hasPrefix("epoch 1/1  step 4/4  ") }) else { return [:] }
        let tokens = last.split(separator: " ").map(String.init)
        var out: [String: Double] = [:]
        for (name, value) in zip(tokens, tokens.dropFirst()) where ["loss", "task", "R", "cdp", "feat"].contains(name) {
            out[name] = Double(value)
        }
        return out
    }

    func testSwitchesReachTheConfigurationAndTheLoss() throws {
        let dir = NSTemporaryDirectory() + "phasemask-switches-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = ["--preset", "tiny", "--epochs", "1", "--train-size", "16", "--val-size", "4", "--test-size", "4",
                     "--batch", "4", "--data", "synthetic:smooth", "--threads", "1"]
        let teacher = try CommandLineTool.run(["train", "--mode", "teacher", "--snapshots", "2", "--out", dir + "/teacher"] + small)
        XCTAssertEqual(teacher.status, 0, teacher.error)

        for (flags, cdp, feat) in [([String](), true, true), (["--no-cdp"], false, true), (["--no-feat"], true, false),
                                   (["--no-cdp", "--no-feat"], false, false)] {
            let out = dir + "/student" + flags.joined()
            let run = try CommandLineTool.run(["train", "--mode", "student", "--teacher", dir + "/teacher/checkpoint.h5",
                                               "--alpha", "0.5", "--beta", "0.3", "--out", out] + small + flags)
            let label = flags.isEmpty ? "both terms" : flags.joined(separator: " ")
            XCTAssertEqual(run.status, 0, "\(label): \(run.error)")
            let config = try Checkpoint.configuration(at: out + "/checkpoint.h5")
            XCTAssertEqual([config.useCDPLoss, config.useFeatureLoss], [cdp, feat], label)
            XCTAssertEqual([config.alpha, config.beta], [0.5, 0.3], label)
            XCTAssertEqual(config.sigma, 0.2, accuracy: 1e-15, label)

            let t = terms(run.error)
            var expected = ["loss", "task"]
            if cdp { expected.append("cdp") }
            if feat { expected.append("feat") }
            XCTAssertEqual(t.keys.sorted(), expected.sorted(), "\(label): \(run.error)")
            // The printed values have 4 significant digits: the sum agrees to about 1e-3 relative.
            let sum = 0.5 * (t["task"] ?? .nan) + 0.3 * (t["cdp"] ?? 0) + 0.2 * (t["feat"] ?? 0)
            XCTAssertEqual(t["loss"] ?? .nan, sum, accuracy: 2e-3 * sum, "\(label): \(t)")
        }
    }
}
