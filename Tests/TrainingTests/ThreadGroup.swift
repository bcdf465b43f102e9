import Foundation
import Training

/// Ranks as threads of one process: a `Communicator` for testing data-parallel code without mpirun.
/// Every collective is an exchange of byte blobs through a shared `Hub`; sums are formed in rank order,
/// as `MPICommunicator` forms them.
final class ThreadGroup: Communicator {
    let rank: Int
    let size: Int
    private let hub: Hub

    private init(rank: Int, hub: Hub) {
        self.rank = rank
        self.size = hub.size
        self.hub = hub
    }

    /// Runs `body` on `ranks` threads, each with its own member of one group; the results by rank.
    static func run<T>(ranks: Int, timeout: Double = 120, _ body: @escaping (ThreadGroup) throws -> T) throws -> [T] {
        let hub = Hub(size: ranks)
        let results = Outcomes<T>(count: ranks)
        let done = DispatchGroup()
        for r in 0..<ranks {
            done.enter()
            let thread = Thread {
                let outcome = Result { try body(ThreadGroup(rank: r, hub: hub)) }
                results.set(r, outcome)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw ThreadGroupTimeout(description: "the \(ranks) ranks did not finish within \(timeout) s")
        }
        return try results.all.map { try $0!.get() }
    }

    func allGather(_ bytes: [UInt8]) -> [[UInt8]] { hub.exchange(rank, bytes) }

    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let all = hub.exchange(rank, Array(UnsafeRawBufferPointer(buffer)))
        for i in 0..<buffer.count { buffer[i] = 0 }
        for blob in all {
            blob.withUnsafeBytes { raw in
                for i in 0..<buffer.count { buffer[i] += raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
            }
        }
    }

    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] { hub.exchange(rank, bytes)[root] }

    func barrier() { _ = hub.exchange(rank, []) }
}

/// The ranks' results, written from their threads.
private final class Outcomes<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ rank: Int, _ value: Result<T, Error>) { lock.lock(); values[rank] = value; lock.unlock() }
    var all: [Result<T, Error>?] { lock.lock(); defer { lock.unlock() }; return values }
}

struct ThreadGroupTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Where the threads of a `ThreadGroup` meet: each posts its blob and waits until every rank posted.
private final class Hub: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var posted: [[UInt8]?]
    private var round = 0
    private var result: [[UInt8]] = []

    init(size: Int) {
        self.size = size
        posted = Array(repeating: nil, count: size)
    }

    func exchange(_ rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        precondition(posted[rank] == nil, "rank \(rank) posted twice in one collective")
        posted[rank] = bytes
        if posted.allSatisfy({ $0 != nil }) {
            result = posted.map { $0! }
            posted = Array(repeating: nil, count: size)
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return result
    }
}
