import Foundation
import Optics
import Storage
import TensorCore
import Training

/// The library side of `phasemask train` and `evaluate` (each CLI command calls one of these after
/// parsing), and the training run behind every stage of `design` and `experiment` (`Stage.run`).
public enum TrainingJob {
    /// Outcome of a training run.
    public struct Summary: Codable {
        public var mode: TrainingMode
        public var checkpoint: String
        public var test: EvaluationResult
        public var trainingSeconds: Double
        public var history: [EpochRecord]
    }

    /// A finished training run: its summary and the trained system, as checkpointed.
    struct Trained {
        let summary: Summary
        let system: PhaseRetrievalSystem
    }

    /// How a run starts in its folder.
    enum Start {
        /// From the first epoch; an existing checkpoint is refused.
        case fresh
        /// `--resume`: continues the folder's checkpoint, or starts from the first epoch without one.
        case resumeIfPresent
        /// Continues the folder's checkpoint, already loaded by the caller.
        case resume(Checkpoint.Loaded)
    }

    /// Trains `config` into `directory` (`RunFolder`: `checkpoint.h5`, `log.jsonl`), then evaluates on
    /// the test split. A student's teacher is loaded from `config.teacherCheckpoint`.
    public static func train(_ config: TrainingConfig, directory: String, resume: Bool,
                             log: @escaping (String) -> Void) throws -> Summary {
        try checkJob(config)
        let teacher = config.mode == .student ? try config.teacherCheckpoint.map { try Checkpoint.load($0).system } : nil
        return try run(config, teacher: teacher, folder: RunFolder(directory), start: resume ? .resumeIfPresent : .fresh,
                       log: log).summary
    }

    /// Trains `config` into `folder` with `teacher` (a student's, already loaded from
    /// `config.teacherCheckpoint`), then evaluates on the test split.
    static func run(_ config: TrainingConfig, teacher: PhaseRetrievalSystem?, folder: RunFolder, start: Start,
                    log: @escaping (String) -> Void) throws -> Trained {
        try checkJob(config)
        if let teacher, let first = config.wiringProblems(teacher: teacher.config).first {
            throw TrainingError.checkpoint(path: config.teacherCheckpoint ?? "", problem: first)
        }
        // The output folder first: a second run, a read-only or full disk are reported before any work.
        // Under mpirun rank 0 alone takes it (and writes there); every rank learns whether it could.
        let group = ProcessGroup.current
        let lock = try group.onRoot {
            try DirectoryLock(directory: folder.directory, reserving: Checkpoint.estimatedBytes(try PhaseRetrievalSystem(config: config)))
        }
        do {
            return try run(config, teacher: teacher, folder: folder, start: start, lock: lock, log: log)
        } catch {
            lock?.removeFolderIfUnused()
            throw error
        }
    }

    /// The settings and wiring of a training job (`TrainingConfig.settingsProblems`, `wiringProblems`).
    static func checkJob(_ config: TrainingConfig) throws {
        try config.checkSettings()
        if let first = config.wiringProblems().first { throw TrainingError.invalidConfiguration(first) }
    }

    /// Every rank of `ProcessGroup.current` runs this (data-parallel training, `Trainer`); rank 0 holds
    /// `lock` and decides, from the folder it owns, whether a checkpoint is there to resume.
    private static func run(_ config: TrainingConfig, teacher: PhaseRetrievalSystem?, folder: RunFolder, start: Start,
                            lock: DirectoryLock?, log: @escaping (String) -> Void) throws -> Trained {
        let group = ProcessGroup.current
        let found = try group.onRoot { () throws -> Bool in
            let exists = FileManager.default.fileExists(atPath: folder.checkpoint)
            switch start {
            case .fresh where exists:
                throw TrainingError.output(path: folder.checkpoint, problem: "already exists; pass --resume to continue it or choose another --out")
            case .resumeIfPresent where !exists:
                log("no checkpoint in \(folder.directory) yet: starting from the first epoch")
            default: break
            }
            return exists
        }
        let exists = group.rootDecides(found == true)
        log("loading \(config.dataDescription) (\(config.trainSize)/\(config.validationSize)/\(config.testSize) images at \(config.size)×\(config.size))")
        let splits = try SceneSplits.load(config)
        splits.notes.forEach { log("note: \($0)") }
        let stored: Checkpoint.Loaded?
        switch start {
        case .fresh: stored = nil
        case .resumeIfPresent: stored = exists ? try Checkpoint.load(folder.checkpoint) : nil
        case .resume(let loaded): stored = loaded
        }
        let trainer = try Trainer(config: config, splits: splits, teacher: teacher, checkpoint: folder.checkpoint,
                                  logFile: folder.log, resumingFrom: stored, lock: lock)
        trainer.log = log
        InterruptFlag.install()
        try trainer.run()
        let seconds = trainer.history.reduce(0) { $0 + $1.seconds }
        let test = try Evaluation.evaluate(trainer.system, images: splits.test, batchSize: config.batchSize)
        let summary = Summary(mode: config.mode, checkpoint: trainer.checkpointPath, test: test,
                              trainingSeconds: seconds, history: trainer.history)
        return Trained(summary: summary, system: trainer.system)
    }

    /// Test-set PSNR/SSIM of a checkpoint (optionally on another test subset size, or on the test split
    /// of other scene sources: `data` replaces the checkpoint's sources, so a model can be scored on a
    /// distribution it was not trained on), optionally under measurement noise and background-phase
    /// offsets (±`backgroundOffset` rad, 0: none) drawn from `seed`, always with the checkpoint's scene
    /// model. `log` receives notes about the scenes read.
    public static func evaluate(checkpoint: String, testSize: Int?, data: [DataSource]? = nil,
                                noise: NoiseModel = .none, seed: UInt64 = 0, backgroundOffset: Double = 0,
                                refinement: Int = 0, log: (String) -> Void = { _ in }) throws -> EvaluationResult {
        let system = try Checkpoint.load(checkpoint).system
        if refinement > 0, !system.config.sceneModel.isPurePhase {
            throw TrainingError.checkpoint(path: checkpoint, problem: "has the scene model \(system.config.sceneModel); --refine assumes pure-phase scenes")
        }
        let test = try testScenes(of: system, checkpoint: checkpoint, testSize: testSize, data: data, log: log)
        return try Evaluation.evaluate(system, images: test, batchSize: system.config.batchSize, noise: noise, seed: seed,
                                       backgroundOffset: backgroundOffset, refinement: refinement)
    }

    /// The test scenes `system` (loaded from `checkpoint`) is scored on: its configuration's test split,
    /// `testSize` of them when given, of the sources `data` instead of its own when given.
    static func testScenes(of system: PhaseRetrievalSystem, checkpoint: String, testSize: Int?, data: [DataSource]?,
                           log: (String) -> Void) throws -> Tensor {
        var config = system.config
        if let testSize { config.testSize = testSize }
        if let data, !data.isEmpty { config.setDataSources(data) }
        if let source = config.effectiveDataSources.first(where: \.hasAmplitude),
           let problem = SceneChannels.problem(source: source.description, model: config.sceneModel) {
            throw TrainingError.checkpoint(path: checkpoint, problem: "was trained on scenes with \(config.sceneModel): \(problem); "
                                           + "score it on scenes without one, or train with --amplitude-range A0:A1 (A0 ≠ A1)")
        }
        return try SceneSplits.testScenes(config, log: log)
    }
}
