import TensorCore
import TestSupport
import XCTest

final class FFTTests: XCTestCase {
    func inner(_ a: ComplexField, _ b: ComplexField) -> (Double, Double) { innerProduct(a, b) }

    func testForwardMatchesNaiveDFT() {
        let x = randomField([3, 6, 5], seed: 1)
        let fast = FFT.forward(x)
        let slow = naiveDFT2(x, sign: -1)
        XCTAssertLessThan(maxAbsDifference(fast.storage, slow.storage), 1e-5)
        let fastInverse = FFT.inverse(x)
        let slowInverse = naiveDFT2(x, sign: +1)
        XCTAssertLessThan(maxAbsDifference(fastInverse.storage, slowInverse.storage), 1e-5)
    }

    func testInverseUndoesForwardAndInPlaceAgrees() {
        let x = randomField([2, 3, 8, 8], seed: 2)
        let y = FFT.forward(x)
        let z = FFT.inverse(y)
        XCTAssertLessThan(maxAbsDifference(x.storage, z.storage), 1e-5)
        let inPlace = x.copy()
        FFT.forward(inPlace, into: inPlace)
        XCTAssertLessThan(maxAbsDifference(inPlace.storage, y.storage), 1e-6)
    }

    /// ⟨F x, y⟩ = ⟨x, Fᴴ y⟩ with Fᴴ the inverse transform (the orthonormal DFT is unitary).
    func testAdjointness() {
        let x = randomField([2, 8, 4], seed: 3), y = randomField([2, 8, 4], seed: 4)
        let lhs = inner(FFT.forward(x), y)
        let rhs = inner(x, FFT.inverse(y))
        XCTAssertEqual(lhs.0, rhs.0, accuracy: 1e-4)
        XCTAssertEqual(lhs.1, rhs.1, accuracy: 1e-4)
    }

    func testParseval() {
        let x = randomField([4, 16, 16], seed: 5)
        XCTAssertEqual(FFT.forward(x).squaredNorm(), x.squaredNorm(), accuracy: 1e-4 * x.squaredNorm())
    }

    func testPlansAreCachedPerShape() {
        let x = randomField([1, 12, 12], seed: 6)
        _ = FFT.forward(x)
        let n = FFTPlanCache.count
        _ = FFT.forward(x)
        _ = FFT.forward(randomField([1, 12, 12], seed: 7))
        XCTAssertEqual(FFTPlanCache.count, n)
        XCTAssertTrue(FFTPlanCache.contains(
            FFTPlanCache.key(batch: 1, height: 12, width: 12, forward: true, inPlace: false, threads: 1)))
    }

    func testThreadedTransformMatchesSingleThreaded() {
        let x = randomField([8, 16, 16], seed: 8)
        let one = FFT.forward(x)
        FFT.threads = 2
        defer { FFT.threads = 1 }
        let two = FFT.forward(x)
        XCTAssertLessThan(maxAbsDifference(one.storage, two.storage), 1e-6)
    }
}
