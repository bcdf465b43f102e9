import Autodiff
import Foundation
import NeuralNetwork
import Optics
import TensorCore
import TestSupport
@testable import Training
import XCTest

/// Training at tiny sizes (16×16, U-Net depth 2 with 4 channels, T = 3) on synthetic smooth scenes, so
/// these tests need no dataset and run in seconds in a debug build.
final class TrainerTests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "phasemask-trainer-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func config(_ mode: TrainingMode, snapshots: Int = 1) -> TrainingConfig {
        var c = Preset.tiny.config(mode: mode)
        c.snapshots = snapshots
        c.iterations = 3
        c.batchSize = 4
        c.epochs = 2
        c.learningRate = 2e-3
        c.trainSize = 16; c.validationSize = 4; c.testSize = 4
        return c
    }

    /// Blurred random images in [0, 1], `[n, 1, 16, 16]`.
    static func scenes(_ n: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let coarse = Tensor.uniform([n, 1, 4, 4], generator: &rng)
        return Resize.resize(coarse, height: 16, width: 16)
    }

    static let splits = SceneSplits(train: scenes(16, seed: 1), validation: scenes(4, seed: 2), test: scenes(4, seed: 3))

    func lossTrajectory(_ trainer: Trainer, steps: Int) throws -> [Double] {
        let batch = Self.splits.train.slice(0..<4)
        var losses: [Double] = []
        for s in 0..<steps {
            var rng = SeededGenerator(seed: UInt64(s))
            losses.append(try trainer.trainStep(batch, generator: &rng).total)
        }
        return losses
    }

    func testEveryModeLowersItsLoss() throws {
        let teacherConfig = Self.config(.teacher, snapshots: 3)
        let teacher = try PRSystem(config: teacherConfig)
        for mode in TrainingMode.allCases {
            var c = Self.config(mode, snapshots: mode == .teacher ? 3 : 1)
            if mode == .student { c.teacherCheckpoint = "unused"; c.alpha = 0.6; c.beta = 0.2 }
            let trainer = try Trainer(config: c, splits: Self.splits, teacher: mode == .student ? teacher : nil,
                                      directory: directory + "/\(mode)")
            let losses = try lossTrajectory(trainer, steps: 8)
            XCTAssertLessThan(losses.last!, losses.first!, "\(mode): \(losses)")
        }
    }

    func testRandomModeKeepsMasksAndFilterFrozen() throws {
        let trainer = try Trainer(config: Self.config(.random), splits: Self.splits, teacher: nil, directory: directory)
        let phi = trainer.system.masks.value.copy(), psi = trainer.system.filter.value.copy()
        let firstConv = trainer.system.unet.parameters[0].value.copy()
        _ = try lossTrajectory(trainer, steps: 2)
        XCTAssertTrue(bitIdentical(phi, trainer.system.masks.value))
        XCTAssertTrue(bitIdentical(psi, trainer.system.filter.value))
        XCTAssertFalse(bitIdentical(firstConv, trainer.system.unet.parameters[0].value))
    }

    /// A student whose φ, ψ, θ equal a one-snapshot teacher's has L_cdp = L_feat = 0.
    func testDistillationTermsVanishForAnIdenticalTeacher() throws {
        var tc = Self.config(.teacher, snapshots: 1)
        tc.mode = .teacher
        let teacher = try PRSystem(config: tc)
        var sc = Self.config(.student)
        sc.teacherCheckpoint = "unused"; sc.alpha = 0.5; sc.beta = 0.3; sc.initFromTeacher = true
        let trainer = try Trainer(config: sc, splits: Self.splits, teacher: teacher, directory: directory)
        var rng = SeededGenerator(seed: 0)
        let tape = Tape()
        let images = Self.splits.train.slice(0..<4)
        // Evaluation-mode batch norm on both sides, so both networks compute the same function.
        let out = try trainer.system.forward(images, tape: tape, training: false, generator: &rng)
        let targets = try trainer.teacherTargets(teacher, images)
        let (_, terms) = trainer.objective.loss(out, images: images, masks: tape.variable(trainer.system.masks),
                                                          teacher: targets)
        tape.reset()
        XCTAssertEqual(terms.cdp, 0, accuracy: 1e-12)
        XCTAssertEqual(terms.feature, 0, accuracy: 1e-12)
        XCTAssertGreaterThan(terms.task, 0)
    }

    func testCheckpointRoundTripIsBitExact() throws {
        let trainer = try Trainer(config: Self.config(.e2e), splits: Self.splits, teacher: nil, directory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try lossTrajectory(trainer, steps: 2)
        try trainer.save()
        let loaded = try Checkpoint.load(trainer.checkpointPath)
        XCTAssertEqual(loaded.system.config, trainer.config)
        for (a, b) in zip(trainer.system.parameters, loaded.system.parameters) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertTrue(bitIdentical(a.value, b.value), a.name)
        }
        for (a, b) in zip(trainer.system.unet.buffers, loaded.system.unet.buffers) {
            XCTAssertTrue(bitIdentical(a.tensor, b.tensor), a.name)
        }
        let state = try XCTUnwrap(loaded.optimizerState)
        XCTAssertEqual(state.steps.first, 2)
    }

    /// Training 2 epochs straight equals training 1 epoch, then resuming for a second one.
    func testResumedRunMatchesUninterruptedRun() throws {
        let config = Self.config(.e2e)
        let straight = try Trainer(config: config, splits: Self.splits, teacher: nil, directory: directory + "/a")
        straight.log = { _ in }
        try straight.run()

        var first = config
        first.epochs = 1
        let partial = try Trainer(config: first, splits: Self.splits, teacher: nil, directory: directory + "/b")
        partial.log = { _ in }
        try partial.run()
        let resumed = try Trainer(config: config, splits: Self.splits, teacher: nil, directory: directory + "/b", resume: true)
        resumed.log = { _ in }
        try resumed.run()
        for (a, b) in zip(straight.system.parameters, resumed.system.parameters) {
            XCTAssertTrue(bitIdentical(a.value, b.value), a.name)
        }
        XCTAssertEqual(resumed.history.count, 2)
    }

    /// An interrupt (Ctrl-C) mid-epoch checkpoints the position; resuming ends where a straight run does.
    func testInterruptedMidEpochResumesExactly() throws {
        let config = Self.config(.teacher, snapshots: 2)
        let straight = try Trainer(config: config, splits: Self.splits, teacher: nil, directory: directory + "/a")
        straight.log = { _ in }
        try straight.run()

        let interrupted = try Trainer(config: config, splits: Self.splits, teacher: nil, directory: directory + "/b")
        interrupted.log = { _ in }
        InterruptFlag.raise()
        XCTAssertThrowsError(try interrupted.run()) { XCTAssertTrue($0 is TrainingInterrupted, "\($0)") }
        InterruptFlag.clear()
        let stored = try Checkpoint.load(interrupted.checkpointPath)
        XCTAssertEqual(stored.progress, Checkpoint.Progress(epoch: 0, step: 1))
        let resumed = try Trainer(config: config, splits: Self.splits, teacher: nil, directory: directory + "/b", resume: true)
        resumed.log = { _ in }
        try resumed.run()
        for (a, b) in zip(straight.system.parameters, resumed.system.parameters) {
            XCTAssertTrue(bitIdentical(a.value, b.value), a.name)
        }
    }

    func testStudentRefusesAlphaPlusBetaAboveOne() {
        var c = Self.config(.student)
        c.teacherCheckpoint = "t.h5"; c.alpha = 0.8; c.beta = 0.3
        XCTAssertTrue(c.problems().contains { $0.contains("exceeds 1") })
    }
}
