import Foundation

/// The processes ("ranks") of one data-parallel job and the few collective operations PhaseMask needs.
///
/// Rules every caller keeps (docs/scaling.md):
/// - every rank calls the same collectives in the same order; code that only rank 0 runs (file writes,
///   exports, reports) runs under `ProcessGroup.alone`, where no collective reaches the other ranks;
/// - sums have a fixed reduction order: `(((x₀ + x₁) + x₂) + …)` in rank order, and every rank receives
///   the same bits, so ranks that start equal stay equal and a run is reproducible for a given rank count;
/// - calls come from one thread (the one running the job), never from `Parallel` workers.
///
/// `SingleProcess` is the group of every command started without mpirun. The Open MPI implementation
/// lives in the `Distributed` target, which only the CLI wires in: nothing below it depends on MPI.
/// A collective never fails softly: a dead peer ends the job (mpirun kills the other ranks).
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< `size`.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// `buffer[i] ← Σ_r buffer_r[i]` over the ranks r, summed in rank order; every rank gets the same bits.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Every rank's `bytes`, indexed by rank (lengths may differ between ranks).
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]
    /// Rank `root`'s `bytes` on every rank (what the others pass is ignored).
    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8]
    /// Returns once every rank has called it.
    func barrier()
}

/// The one-process group: every collective is the identity.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
    public func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] { bytes }
    public func barrier() {}
}

/// The group the current job runs in. The CLI sets it once at startup (`use`), from mpirun's
/// environment; without mpirun it stays `SingleProcess`. Jobs read it where they split work
/// (`Trainer`, `Evaluation`, `TrainingJob`, the experiment's fan-out) and give it back unchanged.
public enum ProcessGroup {
    nonisolated(unsafe) public private(set) static var current: any Communicator = SingleProcess()

    /// Makes `group` the current one for the rest of the process.
    public static func use(_ group: any Communicator) { current = group }

    /// Runs `body` with `group` as the current group, then restores the previous one.
    public static func with<T>(_ group: any Communicator, _ body: () throws -> T) rethrows -> T {
        let previous = current
        current = group
        defer { current = previous }
        return try body()
    }

    /// Runs `body` on this rank alone (current group: `SingleProcess`): for rank-0-only work such as an
    /// export, so that an evaluation inside it does not wait for ranks that are not there.
    public static func alone<T>(_ body: () throws -> T) rethrows -> T {
        try with(SingleProcess(), body)
    }
}

extension Communicator {
    /// Rank 0 writes files, logs and progress.
    public var isRoot: Bool { rank == 0 }

    /// The contiguous part of `0..<count` this rank handles: `[count·r/N, count·(r+1)/N)` (sizes differ
    /// by at most one; rank order is index order).
    public func share(of count: Int) -> Range<Int> { Self.share(of: count, rank: rank, size: size) }

    public static func share(of count: Int, rank: Int, size: Int) -> Range<Int> {
        (count * rank / size)..<(count * (rank + 1) / size)
    }

    /// `values[i] ← Σ_r values_r[i]` in double precision, summed in rank order (the same bits on every
    /// rank). All ranks pass the same count.
    public func allReduceSum(_ values: [Double]) -> [Double] {
        guard size > 1 else { return values }
        let all = allGather(Self.bytes(values)).map(Self.doubles)
        var total = all[0]
        for r in 1..<all.count {
            precondition(all[r].count == total.count, "allReduceSum: rank \(r) sent \(all[r].count) values, rank 0 \(total.count)")
            for i in total.indices { total[i] += all[r][i] }
        }
        return total
    }

    /// Every rank's `values`, concatenated in rank order.
    public func allGather(_ values: [Double]) -> [Double] {
        guard size > 1 else { return values }
        return allGather(Self.bytes(values)).flatMap(Self.doubles)
    }

    /// Rank 0's `flag` on every rank: a decision taken from what rank 0 sees (a file in the folder it
    /// owns), so that every rank takes the same branch and meets the same collectives.
    public func rootDecides(_ flag: Bool) -> Bool {
        size == 1 ? flag : broadcast([flag ? 1 : 0], root: 0) == [1]
    }

    /// Runs `body` on rank 0 and tells every rank how it went: rank 0 returns its value (or throws its
    /// error as `SharedFailure`), the other ranks return nil (or throw `PeerFailure` with rank 0's
    /// message). For work only rank 0 may do — taking the output folder, clearing a stage — whose failure
    /// must stop every rank at the same point instead of leaving them waiting.
    public func onRoot<T>(_ body: () throws -> T) throws -> T? {
        guard size > 1 else { return try body() }
        if isRoot {
            do {
                let value = try ProcessGroup.alone(body)
                _ = broadcast([1], root: 0)
                return value
            } catch {
                _ = broadcast([0] + Array("\(error)".utf8), root: 0)
                throw SharedFailure(error)
            }
        }
        let status = broadcast([], root: 0)
        if status.first == 1 { return nil }
        throw PeerFailure(rank: 0, message: String(decoding: status.dropFirst(), as: UTF8.self))
    }

    static func bytes(_ values: [Double]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    static func doubles(_ bytes: [UInt8]) -> [Double] {
        precondition(bytes.count % 8 == 0, "a gathered double array has \(bytes.count) bytes")
        return bytes.withUnsafeBytes { raw in (0..<(bytes.count / 8)).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) } }
    }
}

/// An error every rank of the group knows about, so each can stop in order (the CLI prints it on rank 0
/// only and ends every rank with the same exit code instead of aborting the job).
public protocol AgreedFailure: Error {}

/// An error every rank knows of: rank 0's in work only rank 0 did (`Communicator.onRoot`; every other
/// rank got `PeerFailure`), or one every rank found the same (a setting the group cannot run).
public struct SharedFailure: AgreedFailure, CustomStringConvertible {
    public let underlying: Error
    public init(_ underlying: Error) { self.underlying = underlying }
    public var description: String { "\(underlying)" }
}

/// Another rank failed in work it did for the group; its own process reports the reason.
public struct PeerFailure: AgreedFailure, CustomStringConvertible {
    public let rank: Int
    public let message: String
    public var description: String { "rank \(rank) failed: \(message)" }
}

extension TrainingInterrupted: AgreedFailure {}
