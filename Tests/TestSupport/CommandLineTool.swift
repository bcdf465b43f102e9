import Foundation

/// Runs the `phasemask` executable built beside the test bundle (`swift test` builds every product
/// into the same folder).
public enum CommandLineTool {
    /// The debug (or release) `phasemask` binary next to the running test bundle.
    public static var executable: URL? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = bundle.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("phasemask")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// A finished run: exit status and both streams, whole.
    public struct Result {
        public let status: Int32
        public let output: String
        public let error: String

        /// Standard output as lines, without their line breaks.
        public var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

        /// The lines of standard output that start with `prefix`.
        public func lines(startingWith prefix: String) -> [String] { lines.filter { $0.hasPrefix(prefix) } }
    }

    /// A run that did not finish in time, or a missing binary.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `phasemask arguments…` to completion (both streams read concurrently) and captures its
    /// output. Throws when the binary is missing or when the run takes longer than `timeout` seconds
    /// (the child is then killed; the message holds what it printed so far).
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           timeout: Double = 600) throws -> Result {
        guard let executable else {
            throw Failure(description: "phasemask binary not found beside \(CommandLine.arguments[0])")
        }
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory)
        let status = child.wait(timeout: timeout)
        if child.timedOut {
            throw Failure(description: "phasemask \(arguments.joined(separator: " ")) ran longer than \(timeout) s and was "
                          + "killed; output:\n\(child.output)\nerror:\n\(child.errorOutput)")
        }
        if let signal = child.endedBySignal {
            throw Failure(description: "phasemask \(arguments.joined(separator: " ")) died from signal \(signal); "
                          + "error:\n\(child.errorOutput)")
        }
        return Result(status: status, output: child.output, error: child.errorOutput)
    }
}
