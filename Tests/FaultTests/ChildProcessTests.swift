import Foundation
import TestSupport
import XCTest

/// The test helper that runs commands (`ChildProcess`, behind `CommandLineTool` and `PhaseMaskProcess`):
/// a child that fills its standard error pipe while the test waits does not hang, both streams arrive
/// whole, and a child that outlives its timeout is killed.
final class ChildProcessTests: XCTestCase {
    let shell = URL(fileURLWithPath: "/bin/sh")

    func testBothStreamsAreReadWhileTheChildRuns() throws {
        // 1 MiB on stderr is 16 times a Linux pipe's 64 KiB buffer: a reader that drained stdout first
        // would wait forever on a child blocked in write(2).
        let child = try ChildProcess(shell, ["-c", "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o; echo"])
        let status = child.wait(timeout: 60)
        XCTAssertFalse(child.timedOut)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(child.errorOutput.count, 1 << 20)
        XCTAssertEqual(child.output, String(repeating: "o", count: 300_000) + "\n")
    }

    func testAChildThatOutlivesItsTimeoutIsKilled() throws {
        let started = Date()
        let child = try ChildProcess(shell, ["-c", "echo started; exec sleep 60"])
        child.wait(timeout: 1)
        XCTAssertTrue(child.timedOut)
        XCTAssertEqual(child.endedBySignal, SIGKILL)
        XCTAssertEqual(child.output, "started\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the killed child was waited for too long")
    }

    func testExitStatusAndEnvironmentPassThrough() throws {
        let child = try ChildProcess(shell, ["-c", "echo \"$PHASEMASK_CHILD_TEST\"; exit 3"], environment: ["PHASEMASK_CHILD_TEST": "value"])
        XCTAssertEqual(child.wait(timeout: 30), 3)
        XCTAssertNil(child.endedBySignal)
        XCTAssertEqual(child.output, "value\n")
    }
}
