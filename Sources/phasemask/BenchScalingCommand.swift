import ArgumentParser
import Benchmarks
import Foundation
import TensorCore
import Training

extension Bench {
    /// `phasemask bench scaling`: one process on --threads threads against --ranks ranks of one thread
    /// (it starts them itself through mpirun), and the all-reduce of the paper model's gradient.
    struct ScalingBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scaling",
            abstract: "Training step: 1 process × threads vs ranks × 1 thread (mpirun, loopback); all-reduce of the paper gradient.",
            discussion: """
                Needs mpirun (make setup). The default shape is the quick preset's; the paper's is \
                --size 96 --batch 64 --depth 4 --channels 64. On one machine the ranks share its cores, \
                so expect no speed-up: the numbers feed the projection in docs/scaling.md.
                """)

        @Option(help: "Snapshots L.") var snapshots: Int = 9
        @Option(help: "Image size N.") var size: Int = 32
        @Option(help: "Global batch size.") var batch: Int = 32
        @Option(help: "Spectral-initialization iterations T.") var iterations: Int = 25
        @Option(help: "U-Net depth.") var depth: Int = 3
        @Option(help: "U-Net base channels.") var channels: Int = 16
        @Option(help: "Timed steps (after 2 warm-up steps).") var steps: Int = 3
        @Option(help: "Threads of the one-process run.") var threads: Int = 2
        @Option(help: "Ranks of the mpirun run (one thread each).") var ranks: Int = 2
        @Option(help: .hidden) var resultFile: String?

        func validate() throws {
            guard ranks >= 2 else { throw ValidationError("--ranks must be at least 2, got \(ranks)") }
            guard batch >= ranks else { throw ValidationError("--batch \(batch) cannot be shared by \(ranks) ranks") }
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        }

        var shape: ScalingBenchmark.Shape {
            var s = ScalingBenchmark.Shape()
            s.snapshots = snapshots; s.size = size; s.batch = batch; s.iterations = iterations
            s.depth = depth; s.channels = channels; s.steps = steps
            return s
        }

        func run() throws {
            let group = ProcessGroup.current
            guard group.size == 1 else {
                // A rank started by the command below: measure, and rank 0 hands the numbers back.
                Threading.configure(threads: 1)
                let result = try ScalingBenchmark.measureRanks(shape, floats: try ScalingBenchmark.paperGradientCount(), group: group)
                if group.isRoot, let resultFile { try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: resultFile)) }
                return
            }
            let resultFile = NSTemporaryDirectory() + "phasemask-bench-scaling-\(UUID().uuidString).json"
            defer { try? FileManager.default.removeItem(atPath: resultFile) }
            let arguments = ["bench", "scaling", "--snapshots", "\(snapshots)", "--size", "\(size)", "--batch", "\(batch)",
                             "--iterations", "\(iterations)", "--depth", "\(depth)", "--channels", "\(channels)",
                             "--steps", "\(steps)", "--result-file", resultFile]
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            try ScalingBenchmark.report(shape, threads: threads, ranks: ranks, executable: executable, rankArguments: arguments,
                                        resultFile: resultFile).forEach { print($0) }
            print("note: the ranks share this machine's cores with nothing gained; docs/scaling.md projects N nodes")
        }
    }
}
