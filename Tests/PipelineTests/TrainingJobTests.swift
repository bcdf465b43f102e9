import Foundation
import Optics
@testable import Pipeline
import TestSupport
import Training
import XCTest

/// `TrainingJob`: training a configuration into a run folder and scoring a checkpoint file, on tiny
/// synthetic scenes.
final class TrainingJobTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "phasemask-training-job-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// 16×16 scenes from the `blobs` generator, U-Net depth 2, 3 power iterations, one epoch of 4 steps.
    static func config(_ mode: TrainingMode, snapshots: Int = 1) -> TrainingConfig {
        var c = Preset.tiny.config(mode: mode)
        c.snapshots = snapshots
        c.iterations = 3
        c.batchSize = 4
        c.epochs = 1
        c.learningRate = 2e-3
        c.trainSize = 16; c.validationSize = 4; c.testSize = 4
        c.setDataSources([DataSource(.synthetic([.blobs]))])
        return c
    }

    func testEvaluateScoresAnotherDistributionWhenAsked() throws {
        var config = Preset.tiny.config(mode: .e2e)
        config.iterations = 2; config.testSize = 4; config.batchSize = 4
        config.setDataSources([DataSource(.synthetic([.blobs]))])
        let system = try PhaseRetrievalSystem(config: config)
        let checkpoint = directory + "/checkpoint.h5"
        try Checkpoint.save(system, optimizer: nil, progress: .init(), history: [], to: checkpoint)

        let own = try TrainingJob.evaluate(checkpoint: checkpoint, testSize: nil)
        let ownExpected = try Evaluation.evaluate(system, images: try SceneSplits.testScenes(config), batchSize: 4)
        XCTAssertEqual(own.count, 4)
        XCTAssertEqual(own.psnr, ownExpected.psnr, accuracy: 1e-9)

        let steps = [DataSource(.synthetic([.steps]))]
        let other = try TrainingJob.evaluate(checkpoint: checkpoint, testSize: 3, data: steps)
        var stepsConfig = config
        stepsConfig.setDataSources(steps)
        let otherExpected = try Evaluation.evaluate(system, images: try SceneSplits.testScenes(stepsConfig, count: 3), batchSize: 4)
        XCTAssertEqual(other.count, 3)
        XCTAssertEqual(other.psnr, otherExpected.psnr, accuracy: 1e-9)
        XCTAssertNotEqual(other.psnr, own.psnr)
    }

    /// A student without a teacher checkpoint is refused before its folder is made.
    func testStudentWithoutTeacherIsNotAJob() throws {
        var c = Self.config(.student)
        c.alpha = 0.6; c.beta = 0.2
        let out = directory + "/no-teacher"
        XCTAssertThrowsError(try TrainingJob.train(c, directory: out, resume: false, log: { _ in })) {
            XCTAssertEqual("\($0)", "invalid configuration: student mode needs a teacher checkpoint")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testStudentNeedsItsTeachersSceneModel() throws {
        let tc = Self.config(.teacher, snapshots: 2)
        try Checkpoint.save(try PhaseRetrievalSystem(config: tc), optimizer: nil, progress: .init(), history: [], to: directory + "/teacher.h5")
        var sc = Self.config(.student)
        sc.teacherCheckpoint = directory + "/teacher.h5"
        sc.sceneModel = SceneModel(phaseMin: 0, phaseMax: 2)
        XCTAssertThrowsError(try TrainingJob.train(sc, directory: directory + "/student", resume: false, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("teacher was trained on scenes with phase 0:3.14159 rad"), "\($0)")
            XCTAssertTrue("\($0)".contains(self.directory + "/teacher.h5"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/student"))
    }
}
