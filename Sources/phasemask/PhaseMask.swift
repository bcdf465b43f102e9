import ArgumentParser
import Foundation
import Storage
import Training

@main
struct PhaseMask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasemask",
        abstract: "Design coded phase masks for single-snapshot phase retrieval and export them for hardware.",
        version: PhaseMaskVersion.string,
        subcommands: [Design.self, ExperimentCommand.self, Train.self, Evaluate.self, FineTune.self, Tolerance.self, Reconstruct.self, ImportFrame.self,
                      Export.self, Simulate.self, Verify.self, CalibrateLUT.self, SimulateFringes.self, ModelInfo.self,
                      Bench.self]
    )

    /// Parses and runs one subcommand. Help, `--version` and an explicit `ExitCode` keep ArgumentParser's
    /// own output; every other failure — a bad option value, a bad input file, a refused output folder —
    /// is reported as one line `Error: <problem>` on standard error (the problem names the file or
    /// option), with exit code 64 for usage errors and 1 otherwise, so scripts can log and grep it.
    static func main() {
        OpenBLASKernels.selectForThisCPU()
        // Line-buffered even into a pipe or file, so a log shows every finished epoch at once and a
        // killed run loses no reported line.
        setvbuf(stdout, nil, _IOLBF, 0)
        if let problem = TestStopPoint.configurationProblem {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            Foundation.exit(64)
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            failOneLine(error)
        }
        do {
            try command.run()
        } catch {
            failOneLine(error)
        }
    }

    private static func failOneLine(_ error: Error) -> Never {
        if error is ExitCode || exitCode(for: error) == .success { exit(withError: error) }   // help, --version
        let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        Foundation.exit(exitCode(for: error).rawValue)
    }
}

enum PhaseMaskVersion {
    static let string = SoftwareVersion.string
}
