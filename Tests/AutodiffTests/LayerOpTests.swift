import Autodiff
import TensorCore
import TestSupport
import XCTest

/// batchNorm, maxPool2x2, relu, sigmoid, concatChannels: forward against plain definitions and
/// finite-difference gradients.
final class LayerOpTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64, mean: Float = 0, std: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.normal(shape, mean: mean, std: std, generator: &rng)
    }

    func positive(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: 0.5, high: 2, generator: &rng)
    }

    func testBatchNormTrainingMatchesReferenceAndUpdatesRunningStatistics() {
        let x = random([2, 3, 6, 6], seed: 1, mean: 0.5, std: 2)
        let gamma = random([3], seed: 2, mean: 1, std: 0.3), beta = random([3], seed: 3)
        let mean = random([3], seed: 4), variance = positive([3], seed: 99)
        let expected = referenceBatchNorm(x, gamma: gamma, beta: beta, runningMean: mean,
                                          runningVariance: variance, training: true)
        let tape = Tape(recording: false)
        let y = batchNorm(tape.constant(x), gamma: tape.constant(gamma), beta: tape.constant(beta),
                          runningMean: mean, runningVariance: variance, training: true)
        XCTAssertLessThan(maxAbsDifference(y.value, expected.output), 1e-4)
        XCTAssertLessThan(maxAbsDifference(mean, expected.runningMean), 1e-5)
        XCTAssertLessThan(maxAbsDifference(variance, expected.runningVariance), 1e-5)
    }

    func testBatchNormEvaluationUsesRunningStatisticsAndLeavesThem() {
        let x = random([2, 3, 4, 4], seed: 6)
        let gamma = random([3], seed: 7), beta = random([3], seed: 8)
        let mean = random([3], seed: 9), variance = positive([3], seed: 99)
        let before = (mean.copy(), variance.copy())
        let expected = referenceBatchNorm(x, gamma: gamma, beta: beta, runningMean: mean,
                                          runningVariance: variance, training: false)
        let tape = Tape(recording: false)
        let y = batchNorm(tape.constant(x), gamma: tape.constant(gamma), beta: tape.constant(beta),
                          runningMean: mean, runningVariance: variance, training: false)
        XCTAssertLessThan(maxAbsDifference(y.value, expected.output), 1e-5)
        XCTAssertTrue(bitIdentical(mean, before.0) && bitIdentical(variance, before.1))
    }

    func testBatchNormGradients() {
        let inputs = [random([2, 3, 3, 5], seed: 10, mean: 0.3, std: 1.5), random([3], seed: 11, mean: 1, std: 0.3),
                      random([3], seed: 12)]
        for training in [true, false] {
            let mean = random([3], seed: 13), variance = positive([3], seed: 99)
            let failures = checkGradients(inputs: inputs) { _, v in
                batchNorm(v[0], gamma: v[1], beta: v[2], runningMean: mean, runningVariance: variance,
                          training: training).node
            }
            XCTAssertEqual(failures.map(\.description), [], "training \(training)")
        }
    }

    /// Values on a grid 0.1 apart in random order: no ties, and no max changes under the checker's
    /// ±0.01 perturbations.
    func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
        values.shuffle(using: &rng)
        return Tensor(values, shape: shape)
    }

    func testMaxPoolPicksTheBlockMaximumAndRoutesItsGradient() {
        let x = distinctValues([2, 3, 4, 6], seed: 14)
        let tape = Tape(recording: false)
        let y = maxPool2x2(tape.constant(x)).value
        XCTAssertEqual(y.shape, [2, 3, 2, 3])
        for n in 0..<2 { for c in 0..<3 { for i in 0..<2 { for j in 0..<3 {
            let block = [x[n, c, 2 * i, 2 * j], x[n, c, 2 * i, 2 * j + 1], x[n, c, 2 * i + 1, 2 * j], x[n, c, 2 * i + 1, 2 * j + 1]]
            XCTAssertEqual(y[n, c, i, j], block.max()!)
        } } } }
        XCTAssertEqual(checkGradients(inputs: [x]) { _, v in maxPool2x2(v[0]).node }.map(\.description), [])
    }

    func testMaxPoolTiesGoToTheFirstPosition() {
        let x = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        let tape = Tape()
        let leaf = tape.leaf(x)
        tape.backward(from: sum(maxPool2x2(leaf)))
        XCTAssertEqual(leaf.gradient!.array, [1, 0, 0, 0])
    }

    func testReluAndSigmoid() {
        // Keep |x| ≥ 0.1 so the ±0.01 finite differences never straddle ReLU's kink.
        let x = random([2, 3, 5, 5], seed: 15)   // 150 values: SIMD8 vectors and a tail
        for i in 0..<x.count where abs(x.pointer[i]) < 0.1 { x.pointer[i] = x.pointer[i] < 0 ? -0.1 : 0.1 }
        let tape = Tape(recording: false)
        let r = relu(tape.constant(x)).value, s = sigmoid(tape.constant(x)).value
        for i in 0..<x.count {
            XCTAssertEqual(r.pointer[i], max(x.pointer[i], 0))
            XCTAssertEqual(Double(s.pointer[i]), 1 / (1 + exp(-Double(x.pointer[i]))), accuracy: 1e-6)
        }
        XCTAssertEqual(checkGradients(inputs: [x]) { _, v in relu(v[0]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: [x]) { _, v in sigmoid(v[0]).node }.map(\.description), [])
    }

    /// ReLU's bit mask against the plain loop `x̄ += ȳ where x > 0`, bit for bit: a size with a tail of
    /// five, a size split over two threads with a group boundary inside a chunk, zeros of both signs.
    func testReluMaskMatchesThePlainLoop() {
        let threads = Parallel.threads
        defer { Parallel.threads = threads }
        for (count, workers) in [(77, 1), (70_003, 2)] {
            Parallel.threads = workers
            let x = random([count], seed: 18), g = random([count], seed: 19)
            for i in stride(from: 0, to: count, by: 11) { x.pointer[i] = i % 2 == 0 ? 0 : -0.0 }
            let tape = Tape()
            let xv = tape.leaf(x)
            tape.backward(from: relu(xv).node, seed: g)
            let expected = Tensor(zeros: [count])
            for i in 0..<count where x.pointer[i] > 0 { expected.pointer[i] += g.pointer[i] }
            XCTAssertTrue(xv.gradient!.isBitIdentical(to: expected), "\(count) elements, \(workers) threads")
        }
    }

    func testConcatChannels() {
        let a = random([2, 3, 2, 3], seed: 16), b = random([2, 2, 2, 3], seed: 17)
        let tape = Tape(recording: false)
        let y = concatChannels(tape.constant(a), tape.constant(b)).value
        XCTAssertEqual(y.shape, [2, 5, 2, 3])
        for n in 0..<2 { for c in 0..<5 { for i in 0..<2 { for j in 0..<3 {
            XCTAssertEqual(y[n, c, i, j], c < 3 ? a[n, c, i, j] : b[n, c - 3, i, j])
        } } } }
        XCTAssertEqual(checkGradients(inputs: [a, b]) { _, v in concatChannels(v[0], v[1]).node }.map(\.description), [])
    }
}
