import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

final class RegularizerTests: XCTestCase {
    func value(_ r: PhaseRegularizer, _ phases: [Float]) -> Double {
        r.value(Tensor(phases, shape: [phases.count]))
    }

    func testQuantizationPenaltyIsZeroExactlyAtTheLevels() throws {
        let r = PhaseRegularizer(constraints: try PhaseConstraints(levels: 4))
        let levels = (-4...7).map { Float($0) * Float.pi / 2 }   // 2πk/4, unwrapped too
        XCTAssertEqual(value(r, levels), 0, accuracy: 1e-6)
        XCTAssertEqual(value(r, [Float.pi / 4]), 2, accuracy: 1e-6)   // midway between levels: 1 − cos(4·π/4) = 2
        XCTAssertGreaterThan(value(r, [0.1]), 0)
        XCTAssertEqual(value(r, [0.3]), 1 - cos(4 * 0.3), accuracy: 1e-6)
    }

    func testStrokePenaltyActsOnlyBeyondTheStroke() throws {
        let stroke = 1.5 * Double.pi
        let r = PhaseRegularizer(constraints: try PhaseConstraints(levels: 4, stroke: stroke))
        let full = PhaseRegularizer(constraints: try PhaseConstraints(levels: 4))
        // Inside [0, stroke] (and its 2π-translates) the two agree.
        for phi: Float in [0.2, 1.0, 3.0, 4.5, -2.0] {
            XCTAssertEqual(value(r, [phi]), value(full, [phi]), accuracy: 1e-6, "φ = \(phi)")
        }
        // 3π/2 + 0.3 is beyond the stroke; 2π·k is reachable again.
        let beyond = Float(stroke) + 0.3
        XCTAssertGreaterThan(value(r, [beyond]), value(full, [beyond]) + 0.5)
        XCTAssertEqual(value(r, [2 * Float.pi]), 0, accuracy: 1e-6)
        // Continuous at the stroke end.
        XCTAssertEqual(value(r, [Float(stroke) + 1e-4]), value(r, [Float(stroke) - 1e-4]), accuracy: 1e-3)
    }

    func testMeasuredLevelsPenalizeDistanceToTheNearestLevel() throws {
        let levels = [0.0, 1.3, 2.9, 4.1]
        let r = PhaseRegularizer(constraints: try PhaseConstraints(levels: 4, stroke: 4.5, levelPhases: levels))
        XCTAssertEqual(value(r, levels.map { Float($0) }), 0, accuracy: 1e-10)
        XCTAssertEqual(value(r, [Float(1.3 + 2 * Double.pi)]), 0, accuracy: 1e-8)
        XCTAssertEqual(value(r, [1.5]), 8 * 0.2 * 0.2, accuracy: 1e-5)   // (K²/2)·d², K = 4
        // 5.9 rad is unreachable; its nearest level is 0 ≡ 2π, 0.383 rad away around the circle.
        XCTAssertEqual(value(r, [5.9]), 8 * pow(2 * Double.pi - 5.9, 2), accuracy: 1e-4)
    }

    func testGradients() throws {
        var rng = SeededGenerator(seed: 1)
        let phi = Tensor.uniform([2, 3, 4], low: -7, high: 7, generator: &rng)
        for constraints in [try PhaseConstraints(levels: 4), try PhaseConstraints(levels: 8, stroke: 1.2 * Double.pi),
                            try PhaseConstraints(levels: 3, stroke: 5, levelPhases: [0.2, 2.0, 4.4])] {
            let r = PhaseRegularizer(constraints: constraints)
            let failures = checkGradients(inputs: [phi], epsilon: 1e-3) { _, v in r(v[0]).node }
            XCTAssertEqual(failures.map(\.description), [], "\(constraints)")
            let tape = Tape(recording: false)
            XCTAssertEqual(Double(r(tape.constant(phi)).value.pointer[0]), r.value(phi), accuracy: 1e-5)
        }
    }
}
