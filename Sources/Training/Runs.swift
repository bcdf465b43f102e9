import Autodiff
import Foundation
import Optics
import Storage
import TensorCore

/// The library side of `phasemask train`, `evaluate` and `reconstruct`: each CLI command calls one of
/// these after parsing.
public enum Runs {
    /// Outcome of a training run.
    public struct Summary: Codable {
        public var mode: TrainingMode
        public var checkpoint: String
        public var test: EvaluationResult
        public var trainingSeconds: Double
        public var history: [EpochRecord]
    }

    /// Trains `config` into `directory` (`checkpoint.h5`, `log.jsonl`), then evaluates on the test split.
    public static func train(_ config: TrainingConfig, directory: String, resume: Bool,
                             log: @escaping (String) -> Void) throws -> Summary {
        try config.checkSettings()
        if let first = config.wiringProblems().first { throw TrainingError.invalidConfiguration(first) }
        var teacher: PRSystem?
        if config.mode == .student, let path = config.teacherCheckpoint {
            let loaded = try Checkpoint.load(path).system
            if let first = config.wiringProblems(teacher: loaded.config).first {
                throw TrainingError.checkpoint(path: path, problem: first)
            }
            teacher = loaded
        }
        // The output folder first: a second run, a read-only or full disk are reported before any work.
        let lock = try DirectoryLock(directory: directory, reserving: Checkpoint.estimatedBytes(try PRSystem(config: config)))
        do {
            return try train(config, teacher: teacher, directory: directory, resume: resume, lock: lock, log: log)
        } catch {
            lock.removeFolderIfUnused()
            throw error
        }
    }

    private static func train(_ config: TrainingConfig, teacher: PRSystem?, directory: String, resume: Bool,
                              lock: DirectoryLock, log: @escaping (String) -> Void) throws -> Summary {
        let checkpoint = (directory as NSString).appendingPathComponent("checkpoint.h5")
        let exists = FileManager.default.fileExists(atPath: checkpoint)
        if !resume && exists {
            throw TrainingError.output(path: checkpoint, problem: "already exists; pass --resume to continue it or choose another --out")
        }
        if resume && !exists { log("no checkpoint in \(directory) yet: starting from the first epoch") }
        log("loading \(config.dataDescription) (\(config.trainSize)/\(config.validationSize)/\(config.testSize) images at \(config.size)×\(config.size))")
        let splits = try SceneSplits.load(config)
        splits.notes.forEach { log("note: \($0)") }
        let trainer = try Trainer(config: config, splits: splits, teacher: teacher, directory: directory,
                                  resume: resume && exists, lock: lock)
        trainer.log = log
        InterruptFlag.install()
        try trainer.run()
        let seconds = trainer.history.reduce(0) { $0 + $1.seconds }
        let test = try Evaluation.evaluate(trainer.system, images: splits.test, batchSize: config.batchSize)
        return Summary(mode: config.mode, checkpoint: trainer.checkpointPath, test: test,
                       trainingSeconds: seconds, history: trainer.history)
    }

    /// Test-set PSNR/SSIM of a checkpoint (optionally on another test subset size, or on the test split
    /// of other scene sources: `data` replaces the checkpoint's sources, so a model can be scored on a
    /// distribution it was not trained on), optionally under measurement noise and background-phase
    /// offsets (±`backgroundOffset` rad, 0: none) drawn from `seed`, always with the checkpoint's scene
    /// model. `log` receives notes about the scenes read.
    public static func evaluate(checkpoint: String, testSize: Int?, data: [DataSource]? = nil,
                                noise: NoiseModel = .none, seed: UInt64 = 0, backgroundOffset: Double = 0,
                                log: (String) -> Void = { _ in }) throws -> EvaluationResult {
        let system = try Checkpoint.load(checkpoint).system
        var config = system.config
        if let testSize { config.testSize = testSize }
        if let data, !data.isEmpty { config.setDataSources(data) }
        if let source = config.effectiveDataSources.first(where: \.hasAmplitude),
           let problem = SceneChannels.problem(source: source.description, model: config.sceneModel) {
            throw TrainingError.checkpoint(path: checkpoint, problem: "was trained on scenes with \(config.sceneModel): \(problem); "
                                           + "score it on scenes without one, or train with --amplitude-range A0:A1 (A0 ≠ A1)")
        }
        let test = try SceneSplits.testScenes(config, log: log)
        return try Evaluation.evaluate(system, images: test, batchSize: config.batchSize, noise: noise, seed: seed,
                                       backgroundOffset: backgroundOffset)
    }
}
