import Foundation
import NeuralNetwork
import XCTest

final class LearningRateScheduleTests: XCTestCase {
    func testConstantIsThePeak() {
        for step in [0, 7, 99] {
            XCTAssertEqual(LearningRateSchedule.constant.rate(peak: 5e-4, step: step, totalSteps: 100, warmupFraction: 0.1), 5e-4)
        }
    }

    /// Warm-up over 10 of 100 steps, then ½(1 + cos(π t/T)): values computed by hand.
    func testCosineWarmUpAndDecay() {
        let s = LearningRateSchedule.cosine
        func r(_ t: Int) -> Double { s.rate(peak: 1, step: t, totalSteps: 100, warmupFraction: 0.1) }
        XCTAssertEqual(r(0), 0.1 * 1.0, accuracy: 1e-12)                                   // (0+1)/10 · ½(1+cos 0)
        XCTAssertEqual(r(4), 0.5 * 0.5 * (1 + cos(Double.pi * 0.04)), accuracy: 1e-12)     // 5/10 of the ramp
        XCTAssertEqual(r(9), 0.5 * (1 + cos(Double.pi * 0.09)), accuracy: 1e-12)           // ramp complete
        XCTAssertEqual(r(50), 0.5, accuracy: 1e-12)                                         // half way: cos(π/2) = 0
        XCTAssertEqual(r(99), 0.5 * (1 + cos(Double.pi * 0.99)), accuracy: 1e-12)
        XCTAssertLessThan(r(99), 1e-3)
        // Without warm-up the first step runs at the peak.
        XCTAssertEqual(s.rate(peak: 2, step: 0, totalSteps: 10, warmupFraction: 0), 2, accuracy: 1e-12)
        // Monotone decay after the warm-up.
        for t in 10..<99 { XCTAssertGreaterThanOrEqual(r(t), r(t + 1)) }
    }

    /// Constant for the first 80 of 100 steps, then (T − t)/D with D = 20: the last step runs at 1/20.
    func testDecayHoldsThePeakThenAnnealsLinearly() {
        let s = LearningRateSchedule.decay
        func r(_ t: Int) -> Double { s.rate(peak: 2, step: t, totalSteps: 100, warmupFraction: 0.5, decayFraction: 0.2) }
        XCTAssertEqual(r(0), 2, accuracy: 1e-12)                // no warm-up, whatever the warm-up share
        XCTAssertEqual(r(80), 2, accuracy: 1e-12)               // (100 − 80)/20 = 1
        XCTAssertEqual(r(90), 1, accuracy: 1e-12)               // half way down
        XCTAssertEqual(r(99), 2.0 / 20, accuracy: 1e-12)
        for t in 80..<99 { XCTAssertGreaterThan(r(t), r(t + 1)) }
        // The whole run as the decay: (T − t)/T from the first step.
        XCTAssertEqual(s.rate(peak: 1, step: 25, totalSteps: 100, warmupFraction: 0, decayFraction: 1), 0.75, accuracy: 1e-12)
    }
}
