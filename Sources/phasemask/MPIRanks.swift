import Distributed
import Foundation
import Training

/// The CLI's side of an mpirun job (docs/scaling.md): nothing at all without a launcher; with one, MPI
/// is started, its world becomes `ProcessGroup.current`, SIGUSR1 (forwarded by mpirun) stops training
/// like Ctrl-C, and the standard output of ranks other than 0 is dropped when `quietOutput` — rank 0
/// reports for the job, while errors still reach standard error from whichever rank has them.
enum MPIRanks {
    static func start(quietOutput: Bool) {
        guard let world = MPIJob.start() else { return }
        ProcessGroup.use(world)
        InterruptFlag.installForwardedStop()
        if quietOutput && !world.isRoot { _ = freopen("/dev/null", "w", stdout) }
    }

    /// The prefix of a log line of a rank that reports for itself (`experiment` spreads its runs).
    static var logPrefix: String {
        let group = ProcessGroup.current
        return group.size > 1 ? "[rank \(group.rank)] " : ""
    }
}
