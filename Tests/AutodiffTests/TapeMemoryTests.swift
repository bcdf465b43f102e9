import Autodiff
import TensorCore
import XCTest

/// What the tape keeps for the backward pass, and when it lets go (Tape, "Memory").
final class TapeMemoryTests: XCTestCase {
    /// A recorded output that no pullback reads (here the scaled input of a ReLU, which keeps a bit mask,
    /// and the ReLU's output, which `sum` does not read) is freed in the forward pass once its variable
    /// is dropped; the gradients are unchanged.
    func testOutputNoPullbackReadsIsFreedInTheForwardPass() {
        let tape = Tape()
        let x = tape.leaf(Tensor([-1, 2, -3, 4, 0, 6, -7, 8, 9], shape: [9]))
        weak var scaled: Tensor?
        weak var rectified: Tensor?
        var loss: Variable
        do {
            let a = 2 * x
            scaled = a.value
            let b = relu(a)
            rectified = b.value
            loss = sum(b)
        }
        XCTAssertNil(scaled, "the ReLU's input is not kept for the backward pass")
        XCTAssertNil(rectified, "nor its output")
        XCTAssertEqual(tape.keptValues().map(\.op).filter { $0 == "scale" }, [])
        tape.backward(from: loss)
        XCTAssertEqual(x.gradient?.array, [0, 2, 0, 2, 0, 2, 0, 2, 2])
    }

    /// An output whose consumer reads it stays on the tape until the backward pass is through with
    /// it, and `keptValues` counts it under the op that computed it.
    func testPinnedOutputIsKeptAndReported() {
        let tape = Tape()
        let x = tape.leaf(Tensor([1, 2, 3], shape: [3]))
        weak var product: Tensor?
        var loss: Variable
        do {
            let p = x * x
            product = p.value
            loss = sum(p * x)   // multiply reads p
        }
        XCTAssertNotNil(product)
        let kept = Dictionary(uniqueKeysWithValues: tape.keptValues().map { ($0.op, $0.bytes) })
        XCTAssertEqual(kept["multiply"], 3 * 4)
        XCTAssertEqual(kept["input"], 3 * 4)
        tape.backward(from: loss)
        XCTAssertNil(product)
        XCTAssertEqual(x.gradient?.array, [3, 12, 27])   // d(x³)/dx
    }

    /// The backward pass releases each node (value, gradient, saved tensors) as soon as its pullback
    /// has run, not at the end: when the first recorded op's pullback runs, the later intermediates
    /// are already gone.
    func testBackwardReleasesEachNodeAfterItsPullback() {
        final class Probe { weak var later: Tensor?; var laterAliveWhenProbeRan: Bool? }
        let probe = Probe()
        let tape = Tape()
        let x = tape.leaf(Tensor([1, 2, 3], shape: [3]))
        var loss: Variable
        do {
            let first = Variable(node: tape.record(x.value.copy(), op: ProbeOp.probe, inputs: [x.node]) { g, inputs in
                probe.laterAliveWhenProbeRan = probe.later != nil
                inputs[0].gradient?.accumulate(g)
            }, tape: tape)
            let square = first * first
            probe.later = square.value
            loss = sum(square * square)
        }
        XCTAssertNotNil(probe.later, "multiply keeps its input for the backward pass")
        tape.backward(from: loss)
        XCTAssertEqual(probe.laterAliveWhenProbeRan, false)
        XCTAssertEqual(x.gradient?.array, [4, 32, 108])   // d(x⁴)/dx
    }
}

/// An identity op whose pullback observes what the tape still holds.
private enum ProbeOp: String, OpCatalog {
    case probe
    var isLinearOperator: Bool { false }
}
