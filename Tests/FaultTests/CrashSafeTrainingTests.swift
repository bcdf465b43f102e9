import Foundation
import Storage
import TensorCore
import Training
import XCTest

/// `phasemask train` killed with SIGKILL at named points (`PHASEMASK_TEST_STOP_AT`, see `TestStopPoint`) —
/// between steps, inside a checkpoint write, between a checkpoint and its log line — and resumed with
/// `--resume` until it finishes must end with exactly the parameters, Adam moments and batch-norm
/// statistics of an uninterrupted run with the same seed, and a kill may only lose the epoch in progress.
/// Also: a second run on the same folder is refused, an unusable or full output folder is reported before
/// training, and a failing checkpoint write keeps the last good checkpoint.
final class CrashSafeTrainingTests: XCTestCase {
    /// One kill of the schedule below and what the folder must hold afterwards.
    struct Kill {
        /// `PHASEMASK_TEST_STOP_AT` for this attempt (counts restart with every process).
        let stopAt: String
        /// Finished epochs in checkpoint.h5 after the kill (0: no checkpoint file yet).
        let checkpointEpoch: Int
        /// True when the kill lands inside a checkpoint write, so its temporary file is left behind.
        let leavesTemporary: Bool
        /// Lines of log.jsonl after the kill.
        let logLines: Int
    }

    /// A 4-epoch run of 4 steps per epoch (`TinyTraining`), killed 6 times. Each resumed process starts from
    /// the checkpoint the previous one left, so its counts are relative to that epoch.
    static let schedule: [Kill] = [
        Kill(stopAt: "train-step:2", checkpointEpoch: 0, leavesTemporary: false, logLines: 0),        // epoch 1, step 2
        Kill(stopAt: "checkpoint-write:1", checkpointEpoch: 0, leavesTemporary: true, logLines: 0),   // writing epoch 1
        Kill(stopAt: "epoch-saved:1", checkpointEpoch: 1, leavesTemporary: false, logLines: 0),       // epoch 1 saved, not logged
        Kill(stopAt: "checkpoint-write:2", checkpointEpoch: 2, leavesTemporary: true, logLines: 2),   // writing epoch 3
        Kill(stopAt: "train-step:6", checkpointEpoch: 3, leavesTemporary: false, logLines: 3),        // epoch 4, step 2
        Kill(stopAt: "epoch-saved:1", checkpointEpoch: 4, leavesTemporary: false, logLines: 3),       // epoch 4 saved, not logged
    ]

    func testKilledAndResumedRunEndsBitIdenticalToAnUninterruptedOne() throws {
        let root = try Fault.temporaryDirectory(self, "kill")
        let reference = root + "/reference", killed = root + "/killed"
        let epochs = 4
        let run = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: epochs, out: reference))
        XCTAssertEqual(run.status, 0, run.err)
        let expected = try TinyTraining.state(TinyTraining.checkpoint(reference))

        for (attempt, kill) in Self.schedule.enumerated() {
            let child = try PhaseMaskProcess(TinyTraining.arguments(epochs: epochs, out: killed) + ["--resume"],
                                             environment: [TestStopPoint.environmentVariable: kill.stopAt])
            let status = child.wait(timeout: 300)
            let label = "attempt \(attempt) (\(kill.stopAt))"
            XCTAssertEqual(child.endedBySignal, SIGKILL, "\(label): the run was not stopped there (status \(status)): \(child.errorOutput)")
            XCTAssertEqual(!TinyTraining.temporaries(killed).isEmpty, kill.leavesTemporary, "\(label): temporary files")
            // Only the epoch in progress may be lost: every epoch the run reported is in the checkpoint,
            // and the checkpoint is a complete one, never the temporary file.
            let path = TinyTraining.checkpoint(killed)
            let progress = FileManager.default.fileExists(atPath: path) ? try Checkpoint.load(path).progress : Checkpoint.Progress()
            XCTAssertEqual(progress, Checkpoint.Progress(epoch: kill.checkpointEpoch, step: 0), label)
            XCTAssertLessThanOrEqual(TinyTraining.lastReportedEpoch(child.output), progress.epoch, "\(label): a reported epoch was lost")
            XCTAssertEqual(TinyTraining.logLines(killed), kill.logLines, "\(label): log.jsonl")
        }
        // The last resume has no epoch left to train; it only brings log.jsonl level with the checkpoint.
        let last = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: epochs, out: killed) + ["--resume"])
        XCTAssertEqual(last.status, 0, last.err)
        XCTAssertEqual(TinyTraining.temporaries(killed), [], "a temporary checkpoint survived the finished run")
        let actual = try TinyTraining.state(TinyTraining.checkpoint(killed))
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted())
        for (name, bits) in expected { XCTAssertTrue(actual[name] == bits, "\(name) differs from the uninterrupted run") }
        // log.jsonl holds the reference's records; only the timings (seconds, images/s, peak bytes) may differ.
        let log = try TinyTraining.logRecords(killed), referenceLog = try TinyTraining.logRecords(reference)
        XCTAssertEqual(log.count, epochs)
        XCTAssertEqual(log.map(\.epoch), referenceLog.map(\.epoch))
        XCTAssertEqual(log.map(\.loss), referenceLog.map(\.loss))
        XCTAssertEqual(log.map(\.validationPSNR), referenceLog.map(\.validationPSNR))
        XCTAssertEqual(log.map(\.validationSSIM), referenceLog.map(\.validationSSIM))
    }

    /// A bad `PHASEMASK_TEST_STOP_AT` is refused before anything runs, so a misspelt point cannot pass
    /// for a run that was never stopped.
    func testMalformedStopPointIsRefused() throws {
        let out = try Fault.temporaryDirectory(self, "stop-at") + "/run"
        let points = "train-step, checkpoint-write, epoch-saved, export-file"
        let cases = [("train-stp:1", "'train-stp:1' is not <point>:<n> with a point among \(points)"),
                     ("train-step", "'train-step' is not <point>:<n> with a point among \(points)"),
                     ("train-step:0", "'train-step:0': the count must be a whole number ≥ 1"),
                     ("train-step:x", "'train-step:x': the count must be a whole number ≥ 1")]
        for (value, problem) in cases {
            let run = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 1, out: out),
                                               environment: [TestStopPoint.environmentVariable: value])
            XCTAssertEqual(run.status, 64, value)
            XCTAssertEqual(run.err, "Error: PHASEMASK_TEST_STOP_AT=\(problem)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), value)
        }
    }

    func testSecondRunOnTheSameFolderIsRefusedWhileTheFirstLives() throws {
        let out = try Fault.temporaryDirectory(self, "lock") + "/run"
        let first = try PhaseMaskProcess(TinyTraining.arguments(epochs: 50, out: out))
        let lockFile = DirectoryLock.lockPath(out)
        XCTAssertTrue(TinyTraining.waitFor(timeout: 30) {
            ((try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? "").hasPrefix("PID \(first.pid),")
        }, "the first run never took the lock: \(first.errorOutput)")
        let second = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 50, out: out) + ["--resume"])
        XCTAssertEqual(second.status, 1)
        XCTAssertEqual(second.err.split(separator: "\n").count, 1, second.err)
        XCTAssertTrue(second.err.contains(out) && second.err.contains("PID \(first.pid)") && second.err.contains("in use"), second.err)
        XCTAssertFalse(second.out.contains("loading"), "the second run started working: \(second.out)")
        // A killed holder does not block the folder: the kernel drops its lock.
        kill(first.pid, SIGKILL)
        first.wait()
        let third = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 1, out: out) + ["--resume"])
        XCTAssertEqual(third.status, 0, third.err)
    }

    func testUnusableOutputFolderIsReportedBeforeTraining() throws {
        let root = try Fault.temporaryDirectory(self, "out")
        FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8))
        let notFolder = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 1, out: root + "/file/run"))
        XCTAssertEqual(notFolder.status, 1)
        XCTAssertEqual(notFolder.err.split(separator: "\n").count, 1, notFolder.err)
        XCTAssertTrue(notFolder.err.contains(root + "/file/run") && notFolder.err.contains("Not a directory"), notFolder.err)
        XCTAssertFalse(notFolder.out.contains("loading"), notFolder.out)

        // A 32 KiB file-size limit (as a full disk would): refused before any data is loaded.
        let full = root + "/full"
        let limited = try PhaseMaskProcess(TinyTraining.arguments(epochs: 1, out: full), launcher: Self.fileSizeLimit(kib: 32))
        XCTAssertEqual(limited.wait(), 1)
        XCTAssertTrue(limited.errorOutput.contains(full) && limited.errorOutput.contains("no room"), limited.errorOutput)
        XCTAssertFalse(limited.output.contains("loading"), limited.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: full), "the refused run left its folder behind")
    }

    func testFailingCheckpointWriteKeepsTheLastGoodCheckpoint() throws {
        let out = try Fault.temporaryDirectory(self, "efbig") + "/run"
        let child = try PhaseMaskProcess(TinyTraining.arguments(epochs: 6, out: out), launcher: Self.fileSizeLimit(kib: nil))
        XCTAssertTrue(TinyTraining.waitFor(timeout: 60) { TinyTraining.lastReportedEpoch(child.output) >= 1 },
                      "no epoch finished: \(child.errorOutput)")
        // From now on every file write beyond 4 KiB fails with EFBIG, as on a full disk.
        kill(child.pid, SIGSTOP)
        try Self.limitFileSize(pid: child.pid, bytes: 4096)
        let good = try Checkpoint.load(TinyTraining.checkpoint(out)).progress.epoch
        kill(child.pid, SIGCONT)
        XCTAssertEqual(child.wait(), 1, "the run should fail at its next checkpoint: \(child.output)")
        // Standard error also carries the progress lines; the failure is one "Error:" line naming the checkpoint.
        let errors = child.errorOutput.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        XCTAssertEqual(errors.count, 1, child.errorOutput)
        XCTAssertTrue(errors.first?.contains(TinyTraining.checkpoint(out)) == true, child.errorOutput)
        XCTAssertTrue(errors.first?.contains("File too large") == true, child.errorOutput)
        let kept = try Checkpoint.load(TinyTraining.checkpoint(out)).progress.epoch
        XCTAssertGreaterThanOrEqual(kept, good)
        XCTAssertEqual(kept, TinyTraining.lastReportedEpoch(child.output), "the checkpoint should be the last reported epoch")
        XCTAssertEqual(TinyTraining.temporaries(out), [], "the failed write left its temporary file")
    }

    /// Lowers a running process's file-size limit with util-linux `prlimit` (prlimit(2) is not visible
    /// from Swift's Glibc module).
    static func limitFileSize(pid: Int32, bytes: Int) throws {
        let tool = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { throw XCTSkip("util-linux prlimit is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["--pid", "\(pid)", "--fsize=\(bytes):\(bytes)"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "prlimit failed")
    }

    /// A shell that ignores SIGXFSZ (so writes beyond the limit fail with EFBIG instead of killing the
    /// process) and, with `kib`, limits file sizes, then runs phasemask.
    static func fileSizeLimit(kib: Int?) -> [String] {
        let limit = kib.map { "ulimit -f \($0 * 2); " } ?? ""   // dash counts 512-byte blocks
        return ["/bin/sh", "-c", "trap '' XFSZ; \(limit)exec \"$0\" \"$@\""]
    }
}
