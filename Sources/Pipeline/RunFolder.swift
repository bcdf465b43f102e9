import Foundation

/// The folder of one training run (`train --out`, `finetune --out`, a stage of `design`, a run of
/// `experiment`) and the names of the files in it. Every job asks this type for a path instead of
/// joining names by hand:
///
///     <folder>/checkpoint.h5         the run's checkpoint (`Checkpoint`), rewritten after every epoch
///     <folder>/log.jsonl             one `EpochRecord` per finished epoch
///     <work>/<stage>/                a stage of `phasemask design` (teacher, student, finetune)
///     <output>/runs/seed<s>/<run>/   a run of `phasemask experiment`
///     <design stem>_recovery.h5      the recovery network exported beside a design file
public struct RunFolder: Equatable {
    public static let checkpointName = "checkpoint.h5"
    public static let logName = "log.jsonl"
    public static let recoverySuffix = "_recovery.h5"

    public let directory: String

    public init(_ directory: String) { self.directory = directory }

    /// The run's checkpoint.
    public var checkpoint: String { path(directory, Self.checkpointName) }
    /// The run's epoch log.
    public var log: String { path(directory, Self.logName) }

    /// A stage of `phasemask design` inside its work folder.
    public static func designStage(_ name: String, work: String) -> RunFolder {
        RunFolder(path(work, name))
    }

    /// The folder holding every run of one seed of `phasemask experiment`.
    public static func experimentSeed(_ seed: UInt64, output: String) -> String {
        path(path(output, "runs"), "seed\(seed)")
    }

    /// One run of `phasemask experiment`.
    public static func experimentRun(_ name: String, seed: UInt64, output: String) -> RunFolder {
        RunFolder(path(experimentSeed(seed, output: output), name))
    }

    /// `<stem>_recovery.h5` beside the design file at `designPath` (`<stem>.h5`).
    public static func recoveryFile(besideDesign designPath: String) -> String {
        let url = URL(fileURLWithPath: designPath)
        return url.deletingLastPathComponent()
            .appendingPathComponent(url.deletingPathExtension().lastPathComponent + recoverySuffix).path
    }
}

/// `directory/name`.
func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
