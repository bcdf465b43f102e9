import CMPI
import Foundation
import Training

/// MPI's life in the `phasemask` process: started only when a launcher started the process, finished
/// (or aborted) on the way out.
///
/// A plain `phasemask` never initialises MPI: no daemon contact, no messages, no `mpirun` needed. Open
/// MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE` in every rank's environment, and Slurm's `srun --mpi=pmix`
/// (and mpirun) set `PMIX_RANK`; either one means "launched as a rank of a job".
public enum MPIJob {
    /// Whether `environment` is that of a process an MPI launcher started.
    public static func launchedByMPI(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The rank the launcher gave this process, read from the environment before MPI is initialised
    /// (so that only rank 0 reports a command line it cannot parse); nil without a launcher.
    public static func launcherRank(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        guard launchedByMPI(environment) else { return nil }
        return (environment["OMPI_COMM_WORLD_RANK"] ?? environment["PMIX_RANK"]).flatMap { Int($0) } ?? 0
    }

    nonisolated(unsafe) private static var world: MPICommunicator?

    /// Initialises MPI (one thread makes MPI calls: `MPI_THREAD_FUNNELED`) and returns the job's world
    /// communicator; nil, without touching MPI, when no launcher started this process.
    public static func start() -> MPICommunicator? {
        guard launchedByMPI() else { return nil }
        if let world { return world }
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, phasemask_mpi_thread_funneled(), &provided)
        world = MPICommunicator(phasemask_mpi_comm_world())
        return world
    }

    /// Ends MPI in order (every rank calls it on the way out; it waits for the others).
    public static func finish() {
        guard world != nil else { return }
        world = nil
        MPI_Finalize()
    }

    /// Ends every rank of the job at once with `code`: for a failure on this rank that the others do not
    /// know about, so that none of them waits forever in a collective.
    public static func abort(_ code: Int32) -> Never {
        if world != nil { MPI_Abort(phasemask_mpi_comm_world(), code) }
        exit(code)
    }
}
