import Foundation
import TestSupport
import XCTest

/// Paths and helpers shared by the fault tests.
enum Fault {
    /// The package root (this file is Tests/FaultTests/Support.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Tests/Corpus: one folder of hand-made bad files per reader (see Tests/Corpus/README.md).
    static let corpus = packageRoot + "/Tests/Corpus"

    /// The `phasemask` executable of this build: beside the test bundle (`swift test` builds every
    /// product, the executable included), else in the package's `.build/debug`.
    static func executable() throws -> String {
        var candidates: [String] = []
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent().path { candidates.append(bundle + "/phasemask") }
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().path + "/phasemask") }
        candidates.append(packageRoot + "/.build/debug/phasemask")
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw XCTSkip("no phasemask executable beside the test bundle or in .build/debug (looked in \(candidates)); "
                      + "run `swift build` first")
    }

    /// A fresh directory under the system temporary folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase, _ tag: String) throws -> String {
        let path = NSTemporaryDirectory() + "phasemask-faults-\(tag)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Every name in `directory`, hidden ones included, recursively (relative paths), sorted.
    static func listing(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }
}

/// A `phasemask` child process (both streams read concurrently; see `ChildProcess`).
final class PhaseMaskProcess {
    let child: ChildProcess

    /// Starts `phasemask arguments…` with `environment` added; `launcher` (a shell command line ending in
    /// `"$0" "$@"`) runs the executable instead of running it directly.
    init(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws {
        let executable = try Fault.executable()
        if launcher.isEmpty {
            child = try ChildProcess(URL(fileURLWithPath: executable), arguments, environment: environment)
        } else {
            child = try ChildProcess(URL(fileURLWithPath: launcher[0]), Array(launcher.dropFirst()) + [executable] + arguments,
                                     environment: environment)
        }
    }

    var process: Process { child.process }
    var pid: Int32 { child.pid }
    /// Standard output so far.
    var output: String { child.output }
    /// Standard error so far.
    var errorOutput: String { child.errorOutput }
    /// The signal that ended the process, or nil.
    var endedBySignal: Int32? { child.endedBySignal }

    /// Waits for the process (killing it after `timeout` seconds) and drains its output; the exit status.
    @discardableResult
    func wait(timeout: Double = 120) -> Int32 { child.wait(timeout: timeout) }

    /// Runs `phasemask arguments` to the end: (exit status, stdout, stderr). A run that outlives
    /// `timeout` seconds is killed and reported as status 137 (128 + SIGKILL) with a note on stderr.
    static func run(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = [],
                    timeout: Double = 120) throws -> (status: Int32, out: String, err: String) {
        let p = try PhaseMaskProcess(arguments, environment: environment, launcher: launcher)
        let status = p.wait(timeout: timeout)
        if p.child.timedOut { return (137, p.output, p.errorOutput + "\n[killed after \(timeout) s]") }
        if let signal = p.endedBySignal { return (128 + signal, p.output, p.errorOutput) }
        return (status, p.output, p.errorOutput)
    }
}
