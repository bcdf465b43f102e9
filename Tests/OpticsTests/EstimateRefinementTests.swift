import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

/// Refinement of a learned estimate by error reduction (`EstimateRefinement`): it keeps the estimate's
/// phase reference, removes most of its error, and refuses what it cannot handle.
final class EstimateRefinementTests: XCTestCase {
    let (h, w) = (12, 12)

    /// A smooth 12×12 image I in [0, 1] with a non-zero mean phase, and its CDPs through one random mask.
    func problem(seed: UInt64 = 3) throws -> (Tensor, PhaseRetrievalProblem) {
        let image = Tensor(zeros: [1, 1, h, w])
        for r in 0..<h { for c in 0..<w { image[0, 0, r, c] = 0.2 + 0.6 * max(0, 1 - Float((r - 5) * (r - 5) + (c - 6) * (c - 6)) / 20) } }
        var rng = SeededGenerator(seed: seed)
        let phi = CodedMasks.random(snapshots: 1, height: h, width: w, generator: &rng)
        let y = try SensingModel().measure(try SceneModel.standard.field(image), masks: phi)
        return (image, try PhaseRetrievalProblem(measurements: y, operator: try CodedDiffractionOperator(masks: phi)))
    }

    /// `image` plus a seeded perturbation of amplitude `amount` (not clipped: refine clips).
    func perturbed(_ image: Tensor, by amount: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let out = image.copy()
        for k in 0..<out.count { out.pointer[k] += amount * Float(2 * rng.uniformDouble() - 1) }
        return out
    }

    func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        let mse = (0..<a.count).reduce(0.0) { $0 + pow(Double(a.pointer[$1] - b.pointer[$1]), 2) } / Double(a.count)
        return 10 * log10(1 / max(mse, 1e-12))
    }

    /// The true image is a fixed point: residual 0 before and after, the image comes back.
    func testTheTrueImageIsKept() throws {
        let (image, p) = try problem()
        let r = try EstimateRefinement.refine(image, problem: p, sceneModel: .standard, iterations: 5)
        XCTAssertLessThan(r.residualBefore, 1e-5)
        XCTAssertLessThan(r.residualAfter, 1e-5)
        XCTAssertGreaterThan(psnr(r.images, image), 60)
    }

    /// From a one-snapshot estimate 0.1 off in every pixel, error reduction lowers the residual and the
    /// error, and keeps the estimate's phase reference (no re-alignment: the image's mean phase, which no
    /// classical method recovers from |·|², survives).
    func testRefinementRemovesMostOfAnEstimatesError() throws {
        let (image, p) = try problem()
        let estimate = perturbed(image, by: 0.1, seed: 7)
        let before = psnr(estimate.clipped(to: 0...1), image)
        let r = try EstimateRefinement.refine(estimate, problem: p, sceneModel: .standard, iterations: 200)
        XCTAssertEqual(r.images.shape, [1, 1, h, w])
        XCTAssertTrue(r.images.buffer.allSatisfy { (0...1).contains($0) })
        XCTAssertLessThan(r.residualAfter, r.residualBefore / 3, "ρ \(r.residualBefore) → \(r.residualAfter)")
        XCTAssertGreaterThan(psnr(r.images, image), before + 6, "PSNR \(before) → \(psnr(r.images, image))")
    }

    /// More iterations never raise ρ (error reduction is monotone); one iteration already changes the image.
    func testIterationsLowerTheResidual() throws {
        let (image, p) = try problem()
        let estimate = perturbed(image, by: 0.15, seed: 9)
        let one = try EstimateRefinement.refine(estimate, problem: p, sceneModel: .standard, iterations: 1)
        let many = try EstimateRefinement.refine(estimate, problem: p, sceneModel: .standard, iterations: 50)
        XCTAssertLessThanOrEqual(many.residualAfter, one.residualAfter + 1e-6)
        XCTAssertGreaterThan(maxAbsDifference(one.images, estimate.clipped(to: 0...1)), 1e-3)
    }

    func testRefusesWhatItCannotHandle() throws {
        let (image, p) = try problem()
        let absorbing = SceneModel(amplitudeAtZero: 0.5, amplitudeAtOne: 1)
        XCTAssertThrowsError(try EstimateRefinement.refine(image, problem: p, sceneModel: absorbing, iterations: 5)) {
            XCTAssertTrue("\($0)".contains("pure-phase"), "\($0)")
        }
        XCTAssertThrowsError(try EstimateRefinement.refine(image, problem: p, sceneModel: .standard, iterations: 0))
        XCTAssertThrowsError(try EstimateRefinement.refine(Tensor(zeros: [2, 1, h, w]), problem: p, sceneModel: .standard, iterations: 5))
    }
}
