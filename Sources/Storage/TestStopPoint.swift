import Foundation

/// A test hook for crash tests: named points in the code where a test can make the process die as a
/// `kill -9` would, at a place it chooses instead of at a random moment.
///
/// With the environment variable `PHASEMASK_TEST_STOP_AT=<point>:<n>` (n ≥ 1), the process sends itself
/// SIGKILL the n-th time it reaches `<point>`, counted from the start of the process. Without the
/// variable every `reached` is one load of a lazily initialised constant and a compare: nothing in a hot
/// loop calls it anyway (at most once per training step or written file). The CLI refuses a malformed
/// value at startup (`configurationProblem`), so a test cannot silently arm nothing.
/// See docs/robustness.md ("Test hook").
public enum TestStopPoint {
    /// The environment variable that arms the hook.
    public static let environmentVariable = "PHASEMASK_TEST_STOP_AT"

    /// The named points, in the order a training run or an export meets them.
    public enum Point: String, CaseIterable, Sendable {
        /// A training step has updated the parameters; nothing of it is checkpointed yet.
        case trainStep = "train-step"
        /// Inside `Checkpoint.save`: the temporary file exists and holds the parameters; the checkpoint
        /// under its final name is still the previous one.
        case checkpointWrite = "checkpoint-write"
        /// An epoch's checkpoint is renamed into place; `log.jsonl` is not yet rewritten.
        case epochSaved = "epoch-saved"
        /// A design export has staged one more complete file in its hidden staging folder; nothing in the
        /// output folder has changed yet.
        case exportFile = "export-file"
    }

    /// Where the armed hook stops: the point and the how-many-th arrival (1-based).
    public struct Target: Equatable, Sendable {
        public let point: Point
        public let count: Int
    }

    /// A malformed value of the variable.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses `<point>:<n>`; nil for an empty or absent value. Throws a one-line message for a bad one.
    public static func parse(_ value: String?) throws -> Target? {
        guard let value, !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        let names = Point.allCases.map(\.rawValue).joined(separator: ", ")
        guard parts.count == 2, let point = Point(rawValue: String(parts[0])) else {
            throw Problem(description: "\(environmentVariable)='\(value)' is not <point>:<n> with a point among \(names)")
        }
        guard let count = Int(parts[1]), count >= 1 else {
            throw Problem(description: "\(environmentVariable)='\(value)': the count must be a whole number ≥ 1")
        }
        return Target(point: point, count: count)
    }

    /// The problem with this process's `PHASEMASK_TEST_STOP_AT`, if any (the CLI reports it and exits).
    public static var configurationProblem: String? {
        if case .failure(let error) = armed { return "\(error)" }
        return nil
    }

    private static let armed: Result<Target?, Error> = Result {
        try parse(ProcessInfo.processInfo.environment[environmentVariable])
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var arrivals = 0

    /// Marks an arrival at `point`; SIGKILLs the process on the armed arrival.
    @inline(__always)
    public static func reached(_ point: Point) {
        guard case .success(let target?) = armed, target.point == point else { return }
        lock.lock()
        arrivals += 1
        let stop = arrivals == target.count
        lock.unlock()
        if stop { kill(getpid(), SIGKILL) }
    }
}
