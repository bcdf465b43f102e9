import Foundation
import Storage
import Training

/// A training stage of a pipeline (teacher, student, fine-tuning) living in its own directory, so any
/// stage can be re-entered: a finished checkpoint with the same settings is reused, an unfinished one
/// resumed, and one written with other settings retrained.
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
    public let directory: String
    public var checkpoint: String { (directory as NSString).appendingPathComponent("checkpoint.h5") }

    public init(name: String, directory: String) {
        self.name = name
        self.directory = directory
    }

    /// Compares the stored checkpoint with `config` (`TrainingConfig.trainsLike`; finished means all
    /// `config.epochs` epochs are done).
    public func state(for config: TrainingConfig) -> State {
        guard FileManager.default.fileExists(atPath: checkpoint),
              let stored = try? Checkpoint.load(checkpoint) else { return .absent }
        guard stored.system.config.trainsLike(config) else { return .stale }
        return stored.progress.epoch >= config.epochs ? .finished : .unfinished
    }

    /// Removes the stage's outputs (before retraining). Refuses, naming the PID, while another run holds
    /// the stage's folder (`DirectoryLock`), so a concurrent run never loses its files.
    public func clear() throws {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        let lock = try DirectoryLock(directory: directory)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != ".phasemask.lock" {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        withExtendedLifetime(lock) {}
    }
}
