import Fabrication
import TestSupport
import Foundation
import Optics
import TensorCore
import XCTest

/// Reference nearest level: smallest chord |e^{iφ} − e^{iθ}| (monotone in circular distance), first wins.
func referenceLevel(_ phi: Double, _ levels: [Double]) -> Int {
    var best = 0, bestChord = Double.infinity
    for (k, theta) in levels.enumerated() {
        let chord = hypot(cos(phi) - cos(theta), sin(phi) - sin(theta))
        if chord < bestChord - 1e-12 { best = k; bestChord = chord }
    }
    return best
}

func randomMask(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -10...10) -> Tensor {
    var g = SeededGenerator(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor((0..<n).map { _ in Float.random(in: range, using: &g) }, shape: shape)
}

final class QuantizerTests: XCTestCase {
    func testUniformLevelsMatchTheReference() throws {
        for k in [2, 3, 4, 8] {
            let q = PhaseQuantizer(try PhaseConstraints(levels: k))
            let mask = randomMask([2, 5, 6], seed: UInt64(k))
            let result = try q.quantize(mask)
            let levels = (0..<k).map { 2 * Double.pi * Double($0) / Double(k) }
            for i in 0..<mask.count {
                let expected = referenceLevel(Double(mask.pointer[i]), levels)
                XCTAssertEqual(result.levelIndices[i], expected, "K=\(k) pixel \(i)")
                XCTAssertEqual(Double(result.phases.pointer[i]), levels[expected], accuracy: 1e-6)
            }
            XCTAssertLessThanOrEqual(result.report.maxPhaseError, Double.pi / Double(k) + 1e-6)
        }
    }

    func testPhaseJustBelowTwoPiGoesToLevelZero() throws {
        let q = PhaseQuantizer(try PhaseConstraints(levels: 4))
        XCTAssertEqual(q.levelIndex(forPhase: 2 * Double.pi - 1e-6), 0)
        XCTAssertEqual(q.levelIndex(forPhase: -0.01), 0)
        XCTAssertEqual(q.levelIndex(forPhase: 2 * Double.pi - Double.pi / 4 - 0.01), 3)
        XCTAssertEqual(q.levelIndex(forPhase: 4 * Double.pi + Double.pi / 2 + 0.1), 1)
    }

    func testStrokeGapSnapsToTheNearerEnd() throws {
        let q = PhaseQuantizer(try PhaseConstraints(levels: 4, stroke: 1.4 * Double.pi))
        XCTAssertEqual(q.levelPhases.count, 3)
        XCTAssertEqual(q.levelIndex(forPhase: 1.3 * Double.pi), 2)   // 0.3π from π, 0.7π from 2π
        XCTAssertEqual(q.levelIndex(forPhase: 1.6 * Double.pi), 0)   // 0.6π from π, 0.4π from 2π
        XCTAssertEqual(q.levelIndex(forPhase: 1.5 * Double.pi), 0)   // tie → lower index
        XCTAssertEqual(q.levelIndex(forPhase: 1.49 * Double.pi), 2)
    }

    func testShareBeyondHalfStepCountsTheStrokeGap() throws {
        // Phases spread evenly over the circle; with levels {0, π/2, π} the pixels in (1.25π, 1.75π)
        // are farther than π/4 from every level: a quarter of the circle.
        let n = 400
        let mask = Tensor((0..<n).map { Float(2 * Double.pi * (Double($0) + 0.5) / Double(n)) }, shape: [1, 1, n])
        let short = try PhaseQuantizer(try PhaseConstraints(levels: 4, stroke: 1.4 * Double.pi)).quantize(mask)
        XCTAssertEqual(short.report.shareBeyondHalfStep, 0.25, accuracy: 1.0 / Double(n))
        let full = try PhaseQuantizer(try PhaseConstraints(levels: 4)).quantize(mask)
        XCTAssertEqual(full.report.shareBeyondHalfStep, 0)
    }

    func testMeasuredLevelsMatchTheReference() throws {
        let measured = [0.1, 1.0, 2.5, 4.0, 5.2]
        let q = PhaseQuantizer(try PhaseConstraints(levels: 5, levelPhases: measured))
        let mask = randomMask([1, 8, 8], seed: 7)
        let result = try q.quantize(mask)
        for i in 0..<mask.count {
            XCTAssertEqual(result.levelIndices[i], referenceLevel(Double(mask.pointer[i]), measured))
        }
    }

    func testReportOnAnEvenRampApproachesScalarTheory() throws {
        let n = 4096
        let mask = Tensor((0..<n).map { Float(2 * Double.pi * (Double($0) + 0.5) / Double(n)) }, shape: [1, 64, 64])
        for k in [2, 4, 8, 16] {
            let r = try PhaseQuantizer(try PhaseConstraints(levels: k)).quantize(mask).report
            let step = 2 * Double.pi / Double(k)
            XCTAssertEqual(r.rmsPhaseError, step / 12.0.squareRoot(), accuracy: 1e-3)
            XCTAssertEqual(r.phaseErrorEfficiency, r.uniformLevelEfficiency, accuracy: 1e-4)
        }
    }

    func testPublishedEfficiencies() {
        for (k, published) in [(2, 0.405), (4, 0.811), (8, 0.950), (16, 0.987)] {
            XCTAssertEqual(PhaseQuantizer.uniformLevelEfficiency(levels: k), published, accuracy: 6e-4)
        }
    }

    func testRejectsNonFiniteAndWrongRank() throws {
        let q = PhaseQuantizer(try PhaseConstraints(levels: 4))
        let bad = Tensor([0, 1, .nan, 2], shape: [1, 2, 2])
        XCTAssertThrowsError(try q.quantize(bad, source: "m.h5")) { error in
            XCTAssertTrue("\(error)".contains("m.h5"))
            XCTAssertTrue("\(error)".contains("[0, 1, 0]"))
        }
        XCTAssertThrowsError(try q.quantize(Tensor(zeros: [4, 4])))
    }
}

final class QuantizedMaskRebuildTests: XCTestCase {
    func testRebuildingFromLevelIndicesGivesTheSamePhases() throws {
        let q = PhaseQuantizer(try PhaseConstraints(levels: 8))
        let original = try q.quantize(randomMask([2, 3, 4], seed: 21))
        let rebuilt = try q.mask(levelIndices: original.levelIndices, shape: original.shape)
        XCTAssertTrue(bitIdentical(rebuilt.phases, original.phases))
        XCTAssertThrowsError(try q.mask(levelIndices: [0, 8], shape: [1, 1, 2], source: "f.h5")) {
            XCTAssertTrue("\($0)".contains("f.h5") && "\($0)".contains("8"))
        }
        XCTAssertThrowsError(try q.mask(levelIndices: [0, 1, 2], shape: [1, 1, 2]))
    }
}
