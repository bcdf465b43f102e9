import TensorCore
import TestSupport
import XCTest

final class ResizeTests: XCTestCase {
    func testShrinkingByTwoGivesBlockMeans() {
        let x = Tensor((0..<16).map { Float($0 * $0) }, shape: [1, 1, 4, 4])
        let y = x.resized(height: 2, width: 2)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        for u in 0..<2 {
            for v in 0..<2 {
                let block = [x[0, 0, 2 * u, 2 * v], x[0, 0, 2 * u, 2 * v + 1], x[0, 0, 2 * u + 1, 2 * v], x[0, 0, 2 * u + 1, 2 * v + 1]]
                XCTAssertEqual(y[0, 0, u, v], block.reduce(0, +) / 4, accuracy: 1e-4)
            }
        }
    }

    func testShrinkingThreeToTwoUsesPartialOverlaps() {
        // Output 0 covers input [0, 1.5): (1·1 + ½·2)/1.5; output 1 covers [1.5, 3): (½·2 + 1·4)/1.5.
        let y = Tensor([1, 2, 4], shape: [1, 1, 1, 3]).resized(height: 1, width: 2)
        XCTAssertEqual(y.array[0], 4.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(y.array[1], 10.0 / 3, accuracy: 1e-6)
    }

    func testEnlargingTwoToFourIsHalfPixelBilinear() {
        // Axis taps 2 → 4 at s = o/2 − ¼ clamped to [0, 1]: weights on input 1 are 0, ¼, ¾, 1, so
        // out[i][j] = 1 + t[j] + 2·t[i] for input [[1, 2], [3, 4]].
        let y = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2]).resized(height: 4, width: 4)
        let expected: [Float] = [1, 1.25, 1.75, 2,
                                 1.5, 1.75, 2.25, 2.5,
                                 2.5, 2.75, 3.25, 3.5,
                                 3, 3.25, 3.75, 4]
        for (a, b) in zip(y.array, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testConstantImageStaysExactlyConstant() {
        let x = Tensor(repeating: 0.3, shape: [2, 3, 7, 5])
        for (h, w) in [(3, 3), (11, 13), (7, 2), (20, 5)] {
            let y = x.resized(height: h, width: w)
            XCTAssertEqual(y.shape, [2, 3, h, w])
            XCTAssertTrue(y.array.allSatisfy { $0 == 0.3 }, "\(h)×\(w)")
        }
    }

    func testTapsSumToOne() {
        for (input, output) in [(5, 3), (3, 5), (28, 96), (96, 28), (7, 7)] {
            for taps in Resize.axisTaps(input: input, output: output) {
                XCTAssertEqual(taps.weights.reduce(0, +), 1, accuracy: 1e-12)
                XCTAssertTrue(taps.indices.allSatisfy { $0 >= 0 && $0 < input })
            }
        }
    }

    func testMatchesNaiveReferenceAndStaysInRange() {
        var rng = SeededGenerator(seed: 11)
        let x = Tensor.normal([2, 2, 5, 7], generator: &rng)
        for (h, w) in [(9, 4), (3, 10), (5, 7), (2, 3)] {
            let y = x.resized(height: h, width: w)
            XCTAssertLessThan(maxAbsDifference(y, naiveResize(x, height: h, width: w)), 1e-5, "\(h)×\(w)")
            for p in 0..<4 {
                let plane = x.array[p * 35 ..< (p + 1) * 35], out = y.array[p * h * w ..< (p + 1) * h * w]
                XCTAssertGreaterThanOrEqual(out.min()!, plane.min()!)
                XCTAssertLessThanOrEqual(out.max()!, plane.max()!)
            }
        }
    }
}
