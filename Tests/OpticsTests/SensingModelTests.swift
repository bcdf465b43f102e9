import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

final class SensingModelTests: XCTestCase {
    func masks(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return CodedMasks.random(snapshots: shape[0], height: shape[1], width: shape[2], generator: &rng)
    }

    func testMatchesNaiveReferenceWithAndWithoutOversampling() throws {
        // H = 3, W = 5 with f = 2: odd padding margins exercise the bottom/right extra pixel.
        for (f, shape) in [(1, [2, 4, 6]), (2, [2, 3, 5]), (3, [1, 4, 3])] {
            let x = randomField(shape, seed: 1), phi = masks([3, shape[1], shape[2]], seed: 2)
            let y = try SensingModel(oversampling: f).measure(x, masks: phi)
            XCTAssertEqual(y.shape, [shape[0], 3, f * shape[1], f * shape[2]])
            XCTAssertLessThan(maxAbsDifference(y, naiveCDP(x, masks: phi, oversampling: f)), 1e-4, "f = \(f)")
        }
    }

    /// Each snapshot's CDP sums to the scene's energy Σ|x|² (orthonormal DFT; a phase mask keeps |x|).
    func testParsevalPerSnapshot() throws {
        for f in [1, 2] {
            let x = randomField([3, 6, 5], seed: 3), phi = masks([4, 6, 5], seed: 4)
            let y = try SensingModel(oversampling: f).measure(x, masks: phi)
            let m = y.count / 12
            for b in 0..<3 {
                var sceneNorm = 0.0
                for k in 0..<30 { sceneNorm += Double(x[b * 30 + k].re * x[b * 30 + k].re + x[b * 30 + k].im * x[b * 30 + k].im) }
                for l in 0..<4 {
                    let total = (0..<m).reduce(0.0) { $0 + Double(y.pointer[(b * 4 + l) * m + $1]) }
                    XCTAssertEqual(total, sceneNorm, accuracy: 1e-5 * sceneNorm, "f = \(f), b = \(b), ℓ = \(l)")
                }
            }
        }
    }

    func testInvariantToAGlobalPhase() throws {
        let x = randomField([2, 5, 5], seed: 5), phi = masks([3, 5, 5], seed: 6)
        let c: Float = 1.234
        let rotated = ComplexField(uninitialized: x.shape)
        for k in 0..<x.count {
            let (re, im) = x[k]
            rotated[k] = (cos(c) * re - sin(c) * im, cos(c) * im + sin(c) * re)
        }
        let model = try SensingModel(oversampling: 2)
        let y = model.measure(x, masks: phi), yRotated = model.measure(rotated, masks: phi)
        XCTAssertLessThan(maxAbsDifference(y, yRotated), 1e-5 * maxAbs(y))
    }

    func testZeroMaskGivesFourierIntensity() throws {
        let x = randomField([2, 6, 4], seed: 7)
        let y = try SensingModel().measure(x, masks: Tensor(zeros: [1, 6, 4]))
        let spectrum = FFT.forward(x)
        for k in 0..<spectrum.count {
            let (re, im) = spectrum[k]
            XCTAssertEqual(y.pointer[k], re * re + im * im, accuracy: 1e-5)
        }
    }

    func testGradientsWithRespectToMasksAndScene() throws {
        for f in [1, 2] {
            let model = try SensingModel(oversampling: f)
            let inputs = [masks([2, 4, 3], seed: 8), randomField([2, 4, 3], seed: 9).storage]
            let failures = checkGradients(inputs: inputs) { _, v in
                model.measure(ComplexVariable(v[1]), masks: v[0]).node
            }
            XCTAssertEqual(failures.map(\.description), [], "f = \(f)")
        }
    }

    /// The fused op agrees with modulate → fft2 → abs2 built from the generic ops, values and gradients.
    func testMatchesCompositionOfGenericOps() throws {
        let phi = masks([3, 5, 4], seed: 10), x = randomField([2, 5, 4], seed: 11)
        var rng = SeededGenerator(seed: 12)
        let seed = Tensor.normal([2, 3, 5, 4], generator: &rng)
        func run(_ fused: Bool) -> (Tensor, Tensor, Tensor) {
            let tape = Tape()
            let p = tape.leaf(phi), xv = tape.leaf(x)
            let y = fused ? try! SensingModel().measure(xv, masks: p) : abs2(fft2(modulate(phase: p, field: xv)))
            tape.backward(from: y.node, seed: seed)
            return (y.value, p.gradient!, xv.gradient!.storage)
        }
        let (a, b) = (run(true), run(false))
        XCTAssertLessThan(maxAbsDifference(a.0, b.0), 1e-5)
        XCTAssertLessThan(maxAbsDifference(a.1, b.1), 1e-4)
        XCTAssertLessThan(maxAbsDifference(a.2, b.2), 1e-4)
    }

    func testTwoThreadsGiveTheSameResult() throws {
        let phi = masks([3, 8, 8], seed: 13), x = randomField([5, 8, 8], seed: 14)
        func run() -> (Tensor, Tensor) {
            let tape = Tape()
            let p = tape.leaf(phi)
            let y = try! SensingModel(oversampling: 2).measure(tape.constant(x), masks: p)
            tape.backward(from: sum(y))
            return (y.value, p.gradient!)
        }
        let serial = run()
        Parallel.threads = 2
        defer { Parallel.threads = 1 }
        let threaded = run()
        XCTAssertTrue(bitIdentical(serial.0, threaded.0))
        XCTAssertLessThan(maxAbsDifference(serial.1, threaded.1), 1e-4 * maxAbs(serial.1))
    }

    func testRejectsABadOversamplingFactor() {
        XCTAssertThrowsError(try SensingModel(oversampling: 0))
    }
}

final class SceneTests: XCTestCase {
    func testPhaseObjectFromImage() throws {
        let image = Tensor([0, 0.5, 1, 0.25], shape: [1, 1, 2, 2])
        let x = try Scene.phaseObject(image)
        XCTAssertEqual(x.shape, [1, 2, 2])
        for k in 0..<4 {
            let phase = Float.pi * image.pointer[k]
            XCTAssertEqual(x[k].re, cos(phase), accuracy: 1e-6)
            XCTAssertEqual(x[k].im, sin(phase), accuracy: 1e-6)
        }
        let half = try Scene.phaseObject(image.reshaped([1, 2, 2]), phaseScale: 2)
        XCTAssertEqual(half[2].re, cos(2), accuracy: 1e-6)
    }

    func testRejectsBadImages() {
        XCTAssertThrowsError(try Scene.phaseObject(Tensor(zeros: [2, 3, 4, 4])))
        XCTAssertThrowsError(try Scene.phaseObject(Tensor(zeros: [4, 4])))
        XCTAssertThrowsError(try Scene.phaseObject(Tensor([.nan], shape: [1, 1, 1])))
    }
}
