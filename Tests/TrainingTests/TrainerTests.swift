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
        let teacher = try PhaseRetrievalSystem(config: teacherConfig)
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
        let teacher = try PhaseRetrievalSystem(config: tc)
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

    /// Mean of (a − b)² over all elements, in Double, by plain loops.
    static func meanSquare(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
        var sum = 0.0
        for i in 0..<a.count { let d = Double(a.pointer[i]) - Double(b.pointer[i]); sum += d * d }
        return sum / Double(a.count)
    }

    /// L_task, L_cdp and L_feat of a student against a different (3-snapshot, randomly initialized)
    /// teacher, recomputed by hand from the two systems' outputs (eqs. 3, 5, 6 per element), and the
    /// total α·L_task + β·L_cdp + σ·L_feat with σ = 1 − α − β; `useCDPLoss`/`useFeatureLoss` off drop
    /// exactly their term.
    func testDistillationTermsMatchAHandComputation() throws {
        var tc = Self.config(.teacher, snapshots: 3)
        tc.seed = 7   // other initial weights than the student's (seed 0)
        let teacher = try PhaseRetrievalSystem(config: tc)
        var sc = Self.config(.student)
        sc.teacherCheckpoint = "unused"; sc.alpha = 0.5; sc.beta = 0.3
        XCTAssertEqual(sc.sigma, 0.2, accuracy: 1e-15)
        let trainer = try Trainer(config: sc, splits: Self.splits, teacher: teacher, directory: directory)
        let images = Self.splits.train.slice(0..<4)

        // By hand: the teacher's CDPs averaged over its 3 snapshots, and both bottlenecks.
        var unused = SeededGenerator(seed: 0)
        let t = try teacher.forward(images, tape: Tape(recording: false), training: false, generator: &unused)
        let y = t.measurements.value   // [4, 3, 16, 16]
        XCTAssertEqual(y.shape, [4, 3, 16, 16])
        let teacherMean = Tensor(uninitialized: [4, 16, 16])
        for q in 0..<4 {
            for i in 0..<256 {
                teacherMean.pointer[q * 256 + i] = (0..<3).map { y.pointer[(q * 3 + $0) * 256 + i] }.reduce(0, +) / 3
            }
        }
        let targets = try trainer.teacherTargets(teacher, images)
        XCTAssertLessThan(maxAbsDifference(targets.meanCDP, teacherMean), 1e-6)
        XCTAssertTrue(bitIdentical(targets.bottleneck, t.bottleneck.value))

        func terms(cdp: Bool, feat: Bool, normalization: KDNormalization = .none) throws
            -> (Objective.Terms, task: Double, cdp: Double, feat: Double) {
            var c = sc
            c.useCDPLoss = cdp; c.useFeatureLoss = feat; c.kdNormalization = normalization
            let objective = try Objective(config: c)
            let tape = Tape()
            var rng = SeededGenerator(seed: 0)
            let out = try trainer.system.forward(images, tape: tape, training: false, generator: &rng)
            let (_, terms) = objective.loss(out, images: images, masks: tape.variable(trainer.system.masks), teacher: targets)
            let student = out.measurements.value   // [4, 1, 16, 16]: the mean over one snapshot is itself
            let hand = (Self.meanSquare(out.estimate.value, images),
                        Self.meanSquare(student.reshaped([4, 16, 16]), teacherMean),
                        Self.meanSquare(out.bottleneck.value, t.bottleneck.value))
            tape.reset()
            return (terms, hand.0, hand.1, hand.2)
        }
        let (all, task, cdp, feat) = try terms(cdp: true, feat: true)
        // A different teacher: both distillation terms are far from zero (about 1.3 and 2e-3 here, against
        // 1e-12 for an identical teacher), so the relative comparisons below mean something.
        XCTAssertGreaterThan(cdp, 1e-2)
        XCTAssertGreaterThan(feat, 1e-4)
        XCTAssertEqual(all.task, task, accuracy: 1e-5 * task)
        XCTAssertEqual(all.cdp, cdp, accuracy: 1e-5 * cdp)
        XCTAssertEqual(all.feature, feat, accuracy: 1e-5 * feat)
        XCTAssertEqual(all.total, 0.5 * task + 0.3 * cdp + 0.2 * feat, accuracy: 1e-5 * all.total)

        let noCDP = try terms(cdp: false, feat: true).0
        XCTAssertEqual(noCDP.cdp, 0)
        XCTAssertEqual(noCDP.feature, all.feature)
        XCTAssertEqual(noCDP.total, 0.5 * task + 0.2 * feat, accuracy: 1e-5 * noCDP.total)
        let noFeat = try terms(cdp: true, feat: false).0
        XCTAssertEqual(noFeat.feature, 0)
        XCTAssertEqual(noFeat.cdp, all.cdp)
        XCTAssertEqual(noFeat.total, 0.5 * task + 0.3 * cdp, accuracy: 1e-5 * noFeat.total)
        let neither = try terms(cdp: false, feat: false).0
        XCTAssertEqual([neither.cdp, neither.feature], [0, 0])
        XCTAssertEqual(neither.total, 0.5 * task, accuracy: 1e-5 * neither.total)

        // Energy normalization: each KD term divided by its target's mean square, by hand.
        let zero = Tensor(zeros: teacherMean.shape)
        let cdpEnergy = Self.meanSquare(teacherMean, zero)
        let featEnergy = Self.meanSquare(t.bottleneck.value, Tensor(zeros: t.bottleneck.value.shape))
        // Parseval makes mean ȳ = 1 for pure-phase scenes, so mean ȳ² > 1 unless every CDP were flat.
        XCTAssertGreaterThan(cdpEnergy, 1)
        let relative = try terms(cdp: true, feat: true, normalization: .energy).0
        XCTAssertEqual(relative.task, all.task)
        XCTAssertEqual(relative.cdp, cdp / cdpEnergy, accuracy: 1e-5 * cdp / cdpEnergy)
        XCTAssertEqual(relative.feature, feat / featEnergy, accuracy: 1e-5 * feat / featEnergy)
        XCTAssertEqual(relative.total, 0.5 * task + 0.3 * cdp / cdpEnergy + 0.2 * feat / featEnergy,
                       accuracy: 1e-5 * relative.total)
    }

    func testCheckpointRoundTripIsBitExact() throws {
        let trainer = try Trainer(config: Self.config(.e2e), splits: Self.splits, teacher: nil, directory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try lossTrajectory(trainer, steps: 2)
        try trainer.save()
        let loaded = try Checkpoint.load(trainer.checkpointPath)
        XCTAssertEqual(loaded.system.config, trainer.config)
        XCTAssertEqual(loaded.system.parameters.map(\.name), trainer.system.parameters.map(\.name))
        for (a, b) in zip(trainer.system.parameters, loaded.system.parameters) {
            XCTAssertTrue(bitIdentical(a.value, b.value), a.name)
        }
        XCTAssertEqual(loaded.system.unet.buffers.map(\.name), trainer.system.unet.buffers.map(\.name))
        for (a, b) in zip(trainer.system.unet.buffers, loaded.system.unet.buffers) {
            XCTAssertTrue(bitIdentical(a.tensor, b.tensor), a.name)
        }
        // Two steps: every trained parameter has taken both (φ, ψ and θ all train in e2e mode).
        let state = try XCTUnwrap(loaded.optimizerState)
        XCTAssertEqual(state.steps, [Int](repeating: 2, count: trainer.system.parameters.count))
        // A trainer resumed from a copy of the checkpoint saves the same state again (load → save is exact).
        let copy = directory + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: trainer.checkpointPath, toPath: copy + "/checkpoint.h5")
        let again = try Trainer(config: Self.config(.e2e), splits: Self.splits, teacher: nil, directory: copy, resume: true)
        try FileManager.default.removeItem(atPath: copy + "/checkpoint.h5")
        try again.save()
        try assertSameTrainingState(trainer.checkpointPath, again.checkpointPath)
    }

    /// Trains `config` for 2 epochs straight, and for 1 epoch then resumed for a second, with `threads`
    /// compute threads; the two checkpoints must hold the same parameters, batch-norm statistics and Adam
    /// state, bit for bit.
    func checkResume(_ config: TrainingConfig, teacher: PhaseRetrievalSystem?, threads: Int, _ label: String) throws {
        let previous = Parallel.threads
        Threading.configure(threads: threads)
        defer { Threading.configure(threads: previous) }
        let straight = try Trainer(config: config, splits: Self.splits, teacher: teacher, directory: directory + "/\(label)-a")
        straight.log = { _ in }
        try straight.run()

        var first = config
        first.epochs = 1
        let partial = try Trainer(config: first, splits: Self.splits, teacher: teacher, directory: directory + "/\(label)-b")
        partial.log = { _ in }
        try partial.run()
        let resumed = try Trainer(config: config, splits: Self.splits, teacher: teacher, directory: directory + "/\(label)-b",
                                  resume: true)
        resumed.log = { _ in }
        try resumed.run()
        XCTAssertEqual(resumed.history.count, 2, label)
        try assertSameTrainingState(straight.checkpointPath, resumed.checkpointPath)
    }

    /// Training 2 epochs straight equals training 1 epoch, then resuming for a second one: e2e on one thread.
    func testResumedRunMatchesUninterruptedRun() throws {
        try checkResume(Self.config(.e2e), teacher: nil, threads: 1, "e2e")
    }

    /// The same for a warm-started student (both distillation terms on) on two threads, where the
    /// threaded reductions split the work.
    func testResumedStudentOnTwoThreadsMatchesUninterruptedRun() throws {
        let teacher = try PhaseRetrievalSystem(config: Self.config(.teacher, snapshots: 3))
        var c = Self.config(.student)
        c.teacherCheckpoint = "unused"; c.alpha = 0.6; c.beta = 0.2; c.initFromTeacher = true
        try checkResume(c, teacher: teacher, threads: 2, "student")
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
        try assertSameTrainingState(straight.checkpointPath, resumed.checkpointPath)
    }

    /// The decay schedule reaches the optimizer: 2 epochs of 4 steps, the last half annealed, so the
    /// last step runs at η₀·(8 − 7)/4; and a run interrupted after its first step and resumed ends on
    /// the same bits (the step is the schedule's only state).
    func testDecayScheduleDrivesTheOptimizerAndResumes() throws {
        var c = Self.config(.e2e)
        c.schedule = .decay; c.decayFraction = 0.5
        let straight = try Trainer(config: c, splits: Self.splits, teacher: nil, directory: directory + "/a")
        straight.log = { _ in }
        try straight.run()
        XCTAssertEqual(straight.optimizer.learningRate, Float(c.learningRate / 4), accuracy: 1e-9)

        let interrupted = try Trainer(config: c, splits: Self.splits, teacher: nil, directory: directory + "/b")
        interrupted.log = { _ in }
        InterruptFlag.raise()
        XCTAssertThrowsError(try interrupted.run()) { XCTAssertTrue($0 is TrainingInterrupted, "\($0)") }
        InterruptFlag.clear()
        let resumed = try Trainer(config: c, splits: Self.splits, teacher: nil, directory: directory + "/b", resume: true)
        resumed.log = { _ in }
        try resumed.run()
        try assertSameTrainingState(straight.checkpointPath, resumed.checkpointPath)
    }

    func testDecayFractionOutsideItsRangeIsRefused() {
        for bad in [0.0, -0.1, 1.5, .nan] {
            var c = Self.config(.e2e)
            c.decayFraction = bad
            XCTAssertTrue(c.settingsProblems().contains { $0.contains("decay fraction") }, "\(bad)")
        }
    }

    func testStudentRefusesAlphaPlusBetaAboveOne() {
        var c = Self.config(.student)
        c.teacherCheckpoint = "t.h5"; c.alpha = 0.8; c.beta = 0.3
        XCTAssertTrue(c.settingsProblems().contains { $0.contains("exceeds 1") })
    }
}
