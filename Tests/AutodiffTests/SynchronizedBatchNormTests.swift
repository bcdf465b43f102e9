import Autodiff
import Foundation
import TensorCore
import XCTest

/// Synchronized batch norm (`Tape.sampleStatistics`): a batch split into shards, each on its own thread
/// and tape, must give the outputs, input gradients, running statistics and (summed) γ̄, β̄ of the whole
/// batch on one tape, bit for bit.
final class SynchronizedBatchNormTests: XCTestCase {
    func testShardsOnTheirOwnTapesMatchTheWholeBatchBitForBit() {
        for (batch, shards, plane) in [(4, 2, 5), (5, 3, 3), (3, 1, 4)] {
            var rng = SeededGenerator(seed: UInt64(batch * 10 + shards))
            let x = Tensor.normal([batch, 3, plane, plane], mean: 0.3, std: 1.7, generator: &rng)
            let gamma = Tensor.normal([3], mean: 1, std: 0.3, generator: &rng)
            let beta = Tensor.normal([3], mean: 0, std: 1, generator: &rng)
            let seed = Tensor.normal(x.shape, mean: 0, std: 1, generator: &rng)
            let whole = Self.run(x, gamma: gamma, beta: beta, seed: seed, statistics: nil)

            let rendezvous = Rendezvous(shards: shards)
            let parts = Parts(count: shards)
            let done = DispatchGroup()
            // One thread per shard (each blocks until the others reach the same statistic).
            for s in 0..<shards {
                done.enter()
                Thread {
                    let range = (batch * s / shards)..<(batch * (s + 1) / shards)
                    let part = Self.run(Self.rows(x, range), gamma: gamma, beta: beta, seed: Self.rows(seed, range),
                                        statistics: Shard(index: s, globalBatch: batch, rendezvous: rendezvous))
                    parts.set(s, part)
                    done.leave()
                }.start()
            }
            XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "the shards did not finish")
            let label = "batch \(batch) in \(shards) shards"
            let outcomes = parts.all.map { $0! }
            XCTAssertEqual(Self.bits(outcomes.flatMap { Self.floats($0.output) }), Self.bits(Self.floats(whole.output)), "\(label): output")
            XCTAssertEqual(Self.bits(outcomes.flatMap { Self.floats($0.inputGradient) }), Self.bits(Self.floats(whole.inputGradient)),
                           "\(label): x̄")
            for (s, part) in outcomes.enumerated() {
                XCTAssertEqual(Self.bits(Self.floats(part.runningMean)), Self.bits(Self.floats(whole.runningMean)), "\(label): running mean on shard \(s)")
                XCTAssertEqual(Self.bits(Self.floats(part.runningVariance)), Self.bits(Self.floats(whole.runningVariance)),
                               "\(label): running variance on shard \(s)")
            }
            // Shard 0 owns γ̄ and β̄; the others add nothing, so their sum is the whole batch's.
            XCTAssertEqual(Self.bits(Self.floats(outcomes[0].gammaGradient)), Self.bits(Self.floats(whole.gammaGradient)), "\(label): γ̄")
            XCTAssertEqual(Self.bits(Self.floats(outcomes[0].betaGradient)), Self.bits(Self.floats(whole.betaGradient)), "\(label): β̄")
            for part in outcomes.dropFirst() {
                XCTAssertEqual(Self.floats(part.gammaGradient), [0, 0, 0], "\(label): γ̄ of a shard that does not own the totals")
            }
        }
    }

    struct Outcome {
        let output: Tensor, inputGradient: Tensor, gammaGradient: Tensor, betaGradient: Tensor
        let runningMean: Tensor, runningVariance: Tensor
    }

    /// batchNorm in training mode on `x`, backward from the output with gradient `seed`.
    static func run(_ x: Tensor, gamma: Tensor, beta: Tensor, seed: Tensor, statistics: SampleStatistics?) -> Outcome {
        let tape = Tape()
        tape.sampleStatistics = statistics
        let input = tape.leaf(x), g = tape.leaf(gamma.copy()), b = tape.leaf(beta.copy())
        let mean = Tensor(repeating: 0.2, shape: [3]), variance = Tensor(repeating: 1.5, shape: [3])
        let y = batchNorm(input, gamma: g, beta: b, runningMean: mean, runningVariance: variance, training: true)
        let output = y.value.copy()
        tape.backward(from: y.node, seed: seed)
        return Outcome(output: output, inputGradient: input.gradient!, gammaGradient: g.gradient ?? Tensor(zeros: [3]),
                       betaGradient: b.gradient ?? Tensor(zeros: [3]), runningMean: mean, runningVariance: variance)
    }

    static func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor {
        let inner = t.count / t.shape[0]
        let out = Tensor(uninitialized: [range.count] + t.shape.dropFirst())
        out.pointer.update(from: t.pointer + range.lowerBound * inner, count: range.count * inner)
        return out
    }

    static func floats(_ t: Tensor) -> [Float] { (0..<t.count).map { t.pointer[$0] } }
    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }
}

/// The shards' outcomes, written from their threads.
private final class Parts: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [SynchronizedBatchNormTests.Outcome?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ shard: Int, _ value: SynchronizedBatchNormTests.Outcome) { lock.lock(); values[shard] = value; lock.unlock() }
    var all: [SynchronizedBatchNormTests.Outcome?] { lock.lock(); defer { lock.unlock() }; return values }
}

/// The shards of one test batch meeting in memory: each posts its partials and waits for the others;
/// the totals are summed in global sample order (shard order, then sample order within a shard).
private final class Rendezvous: @unchecked Sendable {
    let shards: Int
    private let condition = NSCondition()
    private var posted: [[Double]?]
    private var round = 0
    private var result: [Double] = []

    init(shards: Int) {
        self.shards = shards
        posted = Array(repeating: nil, count: shards)
    }

    func totals(shard: Int, partials: [Double], perSample k: Int) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        posted[shard] = partials
        if posted.allSatisfy({ $0 != nil }) {
            let all = posted.flatMap { $0! }
            result = (0..<k).map { j in
                var total = 0.0
                for n in 0..<(all.count / k) { total += all[n * k + j] }
                return total
            }
            posted = Array(repeating: nil, count: shards)
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return result
    }
}

private final class Shard: SampleStatistics {
    let index: Int
    let globalBatch: Int
    let rendezvous: Rendezvous
    init(index: Int, globalBatch: Int, rendezvous: Rendezvous) {
        self.index = index
        self.globalBatch = globalBatch
        self.rendezvous = rendezvous
    }
    var ownsTotals: Bool { index == 0 }
    func totals(_ partials: [Double], perSample k: Int) -> [Double] {
        rendezvous.totals(shard: index, partials: partials, perSample: k)
    }
}
