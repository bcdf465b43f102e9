import ArgumentParser
import Foundation
import Training

@main
struct PhaseMask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasemask",
        abstract: "Design coded phase masks for single-snapshot phase retrieval and export them for hardware.",
        version: PhaseMaskVersion.string,
        subcommands: [Design.self, ExperimentCommand.self, Train.self, Evaluate.self, FineTune.self, Reconstruct.self,
                      Export.self, Simulate.self, Verify.self, ModelInfo.self, Bench.self]
    )

    static func main() {
        OpenBLASKernels.selectForThisCPU()
        // Line-buffered stdout, so progress and results reach a log file or pipe as they happen.
        setvbuf(stdout, nil, _IOLBF, 0)
        main(nil)
    }
}

enum PhaseMaskVersion {
    static let string = SoftwareVersion.string
}
