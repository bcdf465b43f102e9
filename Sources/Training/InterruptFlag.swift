import Foundation

/// Ctrl-C (SIGINT) and SIGTERM as a flag, so that an interrupted run stops where it can save.
///
/// `install()` replaces the default action of both signals (ending the process at once, possibly in the
/// middle of writing a checkpoint) by raising this flag; the trainer polls `isRaised` after every step
/// and, when it is raised, writes a checkpoint and throws `TrainingInterrupted`. `TrainingJob` (Pipeline),
/// fine-tuning and the design pipeline install it before training; the handler only stores into a
/// `sig_atomic_t`, the one thing a signal handler may safely do.
public enum InterruptFlag {
    nonisolated(unsafe) private static var raised: sig_atomic_t = 0

    /// Installs the handlers (idempotent).
    public static func install() {
        signal(SIGINT) { _ in InterruptFlag.raise() }
        signal(SIGTERM) { _ in InterruptFlag.raise() }
    }

    /// Also raises the flag on SIGUSR1: under mpirun, which forwards SIGUSR1 to every rank and leaves
    /// the job running, that is the signal that stops a data-parallel run at the next step however
    /// long its steps are (mpirun answers Ctrl-C and SIGTERM by killing the ranks after a grace period,
    /// docs/scaling.md). Installed by the CLI for ranks of an MPI job only.
    public static func installForwardedStop() {
        signal(SIGUSR1) { _ in InterruptFlag.raise() }
    }

    static func raise() { raised = 1 }
    public static var isRaised: Bool { raised != 0 }
    public static func clear() { raised = 0 }
}
