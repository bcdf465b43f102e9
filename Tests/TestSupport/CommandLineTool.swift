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

    public struct Result {
        public let status: Int32
        public let output: String
        public let error: String
    }

    /// Runs `phasemask arguments…` to completion and captures its output.
    public static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        guard let executable else {
            throw NSError(domain: "CommandLineTool", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: "phasemask binary not found beside \(CommandLine.arguments[0])"])
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
    }
}
