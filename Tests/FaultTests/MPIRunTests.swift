import Foundation
import Storage
import TestSupport
import Training
import XCTest

/// `phasemask` under `mpirun --oversubscribe -np 2` (Open MPI from `make setup`; the CI runs as root,
/// so the two `OMPI_ALLOW_RUN_AS_ROOT*` variables are set for mpirun): a data-parallel run matches one
/// process, SIGTERM on mpirun stops both ranks at one step with one checkpoint, `--resume` under mpirun
/// continues to the bits of an uninterrupted run, a rank that dies leaves the last checkpoint and ends
/// the job with a non-zero status. (`experiment` spread over the ranks: ExperimentEndToEndTests.)
final class MPIRunTests: XCTestCase {
    static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]

    /// mpirun from PATH (openmpi-bin).
    static func mpirun() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/mpirun") {
            return "\(directory)/mpirun"
        }
        throw XCTSkip("mpirun is not installed (make setup installs openmpi-bin)")
    }

    static func launcher(ranks: Int) throws -> [String] { [try mpirun(), "--oversubscribe", "-np", "\(ranks)"] }

    /// Interrupted, resumed, and compared: SIGTERM on mpirun (which passes it on to both ranks) stops
    /// the run at one step of one epoch with one checkpoint and one message; `--resume` under mpirun
    /// finishes that epoch with exactly the bits of an uninterrupted 2-rank run; and after 8 steps the
    /// 2-rank parameters and batch-norm statistics are one process's up to reduction order (≤ 1e-4).
    func testTwoRanksStopResumeAndMatchOneProcess() throws {
        let root = try Fault.temporaryDirectory(self, "mpi")
        let stopped = root + "/stopped", reference = root + "/reference", single = root + "/single"
        let long = try PhaseMaskProcess(TinyTraining.arguments(epochs: 100, out: stopped), environment: Self.environment,
                                        launcher: try Self.launcher(ranks: 2))
        XCTAssertTrue(TinyTraining.waitFor(timeout: 120) { TinyTraining.lastReportedEpoch(long.output) >= 1 || !long.process.isRunning },
                      "no epoch finished: \(long.output) \(long.errorOutput)")
        kill(long.pid, SIGTERM)
        let status = long.wait(timeout: 120)
        XCTAssertNotEqual(status, 0, long.output + long.errorOutput)
        let interrupted = long.errorOutput.split(separator: "\n").filter { $0.hasPrefix("Error: interrupted at epoch ") }
        XCTAssertEqual(interrupted.count, 1, "one rank reports the interrupt: \(long.errorOutput)")
        XCTAssertTrue(long.errorOutput.split(separator: "\n").allSatisfy { !$0.hasPrefix("Error (rank") }, long.errorOutput)
        let progress = try Checkpoint.load(TinyTraining.checkpoint(stopped)).progress
        XCTAssertEqual(interrupted.first.map(String.init),
                       "Error: interrupted at epoch \(progress.epoch + 1), step \(progress.step); checkpoint written to "
                       + "\(TinyTraining.checkpoint(stopped)) (rerun with --resume)")
        XCTAssertGreaterThan(progress.step, 0, "the checkpoint records the step the ranks stopped at")
        XCTAssertEqual(TinyTraining.temporaries(stopped), [])

        let epochs = progress.epoch + 1
        let resumed = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: epochs, out: stopped) + ["--resume"],
                                               environment: Self.environment, launcher: try Self.launcher(ranks: 2))
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let straight = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: epochs, out: reference),
                                                environment: Self.environment, launcher: try Self.launcher(ranks: 2))
        XCTAssertEqual(straight.status, 0, straight.out + straight.err)
        XCTAssertEqual(straight.out.split(separator: "\n").filter { $0.hasPrefix("test (16 images)") }.count, 1,
                       "rank 0 alone reports: \(straight.out)")
        let expected = try TinyTraining.state(TinyTraining.checkpoint(reference))
        let actual = try TinyTraining.state(TinyTraining.checkpoint(stopped))
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted())
        for (name, bits) in expected { XCTAssertTrue(actual[name] == bits, "\(name): the resumed run differs from the uninterrupted one") }
        XCTAssertEqual(TinyTraining.logLines(reference), epochs)

        // Against one process after 2 epochs of 4 steps, as many steps as the tiny preset trains. (The
        // difference grows with the steps: the biases in front of batch norm random-walk, docs/scaling.md.)
        let pair = root + "/pair"
        let two = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 2, out: pair), environment: Self.environment,
                                           launcher: try Self.launcher(ranks: 2))
        XCTAssertEqual(two.status, 0, two.out + two.err)
        let one = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 2, out: single))
        XCTAssertEqual(one.status, 0, one.err)
        let difference = Self.relativeDifference(try TinyTraining.state(TinyTraining.checkpoint(pair)),
                                                 try TinyTraining.state(TinyTraining.checkpoint(single)))
        XCTAssertGreaterThan(difference, 0, "2 ranks sum the kernels' batch sums in another order than one process")
        XCTAssertLessThanOrEqual(difference, 1e-4, "2 ranks against one process")
    }

    /// Rank 0 killed inside its second checkpoint write (the temporary file holds part of epoch 2) while
    /// rank 1 waits for it in the next step's collectives: the job ends, with a non-zero status and
    /// mpirun's message naming rank 0, instead of hanging, and `checkpoint.h5` is epoch 1's, complete.
    func testADyingRankEndsTheJobAndKeepsTheLastCheckpoint() throws {
        let executable = try Fault.executable()
        let out = try Fault.temporaryDirectory(self, "mpi-die") + "/run"
        let arguments = TinyTraining.arguments(epochs: 2, out: out)
        let job = try ChildProcess(URL(fileURLWithPath: try Self.mpirun()),
                                   ["--oversubscribe", "-np", "1", "/usr/bin/env", "\(TestStopPoint.environmentVariable)=checkpoint-write:2",
                                    executable] + arguments + [":", "-np", "1", executable] + arguments,
                                   environment: Self.environment)
        let status = job.wait(timeout: 120)
        XCTAssertFalse(job.timedOut, "rank 0 died and the job hung")
        XCTAssertNotEqual(status, 0, "rank 0 died but the job ended with 0")
        XCTAssertTrue((job.output + job.errorOutput).contains("process rank 0 with PID"),
                      "no message names rank 0: \(job.output) \(job.errorOutput)")
        XCTAssertEqual(TinyTraining.temporaries(out).count, 1, "the kill did not land inside the write")
        XCTAssertEqual(try Checkpoint.load(TinyTraining.checkpoint(out)).progress, Checkpoint.Progress(epoch: 1, step: 0))
    }

    /// ‖a − b‖ / ‖b‖ over every parameter and batch-norm statistic of two `TinyTraining.state`s.
    static func relativeDifference(_ a: [String: [UInt32]], _ b: [String: [UInt32]]) -> Double {
        var difference = 0.0, norm = 0.0
        for (name, bits) in b where name.hasPrefix("/parameters/") || name.hasPrefix("/buffers/") {
            for (x, y) in zip(a[name] ?? [], bits) {
                let u = Double(Float(bitPattern: x)), v = Double(Float(bitPattern: y))
                difference += (u - v) * (u - v)
                norm += v * v
            }
        }
        return (difference / norm).squareRoot()
    }
}
