import Autodiff
import TensorCore
import TestSupport
import XCTest

final class ElementwiseGradientTests: XCTestCase {
    func inputs(_ shapes: [[Int]], seed: UInt64 = 1) -> [Tensor] {
        var rng = SeededGenerator(seed: seed)
        return shapes.map { Tensor.normal($0, generator: &rng) }
    }

    func testArithmetic() {
        let xs = inputs([[2, 3], [2, 3]])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in (v[0] + v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in (v[0] - v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in (v[0] * v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in (2.5 * v[0]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in v[0].reshaped([3, 2]).node }.map(\.description), [])
    }

    func testReductionsAndLoss() {
        let xs = inputs([[3, 2, 2], [3, 2, 2]])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in sum(v[0] * v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in mean(v[0] * v[0]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in sumPerSample(v[0] * v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in meanPerSample(v[0] * v[1]).node }.map(\.description), [])
        XCTAssertEqual(checkGradients(inputs: xs) { _, v in meanSquaredError(v[0], v[1]).node }.map(\.description), [])
    }

    /// The checker itself must catch a wrong gradient, or its passing means nothing.
    func testCheckerRejectsAWrongGradient() {
        let xs = inputs([[4]])
        let failures = checkGradients(inputs: xs) { tape, v in
            // Forward computes 3x, backward claims 2x.
            let out = v[0].value.copy()
            for i in 0..<out.count { out.pointer[i] *= 3 }
            return tape.record(out, op: CheckerTestOp.wrongGradient, inputs: [v[0].node]) { g, inputs in
                inputs[0].gradient?.accumulate(g, scale: 2)
            }
        }
        XCTAssertFalse(failures.isEmpty)
    }

    func testFrozenParameterGetsNoGradient() {
        let p = Parameter("w", Tensor([1, 2], shape: [2]), frozen: true)
        let q = Parameter("v", Tensor([3, 4], shape: [2]))
        let tape = Tape()
        let loss = sum(tape.variable(p) * tape.variable(q))
        tape.backward(from: loss)
        XCTAssertEqual(p.gradient.array, [0, 0])
        XCTAssertEqual(q.gradient.array, [1, 2])
    }

    func testGradientsAccumulateAcrossUses() {
        let q = Parameter("v", Tensor([3], shape: [1]))
        let tape = Tape()
        let x = tape.variable(q)
        tape.backward(from: sum(x * x + x))   // d/dx (x² + x) = 2x + 1 = 7
        XCTAssertEqual(q.gradient.array, [7])
    }
}

final class TapeLifetimeTests: XCTestCase {
    /// A discarded tape must free itself and its tensors (pullbacks must not form retain cycles).
    func testDiscardedTapeIsFreed() {
        weak var weakTape: Tape?
        weak var weakValue: Tensor?
        do {
            let tape = Tape()
            weakTape = tape
            let p = Parameter("w", Tensor([1, 2, 3], shape: [3]))
            let x = tape.variable(p)
            let y = x * x + x
            weakValue = y.value
            tape.backward(from: sum(y))
        }
        XCTAssertNil(weakTape)
        XCTAssertNil(weakValue)
    }

    /// A recording tape abandoned before backward is freed with its last reference: pullbacks get their
    /// inputs as arguments and capture no variable, so nothing points back at the tape.
    func testAbandonedRecordingTapeIsFreed() {
        weak var weakTape: Tape?
        weak var weakValue: Tensor?
        do {
            let tape = Tape()
            weakTape = tape
            let x = tape.leaf(Tensor([1, 2], shape: [2]))
            let y = sum(x * x + 2 * x)
            weakValue = y.value
            XCTAssertEqual(tape.recordedOps, ["multiply", "scale", "add", "sum"])
        }
        XCTAssertNil(weakTape)
        XCTAssertNil(weakValue)
    }

    /// `reset()` releases the recorded graph while the tape itself is kept.
    func testResetReleasesTheGraph() {
        let tape = Tape()
        weak var weakValue: Tensor?
        do {
            let x = tape.leaf(Tensor([1, 2], shape: [2]))
            let y = x * x
            weakValue = y.value
            _ = y * y   // whose pullback reads y: the graph keeps it
        }
        XCTAssertNotNil(weakValue)
        tape.reset()
        XCTAssertEqual(tape.recordedCount, 0)
        XCTAssertNil(weakValue)
    }

    /// A recording tape abandoned before backward is freed after `reset()`.
    func testResetTapeIsFreed() {
        weak var weakTape: Tape?
        do {
            let tape = Tape()
            weakTape = tape
            let x = tape.leaf(Tensor([1, 2], shape: [2]))
            _ = x * x
            tape.reset()
        }
        XCTAssertNil(weakTape)
    }
}

/// An op that exists only to prove the checker catches a wrong gradient.
private enum CheckerTestOp: String, OpCatalog {
    case wrongGradient
    var isLinearOperator: Bool { false }
}
