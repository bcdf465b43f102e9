import Foundation
import Optics
import TestSupport
import Training
import XCTest

/// One noise syntax on every command (`--noise none|gaussian:SNR_DB|poisson:PHOTONS`), and `train`'s
/// options reaching the checkpoint's configuration through the overrides.
final class NoiseOptionTests: XCTestCase {
    var directory = ""

    override func setUp() {
        directory = NSTemporaryDirectory() + "phasemask-noise-option-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    let small = ["--preset", "tiny", "--epochs", "1", "--train-size", "16", "--val-size", "4", "--test-size", "4",
                 "--batch", "4", "--iterations", "3", "--data", "synthetic:smooth", "--threads", "1"]

    /// The old form, a bare `gaussian` or `poisson` whose level came from `--snr` or `--photons`, stops
    /// each command with one line showing the syntax that replaced it.
    func testTheOldFormIsRefusedWithTheNewSyntax() throws {
        let out = directory + "/out"
        let gaussian = "Error: --noise gaussian needs its level: --noise gaussian:SNR_DB, e.g. --noise gaussian:30 (--snr is gone)"
        let poisson = "Error: --noise poisson needs its level: --noise poisson:PHOTONS, e.g. --noise poisson:1000 (--photons is gone)"
        let cases: [([String], String)] = [
            (["train", "--mode", "e2e", "--noise", "gaussian", "--out", out] + small, gaussian),
            (["train", "--mode", "e2e", "--noise", "poisson", "--out", out] + small, poisson),
            (["design", "--preset", "tiny", "--noise", "gaussian", "--work", out, "--out", out], gaussian),
            (["evaluate", "--model", out + "/checkpoint.h5", "--noise", "poisson"], poisson),
            (["simulate", "--mask", out + "/m.h5", "--scene", "fashion-mnist:test:0", "--noise", "gaussian",
              "--out", out + "/cdp.h5"], gaussian),
        ]
        for (arguments, message) in cases {
            let run = try CommandLineTool.run(arguments, timeout: 60)
            let label = arguments.prefix(4).joined(separator: " ")
            XCTAssertEqual(run.status, 64, "\(label): \(run.error)")
            XCTAssertEqual(run.error, message + "\n", label)
        }
        for option in [["--snr", "30"], ["--photons", "1000"]] {
            let run = try CommandLineTool.run(["train", "--mode", "e2e", "--noise", "gaussian:30", "--out", out] + option + small,
                                              timeout: 60)
            XCTAssertNotEqual(run.status, 0, "\(option[0]) was removed")
            XCTAssertTrue(run.error.hasPrefix("Error: Unknown option '\(option[0])'"), run.error)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written")
    }

    func testChoicesAreCheckedWhenTheCommandLineIsRead() throws {
        let out = directory + "/out"
        let cases: [([String], String)] = [
            (["train", "--mode", "teachr", "--out", out] + small,
             "Error: The value 'teachr' is invalid for '--mode <mode>'. Please provide one of 'teacher', 'e2e', 'random' or 'student'."),
            (["train", "--mode", "e2e", "--weighting", "uniform", "--out", out] + small,
             "Error: The value 'uniform' is invalid for '--weighting <weighting>'. Please provide one of 'truncated' and 'intensity'."),
            (["train", "--mode", "e2e", "--weighting", "intensity", "--truncation", "0.3", "--out", out] + small,
             "Error: --truncation 0.3 applies to truncated weights, not to --weighting intensity"),
            (["train", "--mode", "e2e", "--truncation", "1.5", "--out", out] + small,
             "Error: truncation fraction must be in (0, 1], got 1.5"),
            (["train", "--mode", "student", "--out", out] + small, "Error: student mode needs a teacher checkpoint"),
        ]
        for (arguments, message) in cases {
            let run = try CommandLineTool.run(arguments, timeout: 60)
            XCTAssertEqual(run.status, 64, "\(arguments.prefix(6)): \(run.error)")
            XCTAssertEqual(run.error, message + "\n")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written")
    }

    /// `train` builds its configuration as the preset with every option given laid over it: the stored
    /// configuration equals the one built field by field.
    func testTrainOptionsReachTheCheckpoint() throws {
        let teacherRun = try CommandLineTool.run(["train", "--mode", "teacher", "--snapshots", "2", "--noise", "gaussian:20",
                                                  "--weighting", "intensity", "--lr", "0.002", "--schedule", "cosine",
                                                  "--warmup", "0.1", "--decay", "0.3", "--rho", "0.01", "--levels", "4", "--stroke", "1.5",
                                                  "--seed", "7", "--global-phase", "constant-start", "--phase-range", "0:2",
                                                  "--out", directory + "/teacher"] + small)
        XCTAssertEqual(teacherRun.status, 0, teacherRun.error)
        var teacher = Preset.tiny.config(mode: .teacher)
        teacher.snapshots = 2; teacher.noise = .gaussian(snrDB: 20); teacher.weighting = .intensity
        teacher.learningRate = 0.002; teacher.schedule = .cosine; teacher.warmupFraction = 0.1; teacher.decayFraction = 0.3; teacher.rho = 0.01
        teacher.levels = 4; teacher.stroke = 1.5 * .pi; teacher.seed = 7; teacher.globalPhase = .constantStart
        teacher.sceneModel = SceneModel(phaseMin: 0, phaseMax: 2)
        teacher.epochs = 1; teacher.trainSize = 16; teacher.validationSize = 4; teacher.testSize = 4
        teacher.batchSize = 4; teacher.iterations = 3; teacher.dataSources = [DataSource(.synthetic([.smooth]))]
        XCTAssertEqual(try Checkpoint.configuration(at: directory + "/teacher/checkpoint.h5"), teacher)

        let studentRun = try CommandLineTool.run(["train", "--mode", "student", "--teacher", directory + "/teacher/checkpoint.h5",
                                                  "--noise", "poisson:300", "--truncation", "0.3", "--phase-range", "0:2",
                                                  "--kd-normalization", "energy", "--init-from-teacher",
                                                  "--out", directory + "/student"] + small)
        XCTAssertEqual(studentRun.status, 0, studentRun.error)
        var student = Preset.tiny.config(mode: .student)
        student.alpha = TrainingConfig.defaultStudentAlpha; student.beta = TrainingConfig.defaultStudentBeta
        student.noise = .poisson(photonsPerPixel: 300); student.weighting = .truncated(fraction: 0.3)
        student.sceneModel = SceneModel(phaseMin: 0, phaseMax: 2); student.kdNormalization = .energy
        student.initFromTeacher = true; student.teacherCheckpoint = directory + "/teacher/checkpoint.h5"
        student.epochs = 1; student.trainSize = 16; student.validationSize = 4; student.testSize = 4
        student.batchSize = 4; student.iterations = 3; student.dataSources = [DataSource(.synthetic([.smooth]))]
        XCTAssertEqual(try Checkpoint.configuration(at: directory + "/student/checkpoint.h5"), student)
    }
}
