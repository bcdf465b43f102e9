import Foundation
import Storage
import TensorCore
import Training

extension Experiment {
    /// `experiment` under mpirun (docs/scaling.md): the runs are independent trainings, so they are
    /// spread over the ranks instead of splitting each one. First every run without a teacher (teachers
    /// of every L_t and seed, E2E, random), then, once their checkpoints exist, the students; within each
    /// phase run k of the plan goes to rank k mod N. Each rank trains its runs as one process (its
    /// own `--threads`), in their own run folders, with the reuse/resume rules of `Stage.run`; a student
    /// reads its teacher from the teacher's checkpoint. The results are gathered on every rank in plan
    /// order, so `results.json` and the report (written by rank 0) are those of one process: the same
    /// runs, the same seeds, the same numbers — only the timings differ.
    func fanOut(_ planned: [PlannedRun], testScenes: Tensor, group: any Communicator) throws -> [RunResult] {
        var mine: [Int: RunResult] = [:]
        let phases = [planned.indices.filter { planned[$0].teacher == nil }, planned.indices.filter { planned[$0].teacher != nil }]
        for phase in phases {
            for (k, i) in phase.enumerated() where k % group.size == group.rank {
                let run = planned[i]
                let teacher = try run.config.teacherCheckpoint.map { try Checkpoint.load($0).system }
                do {
                    mine[i] = try ProcessGroup.alone {
                        try train(run.name, config: run.config, seed: run.seed, teacher: teacher, testScenes: testScenes).result
                    }
                } catch let interrupt as TrainingInterrupted {
                    // Only this rank's run stopped (the others may be waiting for the next phase): the
                    // CLI reports it and ends the whole job; every run keeps its last checkpoint.
                    throw RunInterrupted(run: run.name, seed: run.seed, interrupt: interrupt)
                }
            }
            group.barrier()
        }
        var gathered: [Int: RunResult] = [:]
        for bytes in group.allGather(Array(try JSONEncoder().encode(mine))) {
            gathered.merge(try JSONDecoder().decode([Int: RunResult].self, from: Data(bytes))) { first, _ in first }
        }
        var results: [RunResult] = []
        for (i, run) in planned.enumerated() {
            guard let result = gathered[i] else {
                throw TrainingError.invalidConfiguration("experiment: no rank reported run \(run.name) of seed \(run.seed)")
            }
            results += run.reported(result)
        }
        _ = try group.onRoot { try save(results) }
        return results
    }
}

/// A run of a spread-out experiment was interrupted on one rank (Ctrl-C, SIGTERM, SIGUSR1). Not an
/// `AgreedFailure`: the other ranks may be elsewhere, so the job is ended as a whole.
public struct RunInterrupted: Error, CustomStringConvertible {
    public let run: String
    public let seed: UInt64
    public let interrupt: TrainingInterrupted
    public var description: String { "seed \(seed), \(run): \(interrupt)" }
}
