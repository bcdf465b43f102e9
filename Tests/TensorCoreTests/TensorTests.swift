import TensorCore
import TestSupport
import XCTest

final class TensorTests: XCTestCase {
    func testRowMajorIndexing() {
        let t = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        XCTAssertEqual(t[1, 2, 3], 23)
        XCTAssertEqual(t[0, 1, 0], 4)
        t[1, 0, 1] = -1
        XCTAssertEqual(t.pointer[13], -1)
    }

    func testSameSeedGivesBitIdenticalDraws() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let x = Tensor.normal([100], generator: &a), y = Tensor.normal([100], generator: &b)
        XCTAssertTrue(bitIdentical(x, y))
        XCTAssertFalse(bitIdentical(x, Tensor.normal([100], generator: &c)))
        var restored = SeededGenerator(state: a.state)
        XCTAssertEqual(restored.next(), a.next())
    }

    func testNormalSamplesHaveUnitVariance() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.normal([20000], generator: &rng)
        let mean = x.sum() / 20000
        var v = 0.0
        for i in 0..<x.count { v += (Double(x.pointer[i]) - mean) * (Double(x.pointer[i]) - mean) }
        // Standard errors for n = 20000 unit normals: mean 1/√n = 0.0071, variance √(2/n) = 0.010; the
        // tolerances are about 4 and 5 of them (the draws are seeded, so this is a check of the sampler's
        // shape, not a flaky statistical test).
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(v / 20000, 1, accuracy: 0.05)
    }

    func testGemmMatchesLoops() {
        var rng = SeededGenerator(seed: 4)
        let (m, n, k) = (5, 7, 3)
        let a = Tensor.normal([k, m], generator: &rng)   // stored transposed
        let b = Tensor.normal([k, n], generator: &rng)
        let c = Tensor(zeros: [m, n])
        BLAS.gemm(transposeA: true, m: m, n: n, k: k, a: a.pointer, b: b.pointer, c: c.pointer)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[p, i] * b[p, j] }
                XCTAssertEqual(c[i, j], s, accuracy: 1e-5)
            }
        }
    }

    func testBufferPoolReusesReleasedBuffers() {
        let pool = BufferPool.shared
        var first: UnsafeMutablePointer<Float>?
        do {
            let t = Tensor(zeros: [777])
            first = t.pointer
        }
        let again = Tensor(zeros: [777])
        XCTAssertEqual(again.pointer, first)
    }

    /// The high-water mark counts from `resetPeak`: it rises by exactly the bytes of tensors alive at
    /// the same time (4 per float) and does not fall when they die. No other test runs meanwhile
    /// (XCTest runs tests one after another), so `liveBytes` changes only here.
    func testBufferPoolPeakCountsFromItsReset() {
        let pool = BufferPool.shared
        pool.resetPeak()
        let base = pool.liveBytes
        XCTAssertEqual(pool.peakLiveBytes, base)
        do {
            let a = Tensor(zeros: [1000]), b = Tensor(zeros: [500])
            XCTAssertEqual(pool.liveBytes, base + 6000)
            withExtendedLifetime((a, b)) {}
        }
        XCTAssertEqual(pool.liveBytes, base)
        XCTAssertEqual(pool.peakLiveBytes, base + 6000, "the peak of two live tensors, 4·(1000 + 500) bytes")
        do { _ = Tensor(zeros: [1000]) }
        XCTAssertEqual(pool.peakLiveBytes, base + 6000, "one smaller tensor later does not raise it")
        pool.resetPeak()
        XCTAssertEqual(pool.peakLiveBytes, base)
    }

    func testComplexFieldPacking() {
        let re = Tensor([1, 2, 3], shape: [3]), im = Tensor([4, 5, 6], shape: [3])
        let z = ComplexField(real: re, imaginary: im)
        XCTAssertEqual(z.shape, [3])
        XCTAssertEqual(z[1].re, 2)
        XCTAssertEqual(z[1].im, 5)
        XCTAssertEqual(z.real.array, [1, 2, 3])
        XCTAssertEqual(z.imaginary.array, [4, 5, 6])
        XCTAssertEqual(z.squaredNorm(), 91)
    }
}
