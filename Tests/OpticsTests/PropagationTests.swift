import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// Near-field propagation (`Propagation`): the transfer functions against their formulas and against a
/// direct Rayleigh–Sommerfeld sum, Fresnel against the angular spectrum, the fast kernels against the
/// plain-loop references, adjointness and unitarity of P and of the coded operator.
final class PropagationTests: XCTestCase {
    func masks(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return CodedMasks.random(snapshots: shape[0], height: shape[1], width: shape[2], generator: &rng)
    }

    func geometry(pitch: Double, wavelength: Double, distance: Double) -> NearFieldGeometry {
        try! NearFieldGeometry(pitch: pitch, wavelength: wavelength, distance: distance)
    }

    /// H against `exp(j2πz√(1/λ² − ρ²))` (angular spectrum) and `exp(−jπλzρ²)` (Fresnel) evaluated
    /// directly, on a grid with odd and even sizes; the evanescent frequencies are 0.
    func testTransferFunctionsMatchTheirFormulas() {
        let g = geometry(pitch: 0.4e-6, wavelength: 0.633e-6, distance: 3.7e-6)   // corner of the band evanescent
        let (m, n) = (6, 5)
        let asm = Propagation.angularSpectrum(g).transferFunction(height: m, width: n)!
        let fresnel = Propagation.fresnel(g).transferFunction(height: m, width: n)!
        var evanescent = 0
        for r in 0..<m {
            for c in 0..<n {
                let fy = Double(r < (m + 1) / 2 ? r : r - m) / (Double(m) * g.pitch)
                let fx = Double(c < (n + 1) / 2 ? c : c - n) / (Double(n) * g.pitch)
                let q = 1 / (g.wavelength * g.wavelength) - fx * fx - fy * fy
                let (re, im) = asm[r * n + c]
                if q <= 0 {
                    evanescent += 1
                    XCTAssertEqual(re, 0); XCTAssertEqual(im, 0)
                } else {
                    let phase = 2 * Double.pi * g.distance * q.squareRoot()
                    XCTAssertEqual(Double(re), cos(phase), accuracy: 1e-6, "(\(r), \(c))")
                    XCTAssertEqual(Double(im), sin(phase), accuracy: 1e-6, "(\(r), \(c))")
                }
                let fresnelPhase = -Double.pi * g.wavelength * g.distance * (fx * fx + fy * fy)
                XCTAssertEqual(Double(fresnel[r * n + c].re), cos(fresnelPhase), accuracy: 1e-6)
                XCTAssertEqual(Double(fresnel[r * n + c].im), sin(fresnelPhase), accuracy: 1e-6)
            }
        }
        XCTAssertGreaterThan(evanescent, 0, "the test grid should reach the evanescent frequencies")
        XCTAssertNil(Propagation.farField.transferFunction(height: m, width: n))
    }

    /// The angular spectrum of a smooth source (three Gaussians, σ = 1.5 pitches, so sampling at the
    /// pitch loses < 1e-5 of it) against the Rayleigh–Sommerfeld integral of the first kind,
    /// `U(x, y, z) = ∫∫ U₀(ξ, η) (z/2π) e^{jkr}/r² (1/r − jk) dξ dη`, summed directly over a 0.2 µm grid
    /// of the continuous source, at every other pixel of the padded sensor. 24×24 mask, pitch 1 µm,
    /// λ = 0.5 µm (sinθ up to 0.35 on the grid), z = 40 µm (the beams widen by about a fifth), padded by 2.
    /// Tolerance: 5e-5 of ‖U‖ (rms; measured 8.4e-6), where the field itself moves by 0.9‖U‖ over z.
    func testAngularSpectrumMatchesARayleighSommerfeldSum() throws {
        let (n, f, dx, lambda, z) = (24, 2, 1e-6, 0.5e-6, 40e-6)
        let propagation = Propagation.angularSpectrum(geometry(pitch: dx, wavelength: lambda, distance: z))
        let beams: [(x: Double, y: Double, re: Double, im: Double)] = [(-1.5e-6, 0.5e-6, 1, 0), (1e-6, 1.5e-6, 0, 0.8),
                                                                          (0.5e-6, -2e-6, -0.6, 0.3)]
        let sigma = 1.5e-6
        func source(_ x: Double, _ y: Double) -> (Double, Double) {
            beams.reduce((0, 0)) { acc, b in
                let g = exp(-((x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)) / (2 * sigma * sigma))
                return (acc.0 + b.re * g, acc.1 + b.im * g)
            }
        }
        // Scene pixel j sits at (j − (N−1)/2)·dx; padded pixel p at (p − left − (N−1)/2)·dx.
        let x0 = ComplexField(uninitialized: [1, n, n])
        let centre = Double(n - 1) / 2
        for i in 0..<n { for j in 0..<n {
            let (re, im) = source((Double(j) - centre) * dx, (Double(i) - centre) * dx)
            x0[i * n + j] = (Float(re), Float(im))
        } }
        let a = try CodedDiffractionOperator(masks: Tensor(zeros: [1, n, n]), oversampling: f, propagation: propagation)
        let u = a.apply(x0)
        // The source on a fine grid, where it is not negligible.
        let step = 0.2e-6, reach = 12e-6
        var fine: [(x: Double, y: Double, re: Double, im: Double)] = []
        for a in stride(from: -reach, through: reach, by: step) { for b in stride(from: -reach, through: reach, by: step) {
            let (re, im) = source(a, b)
            if re * re + im * im > 1e-18 { fine.append((a, b, re, im)) }
        } }
        let k = 2 * Double.pi / lambda, m = f * n, left = Double((m - n) / 2)
        var error = 0.0, norm = 0.0, moved = 0.0
        for p in stride(from: 0, to: m, by: 2) { for q in stride(from: 0, to: m, by: 2) {
            let (x, y) = ((Double(q) - left - centre) * dx, (Double(p) - left - centre) * dx)
            var re = 0.0, im = 0.0
            for s in fine {
                let r2 = (x - s.x) * (x - s.x) + (y - s.y) * (y - s.y) + z * z, r = r2.squareRoot()
                // h = (z/2π)(1/r − jk) e^{jkr}/r²
                let (c, sn) = (cos(k * r), sin(k * r)), scale = z / (2 * Double.pi * r2) * step * step
                let (hr, hi) = (scale * (c / r + k * sn), scale * (sn / r - k * c))
                re += s.re * hr - s.im * hi
                im += s.re * hi + s.im * hr
            }
            let (ur, ui) = u[p * m + q]
            error += (Double(ur) - re) * (Double(ur) - re) + (Double(ui) - im) * (Double(ui) - im)
            norm += re * re + im * im
            let inside = p >= Int(left) && p < Int(left) + n && q >= Int(left) && q < Int(left) + n
            let (sr, si) = inside ? source(x, y) : (0, 0)
            // Compare with the source times e^{jkz}: what the field would be without diffraction.
            let (er, ei) = (sr * cos(k * z) - si * sin(k * z), sr * sin(k * z) + si * cos(k * z))
            moved += (er - re) * (er - re) + (ei - im) * (ei - im)
        } }
        XCTAssertLessThan((error / norm).squareRoot(), 5e-5)   // measured: 8.4e-6
        XCTAssertGreaterThan((moved / norm).squareRoot(), 0.5, "the test distance should change the field")
    }

    /// In the paraxial regime (pitch 8 wavelengths, z = 0.4 mm, where Fresnel's phase error at the band's
    /// corner is 0.04 rad) Fresnel and the angular spectrum give the same CDPs of a broadband scene
    /// within 2 % (rms, relative); where the check refuses Fresnel they differ by far more.
    func testFresnelMatchesTheAngularSpectrumInTheParaxialRegime() throws {
        let x = randomField([2, 16, 16], seed: 70)
        var rng = SeededGenerator(seed: 71)
        let masks = CodedMasks.random(snapshots: 2, height: 16, width: 16, generator: &rng)
        func relativeDifference(_ g: NearFieldGeometry) throws -> Double {
            let a = try SensingModel(oversampling: 2, propagation: .angularSpectrum(g)).measure(x, masks: masks)
            let b = try SensingModel(oversampling: 2, propagation: .fresnel(g)).measure(x, masks: masks)
            var d = 0.0, s = 0.0
            for k in 0..<a.count { d += Double(a.pointer[k] - b.pointer[k]) * Double(a.pointer[k] - b.pointer[k]); s += Double(a.pointer[k] * a.pointer[k]) }
            return (d / s).squareRoot()
        }
        let paraxial = geometry(pitch: 4e-6, wavelength: 0.5e-6, distance: 0.4e-3)
        XCTAssertEqual(Propagation.fresnel(paraxial).samplingProblems(height: 16, width: 16, pad: 2), [])
        XCTAssertLessThan(try relativeDifference(paraxial), 0.02)
        let wide = geometry(pitch: 0.5e-6, wavelength: 0.5e-6, distance: 5e-6)
        let problems = Propagation.fresnel(wide).samplingProblems(height: 16, width: 16, pad: 2)
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.hasPrefix("Fresnel propagation is not valid here") ?? false, "\(problems)")
        XCTAssertGreaterThan(try relativeDifference(wide), 0.1)
    }

    /// The coded operator with a near-field propagation against the plain-loop reference, adjoint to its
    /// adjoint (written out independently), and a tight frame (`AᴴA = L·I`); with a zero mask and one
    /// snapshot it is T·Pad alone, which keeps norms (T unitary on a checked grid).
    func testCodedOperatorAndPropagationAreAdjointAndUnitary() throws {
        for (label, propagation, f) in OpTable.testPropagations {
            let phi = masks([3, 4, 5], seed: 72), x = randomField([2, 4, 5], seed: 73)
            let a = try CodedDiffractionOperator(masks: phi, oversampling: f, propagation: propagation)
            let z = a.apply(x)
            XCTAssertLessThan(maxAbsDifference(z.storage, naiveCodedField(x, masks: phi, oversampling: f,
                                                                         propagation: propagation).storage), 1e-4, label)
            let y = randomField([2, 3, 4 * f, 5 * f], seed: 74)
            let ahy = a.adjoint(y)
            XCTAssertLessThan(maxAbsDifference(ahy.storage, naiveCodedAdjoint(y, masks: phi, propagation: propagation).storage),
                              1e-4, label)
            let (lhs, rhs) = (innerProduct(z, y), innerProduct(x, ahy))
            XCTAssertEqual(lhs.re, rhs.re, accuracy: 1e-4 * (x.squaredNorm() * y.squaredNorm()).squareRoot(), label)
            XCTAssertEqual(lhs.im, rhs.im, accuracy: 1e-4 * (x.squaredNorm() * y.squaredNorm()).squareRoot(), label)
            let back = a.adjoint(z)
            for k in 0..<(2 * x.count) { XCTAssertEqual(back.pointer[k], 3 * x.pointer[k], accuracy: 1e-4, label) }
            // P alone: T·Pad with m = 1.
            let p = try CodedDiffractionOperator(masks: Tensor(zeros: [1, 4, 5]), oversampling: f, propagation: propagation)
            let u = randomField([1, 4, 5], seed: 75), v = randomField([1, 1, 4 * f, 5 * f], seed: 76)
            let pu = p.apply(u)
            XCTAssertEqual(pu.squaredNorm(), u.squaredNorm(), accuracy: 1e-5 * u.squaredNorm(), label)
            let padded = naivePad(u, factor: f), vv = ComplexField(storage: v.storage.reshaped([1, 4 * f, 5 * f, 2]))
            let (pl, pr) = (innerProduct(naivePropagate(padded, propagation), vv), innerProduct(padded, naivePropagateAdjoint(vv, propagation)))
            XCTAssertEqual(pl.re, pr.re, accuracy: 1e-4, label)
            XCTAssertEqual(pl.im, pr.im, accuracy: 1e-4, label)
            XCTAssertEqual(innerProduct(pu, v).re, innerProduct(u, p.adjoint(v)).re, accuracy: 1e-4, label)
        }
    }

    /// Near-field CDPs against the reference, summing to ‖x‖² per snapshot, and the same bits with two threads.
    func testNearFieldCDPsMatchTheReferenceAndKeepTheEnergy() throws {
        for (label, propagation, f) in OpTable.testPropagations {
            let x = randomField([3, 4, 3], seed: 77), phi = masks([2, 4, 3], seed: 78)
            let model = try SensingModel(oversampling: f, propagation: propagation)
            let y = model.measure(x, masks: phi)
            XCTAssertLessThan(maxAbsDifference(y, naiveCDP(x, masks: phi, oversampling: f, propagation: propagation)), 1e-4, label)
            let m = f * f * 12
            for b in 0..<3 {
                let energy = (0..<12).reduce(0.0) { $0 + Double(x[b * 12 + $1].re * x[b * 12 + $1].re + x[b * 12 + $1].im * x[b * 12 + $1].im) }
                for l in 0..<2 {
                    let total = (0..<m).reduce(0.0) { $0 + Double(y.pointer[(b * 2 + l) * m + $1]) }
                    XCTAssertEqual(total, energy, accuracy: 1e-5 * energy, label)
                }
            }
            Parallel.threads = 2
            let threaded = model.measure(x, masks: phi)
            Parallel.threads = 1
            XCTAssertTrue(bitIdentical(y, threaded), label)
        }
    }

    /// The far field is the model it always was: an explicit `.farField` gives the same bits as the
    /// default, and the CDPs are still |F P (m ⊙ x)|².
    func testFarFieldIsUnchanged() throws {
        let x = randomField([2, 5, 4], seed: 79), phi = masks([2, 5, 4], seed: 80)
        for f in [1, 2] {
            let y = try SensingModel(oversampling: f).measure(x, masks: phi)
            XCTAssertTrue(bitIdentical(y, try SensingModel(oversampling: f, propagation: .farField).measure(x, masks: phi)))
            XCTAssertLessThan(maxAbsDifference(y, naiveCDP(x, masks: phi, oversampling: f)), 1e-4)
        }
    }

    /// Error reduction started from the truth stays there in the near field: P_M x = x needs AᴴA = L·I.
    func testMeasurementProjectionKeepsTheTruthInTheNearField() throws {
        let (_, propagation, f) = OpTable.testPropagations[0]
        let phi = masks([3, 4, 5], seed: 81), x = randomField([1, 4, 5], seed: 82)
        let a = try CodedDiffractionOperator(masks: phi, oversampling: f, propagation: propagation)
        let y = try SensingModel(oversampling: f, propagation: propagation).measure(x, masks: phi)
        let problem = try PhaseRetrievalProblem(measurements: y, operator: a)
        let (projected, rho) = problem.measurementProjection(x)
        XCTAssertLessThan(rho, 1e-5)
        XCTAssertLessThan(maxAbsDifference(projected.storage, x.storage), 1e-4)
    }

    /// Bad geometries end with an error naming the quantity, the unit and the value.
    func testBadGeometriesAreRefused() {
        let cases: [(Double, Double, Double, String)] = [
            (8e-6, 633e-9, -5e-3, "the distance must be positive and finite, got -5 mm"),
            (8e-6, 633e-9, 0, "the distance must be positive and finite, got 0 mm"),
            (0, 633e-9, 5e-3, "the pixel pitch must be positive and finite, got 0 µm"),
            (8e-6, 0, 5e-3, "the wavelength must be positive and finite, got 0 nm"),
            (8e-6, .nan, 5e-3, "the wavelength must be positive and finite, got nan nm"),
        ]
        for (pitch, lambda, z, message) in cases {
            XCTAssertThrowsError(try NearFieldGeometry(pitch: pitch, wavelength: lambda, distance: z)) {
                XCTAssertEqual(($0 as? OpticsError)?.description, message)
            }
        }
    }

    /// The sampling check: without padding every distance wraps; the message names the walk, the margin,
    /// the smallest padding and the largest distance (numbers worked out by hand: walk
    /// `zλf_c/√(1 − 2λ²f_c²)` = 198.1 µm for 8 µm, 633 nm, 5 mm; `⌈1 + 2·198.1/128⌉ = 5`;
    /// `5 mm · 64/198.1 = 1.615 mm` with --pad 2); the suggested padding and distance pass.
    func testSamplingCheckNamesTheNumbersAndItsSuggestionsPass() throws {
        let g = geometry(pitch: 8e-6, wavelength: 633e-9, distance: 5e-3)
        let asm = Propagation.angularSpectrum(g)
        XCTAssertEqual(asm.samplingProblems(height: 16, width: 16, pad: 1), [
            "angular-spectrum propagation over z = 5 mm aliases on the 16×16 grid: the steepest plane wave at the 8 µm pitch "
            + "(spatial frequency 1/(2·pitch) on both axes) walks 198.1 µm sideways, more than the 0 µm margin that padding by 1 "
            + "leaves around the 16×16 mask, so its light would wrap around the window onto the sensor; give --pad 5, or with "
            + "--pad 2 a distance ≤ 1.615 mm"])
        XCTAssertEqual(asm.samplingProblems(height: 16, width: 16, pad: 5), [])
        XCTAssertEqual(asm.samplingProblems(height: 16, width: 16, pad: 4).count, 1)
        XCTAssertTrue(asm.samplingProblems(height: 16, width: 16, pad: 2).first?
            .hasSuffix("more than the 64 µm margin that padding by 2 leaves around the 16×16 mask, so its light would wrap around "
                       + "the window onto the sensor; give --pad 5, or a distance ≤ 1.615 mm with --pad 2") ?? false,
                      "\(asm.samplingProblems(height: 16, width: 16, pad: 2))")
        let near = Propagation.angularSpectrum(geometry(pitch: 8e-6, wavelength: 633e-9, distance: 1.615e-3))
        XCTAssertEqual(near.samplingProblems(height: 16, width: 16, pad: 2), [])
        XCTAssertThrowsError(try SensingModel(oversampling: 1, propagation: asm).check(height: 16, width: 16))
        XCTAssertThrowsError(try CodedDiffractionOperator(masks: Tensor(zeros: [1, 16, 16]), propagation: asm))
        // Fresnel's walk is zλf_c: z ≤ (f − 1)·N·pitch²/λ, with f = 2 the classic N·pitch²/λ = 1.618 mm here.
        let classic = 16 * 8e-6 * 8e-6 / 633e-9
        XCTAssertEqual(Propagation.fresnel(geometry(pitch: 8e-6, wavelength: 633e-9, distance: classic * 0.999))
            .samplingProblems(height: 16, width: 16, pad: 2), [])
        XCTAssertEqual(Propagation.fresnel(geometry(pitch: 8e-6, wavelength: 633e-9, distance: classic * 1.001))
            .samplingProblems(height: 16, width: 16, pad: 2).count, 1)
        // A pitch at or below λ/√2 puts evanescent waves on the grid.
        let fine = Propagation.angularSpectrum(geometry(pitch: 0.4e-6, wavelength: 633e-9, distance: 1e-6))
        XCTAssertEqual(fine.samplingProblems(height: 16, width: 16, pad: 4), [
            "angular-spectrum propagation: the pixel pitch 0.4 µm is at most λ/√2 = 0.4476 µm, so the steepest waves the grid "
            + "holds are evanescent or graze the mask: use a pitch above λ/√2"])
        XCTAssertEqual(Propagation.fresnel(fine.nearField!).samplingProblems(height: 16, width: 16, pad: 4), [
            "fresnel propagation: the pixel pitch 0.4 µm is at most λ/√2 = 0.4476 µm, so the steepest waves the grid "
            + "holds are evanescent or graze the mask: use a pitch above λ/√2"])
        XCTAssertEqual(Propagation.farField.samplingProblems(height: 16, width: 16, pad: 1), [])
    }
}
