import Foundation
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

/// A `phasemask` child process.
final class PhaseMaskProcess {
    let process = Process()
    private let stdout = Pipe(), stderr = Pipe()
    private var out = Data(), err = Data()
    private let lock = NSLock()

    init(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws {
        let executable = try Fault.executable()
        if launcher.isEmpty {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [executable] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = stdout
        process.standardError = stderr
        stdout.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, error: false) }
        stderr.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, error: true) }
        try process.run()
    }

    private func append(_ data: Data, error: Bool) {
        lock.lock(); defer { lock.unlock() }
        if error { err.append(data) } else { out.append(data) }
    }

    var pid: Int32 { process.processIdentifier }

    /// Standard output so far.
    var output: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var errorOutput: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Waits for the process (killing it after `timeout` seconds) and drains its output.
    @discardableResult
    func wait(timeout: Double = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
        append(stdout.fileHandleForReading.readDataToEndOfFile(), error: false)
        append(stderr.fileHandleForReading.readDataToEndOfFile(), error: true)
        return process.terminationStatus
    }

    /// Runs `phasemask arguments` to the end: (exit status, stdout, stderr).
    static func run(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32, out: String, err: String) {
        let p = try PhaseMaskProcess(arguments)
        let status = p.wait(timeout: timeout)
        return (status, p.output, p.errorOutput)
    }
}
