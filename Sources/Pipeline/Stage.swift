import Foundation
import Storage
import Training

/// A training stage of a pipeline (a teacher, student or fine-tuning of `design`, a run of
/// `experiment`) living in its own `RunFolder`, so any stage can be re-entered: a finished checkpoint
/// with the same settings is reused, an unfinished one resumed, and one written with other settings
/// retrained (`run`).
public struct Stage {
    public enum State: Equatable {
        case absent
        /// Finished with exactly these settings.
        case finished
        /// Interrupted with these settings: resume it.
        case unfinished
        /// Written with other settings: train again.
        case stale
    }

    public let name: String
    public let folder: RunFolder

    public var checkpoint: String { folder.checkpoint }

    public init(name: String, folder: RunFolder) {
        self.name = name
        self.folder = folder
    }

    /// Compares the stored checkpoint with `config` (`TrainingConfig.trainsLike`; finished means all
    /// `config.epochs` epochs are done); returns the checkpoint as loaded, unless absent (or unreadable).
    public func inspect(for config: TrainingConfig) -> (state: State, stored: Checkpoint.Loaded?) {
        guard FileManager.default.fileExists(atPath: checkpoint),
              let stored = try? Checkpoint.load(checkpoint) else { return (.absent, nil) }
        guard stored.system.config.trainsLike(config) else { return (.stale, stored) }
        return (stored.progress.epoch >= config.epochs ? .finished : .unfinished, stored)
    }

    /// Removes the stage's outputs (before retraining). Refuses, naming the PID, while another run holds
    /// the stage's folder (`DirectoryLock`), so a concurrent run never loses its files.
    public func clear() throws {
        let directory = folder.directory
        guard FileManager.default.fileExists(atPath: directory) else { return }
        let lock = try DirectoryLock(directory: directory)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != ".phasemask.lock" {
            try FileManager.default.removeItem(atPath: path(directory, name))
        }
        withExtendedLifetime(lock) {}
    }
}

/// What `Stage.run` left: the stage's system and history (trained now or loaded), and the test score of
/// a training run made now.
public struct StageOutcome {
    /// The state the stage was found in (`stale` when retraining was forced).
    public let state: Stage.State
    public let system: PhaseRetrievalSystem
    public let history: [EpochRecord]
    /// Test PSNR/SSIM measured at the end of a training run; nil for a reused stage.
    public let test: EvaluationResult?
    public var trained: Bool { test != nil }
}

extension Stage {
    /// The one stage runner of `design` and `experiment`: finished → reuse its checkpoint, unfinished →
    /// resume it, stale → clear the folder and train, absent → train (`force`: treat any existing
    /// checkpoint as stale). `announce` gives the line logged for the state found, before acting on it
    /// (nil: none); `teacher` is a student's, loaded from `config.teacherCheckpoint`. The checkpoint is
    /// read once.
    public func run(_ config: TrainingConfig, teacher: PhaseRetrievalSystem?, force: Bool = false,
                    announce: (State) -> String?, log: @escaping (String) -> Void) throws -> StageOutcome {
        var (state, stored) = inspect(for: config)
        if force && state != .absent { state = .stale }
        // Under mpirun rank 0's view decides, so that every rank takes the same branch.
        let group = ProcessGroup.current
        if group.size > 1, let decided = State(code: group.broadcast([state.code], root: 0).first ?? 0), decided != state {
            state = decided
            stored = state == .finished || state == .unfinished ? try Checkpoint.load(checkpoint) : nil
        }
        if let line = announce(state) { log(line) }
        let start: TrainingJob.Start
        switch (state, stored) {
        case (.finished, let stored?):
            return StageOutcome(state: state, system: stored.system, history: stored.history, test: nil)
        case (.unfinished, let stored?):
            start = .resume(stored)
        case (.stale, _):
            _ = try ProcessGroup.current.onRoot { try clear() }
            start = .fresh
        default:
            start = .fresh
        }
        let trained = try TrainingJob.run(config, teacher: teacher, folder: folder, start: start, log: log)
        return StageOutcome(state: state, system: trained.system, history: trained.summary.history,
                            test: trained.summary.test)
    }
}

extension Stage.State {
    /// The state as one byte, for rank 0 to tell the other ranks (`Stage.run` under mpirun).
    var code: UInt8 {
        switch self {
        case .absent: 0
        case .finished: 1
        case .unfinished: 2
        case .stale: 3
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .absent
        case 1: self = .finished
        case 2: self = .unfinished
        case 3: self = .stale
        default: return nil
        }
    }
}
