import TensorCore
import TestSupport
import XCTest

/// The recorded FFTW wisdom (TensorCore/FFTWisdom.swift): accepted by the installed FFTW, used for
/// the single-slice plans of its sides, correct, and forgotten once the plan is made.
final class FFTWisdomTests: XCTestCase {
    func key(_ side: Int, inPlace: Bool = true, batch: Int = 1) -> FFTPlanCache.Key {
        FFTPlanCache.key(batch: batch, height: side, width: side, forward: true, inPlace: inPlace, threads: 1)
    }

    func testRecordedWisdomIsAcceptedForEverySide() {
        XCTAssertEqual(FFTWisdom.sides, [96, 192])
        for side in FFTWisdom.sides {
            XCTAssertTrue(FFTWisdom.isAccepted(side: side), "FFTW rejects the wisdom recorded for \(side); record it again (phasemask bench fft --record-wisdom)")
        }
        XCTAssertFalse(FFTWisdom.isAccepted(side: 64))
    }

    /// The wisdom changes the 96×96 plan, and does not stay behind: a plan made without it afterwards
    /// is the one FFTW_ESTIMATE made before it was ever imported.
    func testWisdomIsUsedAndThenForgotten() {
        for inPlace in [true, false] {
            let before = FFTWisdom.planDescription(key(96, inPlace: inPlace), usingWisdom: false)
            let recorded = FFTWisdom.planDescription(key(96, inPlace: inPlace))
            let after = FFTWisdom.planDescription(key(96, inPlace: inPlace), usingWisdom: false)
            XCTAssertNotEqual(recorded, before)
            XCTAssertEqual(after, before)
        }
        // Batched plans and other sides plan as before.
        XCTAssertEqual(FFTWisdom.planDescription(key(96, batch: 2)), FFTWisdom.planDescription(key(96, batch: 2), usingWisdom: false))
        XCTAssertEqual(FFTWisdom.planDescription(key(64)), FFTWisdom.planDescription(key(64), usingWisdom: false))
    }

    /// The single-slice 96×96 transform (recorded plan) agrees with the batched one (ESTIMATE plan).
    func testRecordedPlanComputesTheSameTransform() {
        let slice = randomField([1, 96, 96], seed: 11)
        let pair = ComplexField(uninitialized: [2, 96, 96])
        for half in 0..<2 { (pair.pointer + half * slice.storage.count).update(from: slice.pointer, count: slice.storage.count) }
        let single = slice.copy()
        FFT.forward(single, into: single)
        let batched = FFT.forward(pair)
        let scale = maxAbs(batched.storage)
        XCTAssertLessThan(maxAbsDifference(single.storage, Tensor(Array(batched.storage.buffer.prefix(single.storage.count)),
                                                                   shape: single.storage.shape)), 1e-5 * scale)
        FFT.inverse(single, into: single)
        XCTAssertLessThan(maxAbsDifference(single.storage, slice.storage), 1e-5 * maxAbs(slice.storage))
    }
}
