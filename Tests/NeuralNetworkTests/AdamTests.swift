import Autodiff
import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class AdamTests: XCTestCase {
    /// Two steps on a two-element parameter, against the update rule written out in Double.
    func testMatchesHandComputedSteps() {
        let p = Parameter("θ", Tensor([0.5, -1.0], shape: [2]))
        let adam = Adam(parameters: [p], learningRate: 0.1)
        let gradients: [[Double]] = [[0.2, -3.0], [-0.1, 1.0]]
        var theta = [0.5, -1.0], m = [0.0, 0.0], v = [0.0, 0.0]
        let (b1, b2, lr, eps) = (0.9, 0.999, 0.1, 1e-8)
        for (t, g) in gradients.enumerated() {
            p.gradient.assign(Tensor(g.map(Float.init), shape: [2]))
            adam.step()
            if t == 0 {
                // Bias correction makes the first step lr · g/|g| in every coordinate.
                XCTAssertEqual(p.value.array[0], 0.5 - 0.1, accuracy: 1e-6)
                XCTAssertEqual(p.value.array[1], -1.0 + 0.1, accuracy: 1e-6)
            }
            for k in 0..<2 {
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k]
                let mHat = m[k] / (1 - pow(b1, Double(t + 1))), vHat = v[k] / (1 - pow(b2, Double(t + 1)))
                theta[k] -= lr * mHat / (vHat.squareRoot() + eps)
                XCTAssertEqual(Double(p.value.pointer[k]), theta[k], accuracy: 1e-6)
            }
        }
        XCTAssertEqual(adam.currentState.steps, [2])
    }

    func testDefaultsAreThePapers() {
        let adam = Adam(parameters: [])
        XCTAssertEqual(adam.learningRate, 5e-4)
        XCTAssertEqual(adam.beta1, 0.9)
        XCTAssertEqual(adam.beta2, 0.999)
        XCTAssertEqual(adam.epsilon, 1e-8)
    }

    func testFrozenParametersAndTheirStateAreUntouched() {
        let frozen = Parameter("a", Tensor([1, 2], shape: [2]), frozen: true)
        let trained = Parameter("b", Tensor([1, 2], shape: [2]))
        let adam = Adam(parameters: [frozen, trained])
        for p in [frozen, trained] { p.gradient.assign(Tensor([1, -1], shape: [2])) }
        adam.step()
        XCTAssertEqual(frozen.value.array, [1, 2])
        XCTAssertNotEqual(trained.value.array, [1, 2])
        let state = adam.currentState
        XCTAssertEqual(state.steps, [0, 1])
        XCTAssertEqual(state.firstMoments[0].array, [0, 0])
        XCTAssertEqual(state.secondMoments[0].array, [0, 0])
    }

    /// Restoring a saved state continues exactly as an uninterrupted run.
    func testStateRoundTripContinuesBitIdentically() throws {
        func parameters() -> [Parameter] {
            var rng = SeededGenerator(seed: 4)
            return [Parameter("w", Tensor.normal([3, 2], generator: &rng)), Parameter("b", Tensor.normal([2], generator: &rng))]
        }
        func gradient(_ p: Parameter, step: Int) {
            var rng = SeededGenerator(seed: UInt64(100 + step))
            p.gradient.assign(Tensor.normal(p.shape, generator: &rng))
        }
        let straight = parameters(), adam = Adam(parameters: straight)
        for step in 0..<4 { for p in straight { gradient(p, step: step) }; adam.step() }

        let first = parameters(), adamA = Adam(parameters: first)
        for step in 0..<2 { for p in first { gradient(p, step: step) }; adamA.step() }
        let saved = adamA.currentState
        let resumed = parameters()
        for (r, f) in zip(resumed, first) { r.value.assign(f.value) }
        let adamB = Adam(parameters: resumed)
        try adamB.restore(saved)
        for step in 2..<4 { for p in resumed { gradient(p, step: step) }; adamB.step() }
        for (a, b) in zip(straight, resumed) { XCTAssertTrue(bitIdentical(a.value, b.value)) }
    }

    func testRestoreRejectsMismatchedState() {
        let adam = Adam(parameters: [Parameter("w", Tensor(zeros: [2]))])
        let wrongShape = Adam.State(steps: [1], firstMoments: [Tensor(zeros: [3])], secondMoments: [Tensor(zeros: [3])])
        XCTAssertThrowsError(try adam.restore(wrongShape)) { XCTAssertTrue("\($0)".contains("w"), "\($0)") }
        XCTAssertThrowsError(try adam.restore(Adam.State(steps: [], firstMoments: [], secondMoments: [])))
    }
}
