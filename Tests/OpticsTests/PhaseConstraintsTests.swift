import Optics
import XCTest

final class PhaseConstraintsTests: XCTestCase {
    func testRejectsImpossibleSettings() {
        XCTAssertThrowsError(try PhaseConstraints(levels: 1))
        XCTAssertThrowsError(try PhaseConstraints(levels: 4, stroke: 0))
        XCTAssertThrowsError(try PhaseConstraints(levels: 4, stroke: 7))
        XCTAssertThrowsError(try PhaseConstraints(levels: 3, levelPhases: [0, 2, 1]))
        XCTAssertThrowsError(try PhaseConstraints(levels: 3, levelPhases: [0, 1]))
    }

    func testReachablePhasesRespectTheStroke() throws {
        let full = try PhaseConstraints(levels: 4)
        XCTAssertEqual(full.reachablePhases.count, 4)
        XCTAssertTrue(full.isUniformFullStroke)
        let short = try PhaseConstraints(levels: 4, stroke: 1.4 * Double.pi)
        XCTAssertEqual(short.reachablePhases, [0, Double.pi / 2, Double.pi])
    }

    func testWrapPhase() {
        XCTAssertEqual(wrapPhase(-0.5), 2 * Double.pi - 0.5, accuracy: 1e-12)
        XCTAssertEqual(wrapPhase(7.0), 7.0 - 2 * Double.pi, accuracy: 1e-12)
        XCTAssertEqual(wrapPhase(2 * Double.pi), 0, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(wrapPhase(-1e-17), 0)
        XCTAssertLessThan(wrapPhase(-1e-17), 2 * Double.pi)
    }

    /// Just below 2π in Double is 2π in Float: the Float wrap maps it to 0 (the same phase).
    func testWrapPhaseToFloatStaysBelowTwoPi() {
        let justBelow = 2 * Double.pi - 1e-9
        XCTAssertEqual(Float(wrapPhase(justBelow)), Float(2 * Double.pi))
        XCTAssertEqual(wrapPhaseToFloat(justBelow), 0)
        XCTAssertEqual(wrapPhaseToFloat(-0.5), Float(2 * Double.pi - 0.5))
        XCTAssertEqual(wrapPhaseToFloat(1.25), 1.25)
    }
}
