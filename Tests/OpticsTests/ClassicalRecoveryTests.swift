import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

/// The operator A behind the classical recoveries, the Wirtinger-flow gradient, and ER, HIO and WF on
/// tiny noise-free problems.
final class ClassicalRecoveryTests: XCTestCase {
    func masks(_ l: Int, _ h: Int, _ w: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return CodedMasks.random(snapshots: l, height: h, width: w, generator: &rng)
    }

    func testOperatorMatchesTheSlowReferenceAndItsAdjoint() throws {
        // H = 3, W = 5 with f = 2: odd padding margins.
        for (f, h, w) in [(1, 4, 6), (2, 3, 5)] {
            let phi = masks(3, h, w, seed: 1)
            let a = try CodedDiffractionOperator(masks: phi, oversampling: f)
            let x = randomField([2, h, w], seed: 2), z = randomField([2, 3, f * h, f * w], seed: 3)
            let ax = a.apply(x), ahz = a.adjoint(z)
            XCTAssertEqual(ax.shape, [2, 3, f * h, f * w])
            XCTAssertLessThan(maxAbsDifference(ax.storage, naiveCodedField(x, masks: phi, oversampling: f).storage), 1e-4)
            XCTAssertLessThan(maxAbsDifference(ahz.storage, naiveCodedAdjoint(z, masks: phi).storage), 1e-4)
            // ⟨A x, z⟩ = ⟨x, Aᴴ z⟩.
            let lhs = innerProduct(ax, z), rhs = innerProduct(x, ahz)
            XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-4 * abs(lhs.re) + 1e-3)
            XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-4 * abs(lhs.im) + 1e-3)
            // |A x|² are the sensing model's CDPs, and AᴴA = L·I.
            let y = try SensingModel(oversampling: f).measure(x, masks: phi)
            for k in 0..<y.count { XCTAssertEqual(ax[k].re * ax[k].re + ax[k].im * ax[k].im, y.pointer[k], accuracy: 1e-4) }
            let back = a.adjoint(ax)
            for k in 0..<(2 * x.count) { XCTAssertEqual(back.pointer[k], 3 * x.pointer[k], accuracy: 1e-4) }
        }
    }

    /// The WF gradient against central finite differences of the loss along random directions, and
    /// against the tape's gradient through `SensingModel.measure` (the existing forward operator).
    func testIntensityLossGradient() throws {
        let (h, w, f) = (4, 5, 2)
        let phi = masks(3, h, w, seed: 4)
        let truth = randomField([2, h, w], seed: 5), x = randomField([2, h, w], seed: 6)
        let sensing = try SensingModel(oversampling: f)
        let y = sensing.measure(truth, masks: phi)
        var flags = [UInt8](repeating: 0, count: y.count)
        flags[7] = 1; flags[40] = 1
        let problem = try PhaseRetrievalProblem(measurements: y, operator: try CodedDiffractionOperator(masks: phi, oversampling: f),
                                                saturated: flags)
        let (loss, gradient, _) = problem.intensityLoss(x)
        XCTAssertGreaterThan(loss, 0)
        for seed in 7..<10 {
            let d = randomField([2, h, w], seed: UInt64(seed))
            let eps: Float = 1e-3
            let plus = ComplexField(storage: x.storage.copy()), minus = ComplexField(storage: x.storage.copy())
            plus.storage.accumulate(d.storage, scale: eps)
            minus.storage.accumulate(d.storage, scale: -eps)
            let numeric = (problem.intensityLoss(plus).loss - problem.intensityLoss(minus).loss) / (2 * Double(eps))
            let analytic = innerProduct(gradient, d).re
            XCTAssertEqual(analytic, numeric, accuracy: 2e-3 * abs(numeric) + 1e-2, "direction \(seed)")
        }
        // Tape: L = (N'/(2L)) Σ w (y(x) − y)², seeded with ∂L/∂y(x) = (N'/L) w (y(x) − y).
        let tape = Tape()
        let scene = tape.leaf(x)
        let out = sensing.measure(scene, masks: tape.constant(phi))
        let seedGradient = Tensor(uninitialized: y.shape)
        let factor = Float(f * h * f * w) / 3
        for k in 0..<y.count { seedGradient.pointer[k] = flags[k] != 0 ? 0 : factor * (out.value.pointer[k] - y.pointer[k]) }
        tape.backward(from: out.node, seed: seedGradient)
        let viaTape = try XCTUnwrap(scene.node.gradient)
        XCTAssertLessThan(maxAbsDifference(viaTape, gradient.storage), 1e-3 * (gradient.storage.buffer.map(abs).max() ?? 1))
    }

    /// A 12×12 phase object seen through 4 random masks, no noise: from the spectral initialization,
    /// each method drives the residual down and recovers the object up to a global phase.
    func testMethodsRecoverATinyPhaseObject() throws {
        let (h, w, l) = (12, 12, 4)
        let image = Tensor(zeros: [1, 1, h, w])
        for r in 0..<h { for c in 0..<w { image[0, 0, r, c] = max(0, 1 - Float((r - 5) * (r - 5) + (c - 6) * (c - 6)) / 16) } }
        let truth = try SceneModel.standard.field(image)
        let phi = masks(l, h, w, seed: 11)
        let y = try SensingModel().measure(truth, masks: phi)
        let problem = try PhaseRetrievalProblem(measurements: y, operator: try CodedDiffractionOperator(masks: phi))
        let tape = Tape(recording: false)
        let start = try SpectralInitialization().estimate(measurements: tape.constant(y), masks: tape.constant(phi),
                                                          kernel: tape.constant(SpectralInitialization.gaussianKernel())).field
        let startResidual = problem.residual(start)
        for (method, iterations) in [(ClassicalRecovery.Method.errorReduction, 200), (.hybridInputOutput, 200), (.wirtingerFlow, 500)] {
            let outcome = ClassicalRecovery.run(method, problem, start: start, iterations: iterations)
            XCTAssertEqual(outcome.estimate.shape, [1, h, w])
            XCTAssertEqual(outcome.residuals.count, iterations + 1)
            XCTAssertEqual(outcome.residuals[0], startResidual, accuracy: 1e-6)
            XCTAssertLessThan(outcome.residuals.last!, method == .hybridInputOutput ? 0.05 : 0.01, "\(method): residual \(outcome.residuals.last!) from \(startResidual)")
            // Monotone-ish: every stretch of 50 iterations ends lower than it started (ER: every step).
            for k in stride(from: 50, through: iterations, by: 50) {
                XCTAssertLessThanOrEqual(outcome.residuals[k], outcome.residuals[k - 50] + 1e-6, "\(method) at \(k)")
            }
            if method == .errorReduction {
                for k in 1...iterations { XCTAssertLessThanOrEqual(outcome.residuals[k], outcome.residuals[k - 1] + 1e-5) }
            }
            XCTAssertGreaterThan(Recovery.correlation(outcome.estimate, truth)[0], 0.999, "\(method)")
            // Mapped to I under the convention (Σx real ≥ 0): the scene's own mean phase is lost, as the
            // spectral initialization's is; with the scene's global phase (an oracle) I is recovered.
            let conventional = SceneModel.standard.normalizedPhase(of: alignGlobalPhase(tape.constant(outcome.estimate)).field)
            let oracle = SceneModel.standard.normalizedPhase(of: Recovery.alignGlobalPhase(outcome.estimate, to: truth))
            XCTAssertEqual(conventional.shape, [1, 1, h, w])
            XCTAssertTrue(conventional.buffer.allSatisfy { (0...1).contains($0) })
            XCTAssertGreaterThan(psnr(conventional, image), 20, "\(method)")
            XCTAssertGreaterThan(psnr(oracle, image), 35, "\(method)")
        }
    }

    /// 10·log10(1/MSE), data range 1.
    func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        let mse = (0..<a.count).reduce(0.0) { $0 + pow(Double(a.pointer[$1] - b.pointer[$1]), 2) } / Double(a.count)
        return 10 * log10(1 / max(mse, 1e-10))
    }

    /// A saturated pixel is a lower bound: the residual ignores it once the estimate reaches its value,
    /// and counts it while below.
    func testSaturatedPixelsAreLowerBounds() throws {
        let phi = masks(2, 4, 4, seed: 12)
        let x = randomField([1, 4, 4], seed: 13)
        let a = try CodedDiffractionOperator(masks: phi)
        let y = try SensingModel().measure(x, masks: phi)
        let lowered = y.copy(), raised = y.copy()
        lowered.pointer[3] *= 0.25
        raised.pointer[3] *= 4
        var flags = [UInt8](repeating: 0, count: y.count)
        flags[3] = 1
        XCTAssertEqual(try PhaseRetrievalProblem(measurements: lowered, operator: a, saturated: flags).residual(x), 0, accuracy: 1e-6)
        XCTAssertGreaterThan(try PhaseRetrievalProblem(measurements: lowered, operator: a).residual(x), 0.01)
        XCTAssertGreaterThan(try PhaseRetrievalProblem(measurements: raised, operator: a, saturated: flags).residual(x), 0.01)
    }
}
