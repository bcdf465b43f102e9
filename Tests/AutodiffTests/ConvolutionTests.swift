import Autodiff
import TensorCore
import TestSupport
import XCTest

/// conv2d and transposedConv2x2: fast kernels against the plain-loop references, finite-difference
/// gradients, and every tiling path (multi-image tiles, single-image tiles, row tiles; serial and
/// threaded).
final class ConvolutionTests: XCTestCase {
    /// (scratch floats, minimum rows) that force, for the tiny shapes below, bands of one row in the
    /// shifted-rows layout, full im2col on bands of three rows (6×6, 3 input channels), and all images
    /// in one tile.
    static let tilings = [(1, 1), (700, 1), (1 << 20, 8)]

    func withEachTiling(_ body: (String) throws -> Void) rethrows {
        let saved = (ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows)
        defer { (ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows) = saved }
        for (budget, rows) in Self.tilings {
            (ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows) = (budget, rows)
            try body("budget \(budget), minimum rows \(rows)")
        }
    }

    func random(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
        var rng = SeededGenerator(seed: seed)
        return shapes.map { Tensor.normal($0, generator: &rng) }
    }

    func evaluate(_ op: (Variable, Variable, Variable) -> Variable, _ xs: [Tensor]) -> Tensor {
        let tape = Tape(recording: false)
        return op(tape.constant(xs[0]), tape.constant(xs[1]), tape.constant(xs[2])).value
    }

    func testConv3x3MatchesReference() {
        let xs = random([[2, 3, 6, 6], [4, 3, 3, 3], [4]], seed: 1)
        let expected = referenceConv2d(xs[0], weight: xs[1], bias: xs[2])
        withEachTiling { budget in
            let y = evaluate({ conv2d($0, weight: $1, bias: $2) }, xs)
            XCTAssertEqual(y.shape, [2, 4, 6, 6])
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5 * max(1, maxAbs(expected)), budget)
        }
    }

    /// Images no larger than the kernel (the bottleneck of a deep U-Net on a small image).
    func testConv3x3OnTinyImagesMatchesReference() {
        for (h, w) in [(1, 1), (2, 3), (3, 1)] {
            let xs = random([[2, 3, h, w], [2, 3, 3, 3], [2]], seed: 10)
            let expected = referenceConv2d(xs[0], weight: xs[1], bias: xs[2])
            withEachTiling { budget in
                let y = evaluate({ conv2d($0, weight: $1, bias: $2) }, xs)
                XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5 * max(1, maxAbs(expected)), "\(h)x\(w), \(budget)")
                let failures = checkGradients(inputs: xs) { _, v in conv2d(v[0], weight: v[1], bias: v[2]).node }
                XCTAssertEqual(failures.map(\.description), [], "\(h)x\(w), \(budget)")
            }
        }
    }

    /// Images of 16 rows: with the large budget several images share a tile in the shifted-rows
    /// layout, whose products have halo columns between images.
    func testConv3x3AcrossImagesInShiftedRowsMatchesReference() {
        let xs = random([[3, 2, 16, 5], [3, 2, 3, 3], [3]], seed: 11)
        let expected = referenceConv2d(xs[0], weight: xs[1], bias: xs[2])
        withEachTiling { budget in
            let y = evaluate({ conv2d($0, weight: $1, bias: $2) }, xs)
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5 * max(1, maxAbs(expected)), budget)
            let failures = checkGradients(inputs: xs) { _, v in conv2d(v[0], weight: v[1], bias: v[2]).node }
            XCTAssertEqual(failures.map(\.description), [], budget)
        }
    }

    func testConv1x1MatchesReference() {
        let xs = random([[2, 3, 6, 4], [5, 3, 1, 1], [5]], seed: 2)
        let expected = referenceConv2d(xs[0], weight: xs[1], bias: xs[2])
        withEachTiling { budget in
            let y = evaluate({ conv2d($0, weight: $1, bias: $2) }, xs)
            XCTAssertEqual(y.shape, [2, 5, 6, 4])
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5 * max(1, maxAbs(expected)), budget)
        }
    }

    func testTransposedConvMatchesReference() {
        let xs = random([[2, 4, 3, 5], [4, 3, 2, 2], [3]], seed: 3)
        let expected = referenceTransposedConv2x2(xs[0], weight: xs[1], bias: xs[2])
        withEachTiling { budget in
            let y = evaluate({ transposedConv2x2($0, weight: $1, bias: $2) }, xs)
            XCTAssertEqual(y.shape, [2, 3, 6, 10])
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5 * max(1, maxAbs(expected)), budget)
        }
    }

    func testConvGradients() {
        for (k, seed) in [(3, UInt64(4)), (1, UInt64(5))] {
            let xs = random([[2, 3, 6, 6], [4, 3, k, k], [4]], seed: seed)
            withEachTiling { budget in
                let failures = checkGradients(inputs: xs) { _, v in conv2d(v[0], weight: v[1], bias: v[2]).node }
                XCTAssertEqual(failures.map(\.description), [], "k \(k), \(budget)")
            }
        }
    }

    func testTransposedConvGradients() {
        let xs = random([[2, 4, 3, 3], [4, 2, 2, 2], [2]], seed: 6)
        withEachTiling { budget in
            let failures = checkGradients(inputs: xs) { _, v in transposedConv2x2(v[0], weight: v[1], bias: v[2]).node }
            XCTAssertEqual(failures.map(\.description), [], budget)
        }
    }

    /// Gradients of every input for a fixed output seed, as flat tensors [x̄, w̄, b̄].
    func gradients(_ op: (Variable, Variable, Variable) -> Variable, _ xs: [Tensor], seed: Tensor) -> [Tensor] {
        let tape = Tape()
        let leaves = xs.map { tape.leaf($0) }
        let y = op(leaves[0], leaves[1], leaves[2])
        tape.backward(from: y.node, seed: seed)
        return [y.value] + leaves.map { $0.gradient! }
    }

    func testThreadedTilesAgreeWithSerialAndAreReproducible() {
        let saved = (Parallel.threads, ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows, BLAS.threads)
        defer {
            (Parallel.threads, ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows) = (saved.0, saved.1, saved.2)
            BLAS.setThreads(saved.3)
        }
        BLAS.setThreads(1)  // tiles run on their own threads only when OpenBLAS runs on one
        (ConvolutionTiling.scratchFloats, ConvolutionTiling.minimumRows) = (200, 2)
        let ops: [(Variable, Variable, Variable) -> Variable] = [
            { conv2d($0, weight: $1, bias: $2) }, { transposedConv2x2($0, weight: $1, bias: $2) },
        ]
        let inputs = [random([[3, 3, 6, 6], [4, 3, 3, 3], [4]], seed: 7),
                      random([[3, 4, 4, 4], [4, 2, 2, 2], [2]], seed: 8)]
        for (op, xs) in zip(ops, inputs) {
            var rng = SeededGenerator(seed: 9)
            let shape = evaluate(op, xs).shape
            let seed = Tensor.normal(shape, generator: &rng)
            Parallel.threads = 1
            let serial = gradients(op, xs, seed: seed)
            Parallel.threads = 2
            let threaded = gradients(op, xs, seed: seed), again = gradients(op, xs, seed: seed)
            for (a, b) in zip(serial, threaded) {
                XCTAssertLessThan(maxAbsDifference(a, b), 1e-5 * max(1, maxAbs(a)))
            }
            for (a, b) in zip(threaded, again) { XCTAssertTrue(bitIdentical(a, b)) }
        }
    }
}
