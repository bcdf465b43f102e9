import ArgumentParser
import Distributed
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
            // Under mpirun every rank parses the same line: only rank 0 reports it.
            if (MPIJob.launcherRank() ?? 0) != 0 { Foundation.exit(exitCode(for: error).rawValue) }
            failOneLine(error)
        }
        MPIRanks.start(for: command)
        do {
            try command.run()
        } catch {
            failOneLine(error)
        }
        MPIJob.finish()
    }

    /// Ends with one line on standard error. In an MPI job a failure every rank knows about
    /// (`AgreedFailure`: an interrupt, rank 0's refusal of the output folder) is reported by rank 0 and
    /// ends every rank in order; any other failure is reported by its rank and aborts the whole job, so
    /// no rank waits for it.
    private static func failOneLine(_ error: Error) -> Never {
        if error is ExitCode || exitCode(for: error) == .success {   // help, --version
            MPIJob.finish()
            exit(withError: error)
        }
        let group = ProcessGroup.current
        let agreed = error is AgreedFailure
        let shown = (error as? SharedFailure)?.underlying ?? error
        let code = exitCode(for: shown).rawValue
        if group.isRoot || !agreed {
            let message = message(for: shown).split(whereSeparator: \.isNewline).joined(separator: " ")
            let label = group.isRoot ? "Error" : "Error (rank \(group.rank) of \(group.size))"
            FileHandle.standardError.write(Data("\(label): \(message)\n".utf8))
        }
        if group.size > 1 && !agreed { MPIJob.abort(code) }
        MPIJob.finish()
        Foundation.exit(code)
    }
}

enum PhaseMaskVersion {
    static let string = SoftwareVersion.string
}
