import Foundation
import Autodiff
import TensorCore
import TestSupport
import XCTest

/// Finite-difference checks for every complex op. Complex inputs are passed to the checker as their
/// interleaved storage `[..., 2]`, so the checked gradient is exactly ∂L/∂Re + j∂L/∂Im.
final class ComplexGradientTests: XCTestCase {
    func normals(_ shapes: [[Int]], seed: UInt64 = 11) -> [Tensor] {
        var rng = SeededGenerator(seed: seed)
        return shapes.map { Tensor.normal($0, generator: &rng) }
    }

    func assertGradients(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                         _ f: @escaping (Tape, [Variable]) -> Node) {
        let failures = checkGradients(inputs: inputs, f)
        XCTAssertEqual(failures.map(\.description), [], file: file, line: line)
    }

    func testMultiplyConjugateAbs2() {
        let xs = normals([[2, 3, 2], [2, 3, 2]])
        assertGradients(xs) { _, v in (ComplexVariable(v[0]) * ComplexVariable(v[1])).node }
        assertGradients(xs) { _, v in conjugate(ComplexVariable(v[0])).node }
        assertGradients(xs) { _, v in abs2(ComplexVariable(v[0]) * conjugate(ComplexVariable(v[1]))).node }
    }

    func testRealComplexPacking() {
        let xs = normals([[2, 3, 4], [2, 3, 4]])
        assertGradients(xs) { _, v in complex(real: v[0], imaginary: v[1] * v[1]).node }
        let zs = normals([[2, 3, 4, 2]])
        assertGradients(zs) { _, v in (realPart(ComplexVariable(v[0])) * imaginaryPart(ComplexVariable(v[0]))).node }
        assertGradients(zs) { _, v in packChannels(ComplexVariable(v[0])).node }
        let images = normals([[2, 2, 3, 4]])
        assertGradients(images) { _, v in unpackChannels(v[0]).node }
    }

    func testPackChannelsLayoutAndRoundTrip() {
        let z = randomField([2, 3, 4], seed: 3)
        let tape = Tape(recording: false)
        let packed = packChannels(tape.constant(z))
        XCTAssertEqual(packed.shape, [2, 2, 3, 4])
        XCTAssertEqual(packed.value[1, 0, 2, 3], z[(1 * 3 + 2) * 4 + 3].re)
        XCTAssertEqual(packed.value[1, 1, 2, 3], z[(1 * 3 + 2) * 4 + 3].im)
        XCTAssertTrue(bitIdentical(unpackChannels(packed).node.value, z.storage))
    }

    func testNormalizationAndPerSampleScale() {
        let zs = normals([[3, 2, 5, 2], [3]])
        assertGradients(zs) { _, v in normalizePerSample(ComplexVariable(v[0])).node }
        assertGradients(zs) { _, v in scalePerSample(ComplexVariable(v[0]), by: v[1]).node }
        let tape = Tape(recording: false)
        let u = normalizePerSample(tape.constant(ComplexField(storage: zs[0]))).field
        for b in 0..<3 {
            var s = 0.0
            for k in 0..<10 { s += Double(u[b * 10 + k].re * u[b * 10 + k].re + u[b * 10 + k].im * u[b * 10 + k].im) }
            XCTAssertEqual(s, 1, accuracy: 1e-5)
        }
    }

    func testGlobalPhaseAlignment() {
        let zs = normals([[3, 2, 5, 2]], seed: 21)
        assertGradients(zs) { _, v in alignGlobalPhase(ComplexVariable(v[0])).node }
        // Through a loss that depends on the phase of the output, so the rotation's own gradient matters.
        assertGradients(zs) { _, v in realPart(alignGlobalPhase(ComplexVariable(v[0]))).node }
        let tape = Tape(recording: false)
        let z = ComplexField(storage: zs[0])
        let out = alignGlobalPhase(tape.constant(z)).field
        for b in 0..<3 {
            var sr = 0.0, si = 0.0
            for k in 0..<10 { sr += Double(out[b * 10 + k].re); si += Double(out[b * 10 + k].im) }
            XCTAssertGreaterThan(sr, 0)
            XCTAssertEqual(si, 0, accuracy: 1e-5 * sr)
            // out = e^{jθ}·z with one θ per sample: out·conj(z) has the same phase for every k.
            let ref = out[b * 10].re * z[b * 10].re + out[b * 10].im * z[b * 10].im
            let refIm = out[b * 10].im * z[b * 10].re - out[b * 10].re * z[b * 10].im
            let theta = atan2(Double(refIm), Double(ref))
            for k in 1..<10 {
                let o = out[b * 10 + k], zk = z[b * 10 + k]
                let re = Double(o.re * zk.re + o.im * zk.im), im = Double(o.im * zk.re - o.re * zk.im)
                XCTAssertEqual(atan2(im, re), theta, accuracy: 1e-4)
                XCTAssertEqual(re * re + im * im, Double(zk.re * zk.re + zk.im * zk.im) * Double(zk.re * zk.re + zk.im * zk.im),
                               accuracy: 1e-4)
            }
        }
        // A sample whose sum is zero has no phase to remove and passes through unchanged.
        let balanced = ComplexField(storage: Tensor([1, 0, -1, 0], shape: [1, 2, 2]))
        XCTAssertTrue(bitIdentical(alignGlobalPhase(tape.constant(balanced)).field.storage, balanced.storage))
    }

    func testMeanOverSnapshots() {
        let xs = normals([[2, 3, 2, 4], [2, 3, 2, 4, 2]])
        assertGradients(xs) { _, v in meanOverSnapshots(v[0]).node }
        assertGradients(xs) { _, v in meanOverSnapshots(ComplexVariable(v[1])).node }
        let tape = Tape(recording: false)
        let m = meanOverSnapshots(tape.constant(xs[0]))
        XCTAssertEqual(m.shape, [2, 2, 4])
        let expected = (xs[0][1, 0, 1, 2] + xs[0][1, 1, 1, 2] + xs[0][1, 2, 1, 2]) / 3
        XCTAssertEqual(m.value[1, 1, 2], expected, accuracy: 1e-6)
    }

    func testFourierGradients() {
        let zs = normals([[2, 4, 6, 2]])
        assertGradients(zs) { _, v in fft2(ComplexVariable(v[0])).node }
        assertGradients(zs) { _, v in ifft2(ComplexVariable(v[0])).node }
        assertGradients(zs) { _, v in abs2(fft2(ComplexVariable(v[0]))).node }
    }

    func testModulationGradients() {
        let xs = normals([[3, 4, 5], [2, 4, 5, 2]])
        assertGradients(xs) { _, v in modulate(phase: v[0], field: ComplexVariable(v[1])).node }
        assertGradients(xs) { _, v in abs2(fft2(modulate(phase: v[0], field: ComplexVariable(v[1])))).node }
    }

    func testModulationMatchesDefinition() {
        let phase = normals([[2, 3, 3]])[0]
        let x = randomField([2, 3, 3], seed: 5)
        let out = modulate(phase: Tape(recording: false).constant(phase), field: Tape(recording: false).constant(x)).field
        XCTAssertEqual(out.shape, [2, 2, 3, 3])
        let (b, l, k) = (1, 1, 7)
        let m = (cos(phase.pointer[l * 9 + k]), sin(phase.pointer[l * 9 + k])), v = x[b * 9 + k]
        let o = out[(b * 2 + l) * 9 + k]
        XCTAssertEqual(o.re, m.0 * v.re - m.1 * v.im, accuracy: 1e-6)
        XCTAssertEqual(o.im, m.0 * v.im + m.1 * v.re, accuracy: 1e-6)
    }

    func testFilter2DGradientsAndReference() {
        let xs = normals([[2, 5, 6, 2], [3, 3]])
        assertGradients(xs) { _, v in filter2D(ComplexVariable(v[0]), kernel: v[1]).node }
        let k5 = normals([[5, 5]], seed: 4)[0]
        let z = randomField([2, 7, 6], seed: 9)
        let fast = filter2D(Tape(recording: false).constant(z), kernel: Tape(recording: false).constant(k5)).field
        XCTAssertLessThan(maxAbsDifference(fast.storage, naiveFilter2D(z, kernel: k5).storage), 1e-5)
    }

    /// The output is linear in ψ, so `ḡψ[a, c] = Re⟨ḡ, e_ac ⋆ z⟩` with `e_ac` the one-hot kernel; checked
    /// with the plain-loop filter at a width whose rows (2W = 18 floats) end in a partial vector.
    func testFilter2DKernelGradientMatchesOneHotReference() {
        let z = randomField([3, 5, 9], seed: 21), gOut = randomField([3, 5, 9], seed: 22)
        let k = normals([[5, 5]], seed: 23)[0]
        let tape = Tape()
        let kv = tape.leaf(k)
        tape.backward(from: filter2D(tape.constant(z), kernel: kv).node, seed: gOut.storage)
        let expected = Tensor(zeros: [5, 5])
        for t in 0..<25 {
            let oneHot = Tensor(zeros: [5, 5])
            oneHot.pointer[t] = 1
            let shifted = naiveFilter2D(z, kernel: oneHot).storage
            var dot = 0.0
            for i in 0..<shifted.count { dot += Double(shifted.pointer[i]) * Double(gOut.storage.pointer[i]) }
            expected.pointer[t] = Float(dot)
        }
        XCTAssertLessThan(maxAbsDifference(kv.gradient!, expected), 1e-4 * maxAbs(expected))
    }

    func testFilter2DIsDeterministicAcrossThreadCounts() {
        let z = randomField([4, 8, 8], seed: 2), k = normals([[5, 5]])[0]
        func kernelGradient() -> Tensor {
            let tape = Tape()
            let kv = tape.leaf(k)
            let out = filter2D(tape.constant(z), kernel: kv)
            tape.backward(from: out.node, seed: z.storage)
            return kv.gradient!
        }
        let one = kernelGradient()
        Parallel.threads = 2
        defer { Parallel.threads = 1 }
        XCTAssertLessThan(maxAbsDifference(one, kernelGradient()), 1e-4 * maxAbs(one))
    }
}

/// Adjointness ⟨A x, y⟩ = ⟨x, Aᴴ y⟩ for the linear ops, with Aᴴ y taken from the op's pullback
/// (seeding the backward pass with y yields ḡx = Aᴴ y under the tape's gradient convention).
final class ComplexAdjointnessTests: XCTestCase {
    /// Returns (A x, Aᴴ y) for the op `apply`, the latter through the tape.
    func forwardAndAdjoint(_ x: ComplexField, _ y: ComplexField,
                           _ apply: (ComplexVariable) -> ComplexVariable) -> (ComplexField, ComplexField) {
        let tape = Tape()
        let xv = tape.leaf(x)
        let out = apply(xv)
        tape.backward(from: out.node, seed: y.storage)
        return (out.field.copy(), xv.gradient!)
    }

    func assertAdjoint(_ x: ComplexField, _ y: ComplexField, file: StaticString = #filePath, line: UInt = #line,
                       _ apply: (ComplexVariable) -> ComplexVariable) -> ComplexField {
        let (ax, ahy) = forwardAndAdjoint(x, y, apply)
        let lhs = innerProduct(ax, y), rhs = innerProduct(x, ahy)
        let scale = (x.squaredNorm() * y.squaredNorm()).squareRoot()
        XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-5 * scale, file: file, line: line)
        XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-5 * scale, file: file, line: line)
        return ahy
    }

    func testFFT2AndIFFT2() {
        let x = randomField([2, 6, 5], seed: 1), y = randomField([2, 6, 5], seed: 2)
        let fh = assertAdjoint(x, y) { fft2($0) }
        _ = assertAdjoint(x, y) { ifft2($0) }
        // The pullback of F is the inverse transform, computed independently.
        XCTAssertLessThan(maxAbsDifference(fh.storage, FFT.inverse(y).storage), 1e-5)
        // ⟨F x, y⟩ = ⟨x, IFFT2 y⟩ using the forward ops only.
        let tape = Tape(recording: false)
        let lhs = innerProduct(fft2(tape.constant(x)).field, y), rhs = innerProduct(x, ifft2(tape.constant(y)).field)
        XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-4)
        XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-4)
    }

    func testFilter2DAdjointIsFlippedKernelCorrelation() {
        var rng = SeededGenerator(seed: 3)
        let kernel = Tensor.normal([5, 5], generator: &rng)
        let x = randomField([2, 7, 6], seed: 4), y = randomField([2, 7, 6], seed: 5)
        let tape = Tape(recording: false)
        let ahy = assertAdjoint(x, y) { filter2D($0, kernel: $0.tape.constant(kernel)) }
        let flipped = filter2D(tape.constant(y), kernel: tape.constant(flippedKernel(kernel))).field
        XCTAssertLessThan(maxAbsDifference(ahy.storage, flipped.storage), 1e-5)
    }

    func testModulation() {
        var rng = SeededGenerator(seed: 6)
        let phase = Tensor.uniform([3, 4, 5], low: 0, high: 6.3, generator: &rng)
        let x = randomField([2, 4, 5], seed: 7), y = randomField([2, 3, 4, 5], seed: 8)
        let ahy = assertAdjoint(x, y) { modulate(phase: $0.tape.constant(phase), field: $0) }
        // Aᴴ y = Σ_ℓ exp(−jφ_ℓ) ⊙ y_ℓ, written out.
        let expected = ComplexField(zeros: [2, 4, 5])
        for b in 0..<2 {
            for l in 0..<3 {
                for k in 0..<20 {
                    let p = phase.pointer[l * 20 + k], (yr, yi) = y[(b * 3 + l) * 20 + k]
                    let (er, ei) = expected[b * 20 + k]
                    expected[b * 20 + k] = (er + cos(p) * yr + sin(p) * yi, ei + cos(p) * yi - sin(p) * yr)
                }
            }
        }
        XCTAssertLessThan(maxAbsDifference(ahy.storage, expected.storage), 1e-5)
    }
}
