import ArgumentParser

@main
struct PhaseMask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phasemask",
        abstract: "Design coded phase masks for single-snapshot phase retrieval and export them for hardware.",
        version: PhaseMaskVersion.string,
        subcommands: [Design.self, ExperimentCommand.self, Train.self, Evaluate.self, FineTune.self, Reconstruct.self, ModelInfo.self, Export.self, Simulate.self,
                      Verify.self, Bench.self]
    )

    static func main() {
        OpenBLASKernels.selectForThisCPU()
        main(nil)
    }
}

enum PhaseMaskVersion {
    static let string = "0.1.0"
}
