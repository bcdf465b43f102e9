import Foundation

/// A child process whose standard output and standard error are read concurrently, each by its own
/// thread, from the moment it starts: a child that writes much to one stream never blocks on a full pipe
/// while the test waits on the other. `wait(timeout:)` kills the child with SIGKILL when it runs too long.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let outPipe = Pipe(), errPipe = Pipe()
    private var out = Data(), err = Data()
    private let lock = NSLock()
    private let drained = DispatchGroup()
    private let exited = DispatchSemaphore(value: 0)
    /// True when `wait` had to kill the child because its time ran out.
    public private(set) var timedOut = false
    /// The command line, for messages.
    public let commandLine: String

    /// Starts `executable arguments…` with `environment` added to this process's environment, in
    /// `directory` (default: the current one).
    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                directory: String? = nil) throws {
        commandLine = ([executable.path] + arguments).joined(separator: " ")
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        drain(outPipe, isError: false)
        drain(errPipe, isError: true)
    }

    /// Reads `pipe` to its end on a thread of its own.
    private func drain(_ pipe: Pipe, isError: Bool) {
        drained.enter()
        let fd = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.lock()
                if isError { err.append(contentsOf: buffer[0..<n]) } else { out.append(contentsOf: buffer[0..<n]) }
                lock.unlock()
            }
            drained.leave()
        }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Standard output so far (all of it after `wait`).
    public var output: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    /// Standard error so far (all of it after `wait`).
    public var errorOutput: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Waits up to `timeout` seconds for the child to end (then SIGKILLs it and sets `timedOut`), and up to
    /// 10 s more for both pipes to reach their end. Returns the exit status, or the signal number when
    /// a signal ended the child (see `endedBySignal`).
    @discardableResult
    public func wait(timeout: Double) -> Int32 {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGKILL)
            exited.wait()
        }
        exited.signal()   // later calls return at once
        process.waitUntilExit()
        _ = drained.wait(timeout: .now() + 10)
        return process.terminationStatus
    }

    /// The signal that ended the child, or nil when it exited (or still runs).
    public var endedBySignal: Int32? {
        process.isRunning || process.terminationReason == .exit ? nil : process.terminationStatus
    }
}
