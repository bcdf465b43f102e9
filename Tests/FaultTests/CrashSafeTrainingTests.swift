import Foundation
import Storage
import TensorCore
import Training
import XCTest

/// `phasemask train` killed with SIGKILL at seeded random moments — one of them while a checkpoint is
/// being written — and resumed with `--resume` until it finishes must end with exactly the parameters
/// (and optimizer state) of an uninterrupted run with the same seed, and a kill may only lose the
/// epoch in progress. Also: a second run on the same folder is refused, an unusable or full output
/// folder is reported before training, and a failing checkpoint write keeps the last good checkpoint.
final class CrashSafeTrainingTests: XCTestCase {
    func testKilledAndResumedRunEndsBitIdenticalToAnUninterruptedOne() throws {
        let root = try Fault.temporaryDirectory(self, "kill")
        let reference = root + "/reference", killed = root + "/killed"
        let epochs = 4
        let run = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: epochs, out: reference))
        XCTAssertEqual(run.status, 0, run.err)
        let expected = try TinyTraining.state(TinyTraining.checkpoint(reference))

        var generator = SeededGenerator(seed: 20_240_611)
        var kills = 0, killedDuringWrite = false, finished = false
        for attempt in 0..<14 where !finished {
            let child = try PhaseMaskProcess(TinyTraining.arguments(epochs: epochs, out: killed) + ["--resume"])
            if attempt == 1 || (attempt < 6 && !killedDuringWrite) {
                // Kill the moment a checkpoint's temporary file appears: inside Checkpoint.save.
                TinyTraining.waitFor(timeout: 30) { !TinyTraining.temporaries(killed).isEmpty || !child.process.isRunning }
            } else if attempt < 10 {
                let delay = Double.random(in: 0.05...1.4, using: &generator)
                TinyTraining.waitFor(timeout: delay, interval: 1000) { !child.process.isRunning }
            } else {
                // Enough kills: let the run finish, however slow the machine is.
                TinyTraining.waitFor(timeout: 600) { !child.process.isRunning }
            }
            if child.process.isRunning { kill(child.pid, SIGKILL) }
            let status = child.wait()
            if child.process.terminationReason == .exit {
                XCTAssertEqual(status, 0, "attempt \(attempt) failed: \(child.errorOutput)")
                finished = true
                break
            }
            kills += 1
            if !TinyTraining.temporaries(killed).isEmpty { killedDuringWrite = true }
            // Only the epoch in progress may be lost: every epoch the run reported is in the checkpoint,
            // and the checkpoint is a complete one, never the temporary file.
            let reported = TinyTraining.lastReportedEpoch(child.output)
            let path = TinyTraining.checkpoint(killed)
            if FileManager.default.fileExists(atPath: path) {
                let progress = try Checkpoint.load(path).progress
                XCTAssertGreaterThanOrEqual(progress.epoch, reported, "attempt \(attempt): a finished epoch was lost")
                XCTAssertEqual(progress.step, 0)
            } else {
                XCTAssertEqual(reported, 0, "attempt \(attempt): epochs were reported but no checkpoint exists")
            }
        }
        XCTAssertTrue(finished, "the run never finished")
        XCTAssertGreaterThanOrEqual(kills, 3, "too few kills to test anything")
        XCTAssertTrue(killedDuringWrite, "no kill landed inside a checkpoint write")
        XCTAssertEqual(TinyTraining.temporaries(killed), [], "a temporary checkpoint survived the finished run")
        let actual = try TinyTraining.state(TinyTraining.checkpoint(killed))
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted())
        for (name, bits) in expected { XCTAssertTrue(actual[name] == bits, "\(name) differs from the uninterrupted run") }
        let log = try String(contentsOfFile: killed + "/log.jsonl", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, epochs, "log.jsonl should hold one line per epoch:\n\(log)")
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
