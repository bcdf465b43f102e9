import Foundation
import Autodiff
import Optics
import TensorCore
import TestSupport
import XCTest

final class SpectralOperatorTests: XCTestCase {
    func setup(batch: Int = 2, snapshots: Int = 3, height: Int = 4, width: Int = 5, factor: Int = 1,
               seed: UInt64 = 1) -> (masks: Tensor, weights: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let phi = CodedMasks.random(snapshots: snapshots, height: height, width: width, generator: &rng)
        let w = Tensor.uniform([batch, snapshots, factor * height, factor * width], low: 0, high: 2, generator: &rng)
        return (phi, w)
    }

    func gamma(_ z: ComplexField, _ phi: Tensor, _ w: Tensor, factor: Int) -> ComplexField {
        let tape = Tape(recording: false)
        return spectralOperator(tape.constant(z), masks: tape.constant(phi), weights: tape.constant(w),
                                oversampling: factor).field
    }

    func testMatchesNaiveReference() {
        for factor in [1, 2] {
            let (phi, w) = setup(height: 3, width: 5, factor: factor)
            let z = randomField([2, 3, 5], seed: 2)
            let fast = gamma(z, phi, w, factor: factor)
            let slow = naiveGamma(z, masks: phi, weights: w, oversampling: factor)
            XCTAssertLessThan(maxAbsDifference(fast.storage, slow.storage), 1e-4, "f = \(factor)")
        }
    }

    /// ⟨u, Γv⟩ = ⟨Γu, v⟩ and ⟨u, Γu⟩ ≥ 0 (real) for random u, v and non-negative weights.
    func testHermitianAndPositiveSemidefinite() {
        for factor in [1, 2] {
            let (phi, w) = setup(batch: 1, snapshots: 4, height: 6, width: 6, factor: factor, seed: 3)
            for trial in 0..<3 {
                let u = randomField([1, 6, 6], seed: 10 + UInt64(trial)), v = randomField([1, 6, 6], seed: 20 + UInt64(trial))
                let lhs = innerProduct(u, gamma(v, phi, w, factor: factor))
                let rhs = innerProduct(gamma(u, phi, w, factor: factor), v)
                let scale = (u.squaredNorm() * v.squaredNorm()).squareRoot()
                XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-5 * scale)
                XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-5 * scale)
                let quadratic = innerProduct(u, gamma(u, phi, w, factor: factor))
                XCTAssertGreaterThan(quadratic.re, 0)
                XCTAssertEqual(quadratic.im, 0, accuracy: 1e-5 * u.squaredNorm())
            }
        }
    }

    func testGradientsWithRespectToFieldMasksAndWeights() {
        for factor in [1, 2] {
            for keeps in [false, true] {
                let (phi, w) = setup(batch: 2, snapshots: 2, height: 3, width: 4, factor: factor, seed: 4)
                let z = randomField([2, 3, 4], seed: 5)
                let failures = checkGradients(inputs: [z.storage, phi, w]) { _, v in
                    spectralOperator(ComplexVariable(v[0]), masks: v[1], weights: v[2], oversampling: factor,
                                     keepsProducts: keeps).node
                }
                XCTAssertEqual(failures.map(\.description), [], "f = \(factor), keeps products: \(keeps)")
            }
        }
    }

    /// Keeping the products `B_ℓ v_ℓ` from the forward pass changes only where they come from: the
    /// gradients match the recomputing backward pass to rounding.
    func testKeptProductsGiveTheRecomputedGradients() {
        for factor in [1, 2] {
            let (phi, w) = setup(batch: 3, snapshots: 4, height: 6, width: 5, factor: factor, seed: 6)
            let z = randomField([3, 6, 5], seed: 7), seed = randomField([3, 6, 5], seed: 8)
            func gradients(keeps: Bool) -> (z: Tensor, phi: Tensor) {
                let tape = Tape()
                let zv = tape.leaf(z), phiv = tape.leaf(phi)
                let out = spectralOperator(zv, masks: phiv, weights: tape.constant(w), oversampling: factor,
                                           keepsProducts: keeps)
                tape.backward(from: out.node, seed: seed.storage)
                return (zv.node.gradient!, phiv.gradient!)
            }
            let (kept, recomputed) = (gradients(keeps: true), gradients(keeps: false))
            XCTAssertLessThan(maxAbsDifference(kept.z, recomputed.z), 1e-5 * maxAbs(recomputed.z), "f = \(factor)")
            XCTAssertLessThan(maxAbsDifference(kept.phi, recomputed.phi), 1e-5 * maxAbs(recomputed.phi), "f = \(factor)")
        }
    }
}

final class SpectralInitializationTests: XCTestCase {
    func testGaussianKernel() {
        let k = SpectralInitialization.gaussianKernel()
        XCTAssertEqual(k.shape, [5, 5])
        XCTAssertEqual(k.sum(), 1, accuracy: 1e-6)
        XCTAssertEqual(k[0, 1], k[1, 0])
        XCTAssertEqual(k[4, 3], k[0, 1])
        XCTAssertEqual(k[2, 2] / k[2, 3], exp(0.5), accuracy: 1e-5)   // σ = 1
        XCTAssertEqual(k.buffer.max(), k[2, 2])
    }

    func testRejectsBadSettings() {
        XCTAssertThrowsError(try SpectralInitialization(iterations: 0))
        XCTAssertThrowsError(try SpectralInitialization(weighting: .truncated(fraction: 0)))
        XCTAssertThrowsError(try SpectralInitialization(weighting: .truncated(fraction: 1.5)))
        XCTAssertThrowsError(try SpectralInitialization(oversampling: 0))
    }

    func testTruncatedWeightsKeepTheLargestFraction() throws {
        var rng = SeededGenerator(seed: 1)
        let y = Tensor.uniform([2, 3, 5, 4], generator: &rng)
        let tape = Tape(recording: false)
        let w = try SpectralInitialization(weighting: .truncated(fraction: 0.3)).weights(tape.constant(y)).value
        for s in 0..<6 {
            let slice = Array(y.buffer[(s * 20)..<(s * 20 + 20)]), mask = Array(w.buffer[(s * 20)..<(s * 20 + 20)])
            XCTAssertEqual(mask.reduce(0, +), 6)   // ⌈0.3 · 20⌉
            let kept = zip(slice, mask).filter { $0.1 == 1 }.map(\.0), dropped = zip(slice, mask).filter { $0.1 == 0 }.map(\.0)
            XCTAssertGreaterThan(kept.min()!, dropped.max()!)
        }
    }

    func testStartingPointIsFixedAndUnitNorm() throws {
        let a = try SpectralInitialization(globalPhase: .randomStart).startingPoint(batch: 3, height: 4, width: 4)
        let b = try SpectralInitialization(globalPhase: .randomStart).startingPoint(batch: 3, height: 4, width: 4)
        XCTAssertTrue(bitIdentical(a.storage, b.storage))
        XCTAssertEqual(a.squaredNorm(), 3, accuracy: 1e-5)
        let other = try SpectralInitialization(globalPhase: .randomStart, startSeed: 99).startingPoint(batch: 3, height: 4, width: 4)
        XCTAssertFalse(bitIdentical(a.storage, other.storage))
        for phase in [SpectralInitialization.GlobalPhase.constantStart, .aligned] {
            let c = try SpectralInitialization(globalPhase: phase).startingPoint(batch: 2, height: 4, width: 4)
            for k in 0..<32 {
                XCTAssertEqual(c[k].re, 0.25, accuracy: 1e-7)   // 1/√16
                XCTAssertEqual(c[k].im, 0)
            }
        }
    }

    /// The convention holds for every sample: with `aligned`, Σz* is real and positive; the old random
    /// start leaves a global phase that differs from sample to sample.
    func testGlobalPhaseConvention() throws {
        var rng = SeededGenerator(seed: 12)
        let x = try Scene.phaseObject(Tensor.uniform([6, 8, 8], generator: &rng))
        let phi = CodedMasks.random(snapshots: 2, height: 8, width: 8, generator: &rng)
        let y = try SensingModel().measure(x, masks: phi)
        func sums(_ phase: SpectralInitialization.GlobalPhase) throws -> [(re: Double, im: Double)] {
            let tape = Tape(recording: false)
            let z = try SpectralInitialization(iterations: 10, globalPhase: phase)
                .estimate(measurements: tape.constant(y), masks: tape.constant(phi),
                          kernel: tape.constant(SpectralInitialization.gaussianKernel())).field
            return (0..<6).map { b in
                (0..<64).reduce((re: 0.0, im: 0.0)) { ($0.re + Double(z[b * 64 + $1].re), $0.im + Double(z[b * 64 + $1].im)) }
            }
        }
        for s in try sums(.aligned) {
            XCTAssertGreaterThan(s.re, 0)
            XCTAssertEqual(s.im, 0, accuracy: 1e-5 * s.re)
        }
        let phases = try sums(.randomStart).map { atan2($0.im, $0.re) }
        XCTAssertGreaterThan(phases.max()! - phases.min()!, 0.5, "random start: global phases \(phases)")
    }

    /// On clean data the output norm is the Parseval estimate, which equals ‖x‖ exactly.
    func testOutputNormIsTheSceneNorm() throws {
        var rng = SeededGenerator(seed: 2)
        let x = try Scene.phaseObject(Tensor.uniform([2, 6, 6], generator: &rng))
        let phi = CodedMasks.random(snapshots: 3, height: 6, width: 6, generator: &rng)
        for factor in [1, 2] {
            let y = try SensingModel(oversampling: factor).measure(x, masks: phi)
            let tape = Tape(recording: false)
            let z = try SpectralInitialization(iterations: 5, oversampling: factor)
                .estimate(measurements: tape.constant(y), masks: tape.constant(phi),
                          kernel: tape.constant(SpectralInitialization.gaussianKernel())).field
            XCTAssertEqual(z.squaredNorm(), x.squaredNorm(), accuracy: 1e-4 * x.squaredNorm())
        }
    }

    func testGradientsWithRespectToKernelMasksAndMeasurements() throws {
        var rng = SeededGenerator(seed: 3)
        let x = try Scene.phaseObject(Tensor.uniform([2, 4, 4], generator: &rng))
        let phi = CodedMasks.random(snapshots: 2, height: 4, width: 4, generator: &rng)
        let psi = SpectralInitialization.gaussianKernel(size: 3, sigma: 1)
        for (weighting, factor, phase) in [(SpectralInitialization.Weighting.intensity, 1, SpectralInitialization.GlobalPhase.aligned),
                                           (.intensity, 2, .constantStart), (.truncated(fraction: 0.5), 1, .randomStart),
                                           (.truncated(fraction: 0.5), 1, .aligned)] {
            let y = try SensingModel(oversampling: factor).measure(x, masks: phi)
            let initialization = try SpectralInitialization(iterations: 3, weighting: weighting, oversampling: factor,
                                                            globalPhase: phase)
            // The truncation mask is piecewise constant in y: perturbing y may flip it, so y is only
            // checked for intensity weights.
            let wrt: Set<Int> = weighting == .intensity ? [0, 1, 2] : [0, 1]
            // Through T power iterations single coordinates can have gradients at the Float32
            // finite-difference noise floor (u·|f|/ε ≈ 1e-4 here), so this chain is probed along random
            // directions only; each op in it (Γ, filter, normalization, alignment) is checked per
            // coordinate in its own test.
            let failures = checkGradients(inputs: [psi, phi, y], epsilon: 3e-3, tolerance: 2e-2, directions: 6,
                                          coordinates: 0, wrt: wrt) { _, v in
                initialization.estimate(measurements: v[2], masks: v[1], kernel: v[0]).node
            }
            XCTAssertEqual(failures.map(\.description), [], "\(weighting), f = \(factor), \(phase)")
        }
    }

    /// The initialization is end-to-end differentiable from the scene-forming masks: a loss on z* after
    /// sensing + initialization has the finite-difference gradient in φ.
    func testGradientThroughSensingAndInitialization() throws {
        var rng = SeededGenerator(seed: 4)
        let x = try Scene.phaseObject(Tensor.uniform([1, 4, 4], generator: &rng))
        let phi = CodedMasks.random(snapshots: 2, height: 4, width: 4, generator: &rng)
        let psi = SpectralInitialization.gaussianKernel(size: 3, sigma: 1)
        let initialization = try SpectralInitialization(iterations: 2)
        let failures = checkGradients(inputs: [phi, psi], epsilon: 3e-3, tolerance: 2e-2, directions: 6,
                                      coordinates: 0) { tape, v in
            let y = try! SensingModel().measure(tape.constant(x), masks: v[0])
            return initialization.estimate(measurements: y, masks: v[0], kernel: v[1]).node
        }
        XCTAssertEqual(failures.map(\.description), [])
    }

    /// Without a product budget the tape grows by O(B·H·W) per iteration, not O(B·L·H'·W'): Γ keeps no
    /// per-snapshot spectra. Within the budget each iteration also keeps its `B·L·H·W` products; a
    /// budget one byte short of what all T iterations need keeps T − 1 of them.
    func testTapeMemoryPerIterationFollowsTheProductBudget() throws {
        let (b, l, h, f) = (2, 8, 16, 2)
        var rng = SeededGenerator(seed: 5)
        let x = try Scene.phaseObject(Tensor.uniform([b, h, h], generator: &rng))
        let phi = CodedMasks.random(snapshots: l, height: h, width: h, generator: &rng)
        let y = try SensingModel(oversampling: f).measure(x, masks: phi)
        let fieldBytes = b * h * h * 2 * 4, productBytes = l * fieldBytes
        func perIteration(budget: (_ iterations: Int) -> Int) throws -> Int {
            func liveBytesAfter(iterations: Int) throws -> Int {
                let tape = Tape()
                let start = BufferPool.shared.liveBytes
                let z = try SpectralInitialization(iterations: iterations, oversampling: f,
                                                   productBudget: budget(iterations))
                    .estimate(measurements: tape.leaf(y), masks: tape.leaf(phi),
                              kernel: tape.leaf(SpectralInitialization.gaussianKernel()))
                let grown = BufferPool.shared.liveBytes - start
                withExtendedLifetime(z) {}
                tape.reset()
                return grown
            }
            return (try liveBytesAfter(iterations: 6) - liveBytesAfter(iterations: 2)) / 4
        }
        let recomputing = try perIteration { _ in 0 }
        let perSnapshotSpectra = b * l * f * f * h * h * 2 * 4
        XCTAssertLessThanOrEqual(recomputing, 4 * fieldBytes)
        XCTAssertLessThan(recomputing, perSnapshotSpectra / 4)
        XCTAssertEqual(try perIteration { $0 * productBytes }, recomputing + productBytes)
        XCTAssertEqual(try perIteration { $0 * productBytes - 1 }, recomputing + productBytes)   // (5 − 1)/4 more
        XCTAssertEqual(try perIteration { _ in 2 * productBytes }, recomputing)                  // 2 kept either way
        let initialization = try SpectralInitialization(iterations: 6, productBudget: 3 * productBytes + 1)
        XCTAssertEqual(initialization.keptApplications(batch: b, snapshots: l, height: h, width: h), 3)
        XCTAssertEqual(try SpectralInitialization(iterations: 6, productBudget: 0)
            .keptApplications(batch: b, snapshots: l, height: h, width: h), 0)
    }

    /// Whether none, some or all of the T applications keep their products, the gradients of φ, ψ and
    /// y are the same bit for bit (the backward pass recomputes exactly what the forward pass kept).
    func testPartlyKeptProductsGiveBitIdenticalGradients() throws {
        let (b, l, h, iterations) = (2, 3, 8, 4)
        var rng = SeededGenerator(seed: 9)
        let x = try Scene.phaseObject(Tensor.uniform([b, h, h], generator: &rng))
        let phi = CodedMasks.random(snapshots: l, height: h, width: h, generator: &rng)
        let y = try SensingModel().measure(x, masks: phi)
        let productBytes = b * l * h * h * 2 * 4
        func gradients(kept: Int) throws -> [Tensor] {
            let tape = Tape()
            let (yv, phiv, psiv) = (tape.leaf(y), tape.leaf(phi), tape.leaf(SpectralInitialization.gaussianKernel()))
            let initialization = try SpectralInitialization(iterations: iterations, weighting: .intensity,
                                                            productBudget: kept * productBytes)
            XCTAssertEqual(initialization.keptApplications(batch: b, snapshots: l, height: h, width: h), kept)
            let z = initialization.estimate(measurements: yv, masks: phiv, kernel: psiv)
            tape.backward(from: sum(abs2(z)))
            return [yv, phiv, psiv].map { $0.gradient! }
        }
        let recomputed = try gradients(kept: 0)
        for kept in [1, iterations] {
            for (a, r) in zip(try gradients(kept: kept), recomputed) { XCTAssertTrue(a.isBitIdentical(to: r), "\(kept) kept") }
        }
    }
}
