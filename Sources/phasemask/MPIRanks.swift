import Distributed
import Foundation
import Training

/// A command that shares its work among the ranks of an mpirun job (docs/scaling.md): data-parallel
/// training (`train`, `design`, `finetune`, `bench train`, `bench scaling`), shared evaluation
/// (`evaluate`), or runs spread over the ranks (`experiment`). Every other command runs on rank 0 alone.
protocol RunsOnEveryRank {
    /// Whether each rank prints its own lines (`experiment`); otherwise only rank 0's standard output is kept.
    static var everyRankReports: Bool { get }
}

extension RunsOnEveryRank {
    static var everyRankReports: Bool { false }
}

/// The CLI's side of an mpirun job: nothing at all without a launcher. With one, MPI is started and its
/// world becomes `ProcessGroup.current`, SIGUSR1 (which mpirun forwards to every rank) stops training
/// like Ctrl-C, and the standard output of ranks other than 0 is dropped unless every rank reports —
/// errors still reach standard error from whichever rank has them. A command that does not share its
/// work runs on rank 0 alone; the other ranks end at once (exit 0).
enum MPIRanks {
    static func start(for command: Any) {
        guard let world = MPIJob.start() else { return }
        guard let shared = type(of: command) as? RunsOnEveryRank.Type else {
            if !world.isRoot {
                MPIJob.finish()
                exit(0)
            }
            return   // rank 0 runs it as one process (ProcessGroup.current stays SingleProcess)
        }
        ProcessGroup.use(world)
        InterruptFlag.installForwardedStop()
        if !shared.everyRankReports && !world.isRoot { _ = freopen("/dev/null", "w", stdout) }
    }

    /// The prefix of a log line of a rank that reports for itself (`experiment` spreads its runs).
    static var logPrefix: String {
        let group = ProcessGroup.current
        return group.size > 1 ? "[rank \(group.rank)] " : ""
    }
}

extension Train: RunsOnEveryRank {}
extension Evaluate: RunsOnEveryRank {}
extension FineTune: RunsOnEveryRank {}
extension Design: RunsOnEveryRank {}
extension ExperimentCommand: RunsOnEveryRank {
    static var everyRankReports: Bool { true }
}
extension Bench.TrainBench: RunsOnEveryRank {}
extension Bench.ScalingBench: RunsOnEveryRank {}
