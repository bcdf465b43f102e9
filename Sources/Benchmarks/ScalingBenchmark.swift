import Foundation
import TensorCore
import Training

/// `phasemask bench scaling`: data-parallel training on this machine (docs/scaling.md).
///
/// The command measures a training step in one process on `threads` threads, then starts itself under
/// `mpirun -np <ranks>` with one thread per rank (the same global batch, shared out), where rank 0 also
/// times the all-reduce of the paper model's gradient (L = 9 masks at 96×96, ψ, U-Net depth 4 with 64
/// channels) over loopback. On one machine the ranks share its cores with nothing gained, so this
/// measures the cost of the transport and of the smaller per-rank batches, not a speed-up; the docs
/// project N nodes from these numbers.
public enum ScalingBenchmark {
    /// The training step measured.
    public struct Shape: Codable, Sendable {
        public var snapshots = 9, size = 32, batch = 32, depth = 3, channels = 16, iterations = 25, steps = 3
        public init() {}

        var label: String {
            "train step L=\(snapshots) \(size)x\(size) batch \(batch) d\(depth) c\(channels)"
        }
    }

    /// What the ranks measured (rank 0's clock).
    public struct RankResult: Codable, Sendable {
        public var ranks: Int
        public var secondsPerStep: Double
        public var allReduceFloats: Int
        public var allReduceSeconds: Double
    }

    public static let table = BenchmarkTable(nameWidth: 72, valueWidth: 10, decimals: 1)

    /// Trainable values of the paper's teacher (L = 9 at 96×96, U-Net depth 4, 64 channels): the length
    /// of the buffer a data-parallel step sums over the ranks.
    public static func paperGradientCount() throws -> Int {
        var config = Preset.paper.config(mode: .teacher)
        config.snapshots = 9
        return try PhaseRetrievalSystem(config: config).parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.value.count }
    }

    /// Under mpirun (`group` has more than one rank): the data-parallel step time on the global batch
    /// of `shape`, then the median of 7 all-reduces of `floats` values (after 2 untimed ones; every
    /// rank runs the same fixed number, a barrier before each).
    public static func measureRanks(_ shape: Shape, floats: Int, group: any Communicator) throws -> RankResult {
        let step = try TrainingBenchmark.run(snapshots: shape.snapshots, size: shape.size, batch: shape.batch, depth: shape.depth,
                                             channels: shape.channels, iterations: shape.iterations, steps: shape.steps)
        var buffer = [Float](repeating: 0, count: floats)
        for i in 0..<floats { buffer[i] = Float(i % 1000) * 1e-3 }
        var times: [Double] = []
        buffer.withUnsafeMutableBufferPointer { b in
            for repetition in 0..<9 {
                group.barrier()
                let t0 = MonotonicClock.now()
                group.allReduceSum(b)
                if repetition >= 2 { times.append(MonotonicClock.now() - t0) }
            }
        }
        return RankResult(ranks: group.size, secondsPerStep: step.secondsPerStep, allReduceFloats: floats,
                          allReduceSeconds: times.sorted()[times.count / 2])
    }

    /// The whole `bench scaling`: one process on `threads` threads here, then `ranks` ranks × 1 thread
    /// through `mpirun` (started from `executable` with `rankArguments`, which must make rank 0 write its
    /// `RankResult` as JSON to `resultFile`). Returns the lines to print.
    public static func report(_ shape: Shape, threads: Int, ranks: Int, executable: String, rankArguments: [String],
                              resultFile: String) throws -> [String] {
        Threading.configure(threads: threads)
        let one = try TrainingBenchmark.run(snapshots: shape.snapshots, size: shape.size, batch: shape.batch, depth: shape.depth,
                                            channels: shape.channels, iterations: shape.iterations, steps: shape.steps)
        try launchRanks(ranks, executable: executable, arguments: rankArguments)
        let result = try JSONDecoder().decode(RankResult.self, from: Data(contentsOf: URL(fileURLWithPath: resultFile)))
        return lines(shape, threads: threads, oneProcess: one.secondsPerStep, ranks: result)
    }

    /// The rows of `bench scaling`.
    static func lines(_ shape: Shape, threads: Int, oneProcess: Double, ranks r: RankResult) -> [String] {
        let bytes = 4 * r.allReduceFloats
        // Bus bandwidth as for a ring all-reduce: every rank sends and receives 2(N − 1)/N of the buffer.
        let bus = 2 * Double(r.ranks - 1) / Double(r.ranks) * Double(bytes) / r.allReduceSeconds / 1e9
        return [
            table.line(.init(name: "\(shape.label): 1 process x \(threads) threads", value: oneProcess * 1000, unit: "ms")),
            table.line(.init(name: "\(shape.label): \(r.ranks) ranks x 1 thread", value: r.secondsPerStep * 1000, unit: "ms"),
                       note: String(format: "   %.2fx the one-process step", r.secondsPerStep / oneProcess)),
            table.line(.init(name: String(format: "all-reduce %d floats (%.1f MiB, paper model): %d ranks, loopback",
                                          r.allReduceFloats, Double(bytes) / 1_048_576, r.ranks),
                             value: r.allReduceSeconds * 1000, unit: "ms"),
                       note: String(format: "   %.2f GB/s bus bandwidth", bus)),
        ]
    }

    /// Runs `mpirun --oversubscribe -np ranks executable arguments` and waits; its output goes to ours.
    /// As root, mpirun refuses to start unless told twice that it may; the benchmark only starts local
    /// ranks of itself, so it says so for its child.
    static func launchRanks(_ ranks: Int, executable: String, arguments: [String]) throws {
        let search = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let mpirun = search.map({ "\($0)/mpirun" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TrainingError.invalidConfiguration("bench scaling needs mpirun (make setup installs openmpi-bin)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--oversubscribe", "-np", "\(ranks)", executable] + arguments
        var environment = ProcessInfo.processInfo.environment
        if getuid() == 0 {
            environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TrainingError.invalidConfiguration("mpirun -np \(ranks) \(executable) \(arguments.joined(separator: " ")) "
                                                     + "ended with status \(process.terminationStatus)")
        }
    }
}
