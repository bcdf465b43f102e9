import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

final class NoiseTests: XCTestCase {
    /// CDPs of a pure-phase scene: realistic, strongly non-uniform intensities.
    func cdps(batch: Int = 2, size: Int = 16) throws -> Tensor {
        var rng = SeededGenerator(seed: 1)
        let x = try Scene.phaseObject(Tensor.uniform([batch, size, size], generator: &rng))
        let phi = CodedMasks.random(snapshots: 4, height: size, width: size, generator: &rng)
        return try SensingModel().measure(x, masks: phi)
    }

    func testNoneIsTheIdentity() throws {
        let y = try cdps()
        var rng = SeededGenerator(seed: 2)
        XCTAssertTrue(bitIdentical(NoiseModel.none.sample(y, generator: &rng), y))
    }

    /// With n noise draws per sample the measured noise power has relative spread sqrt(2/n), i.e.
    /// 4.34·sqrt(2/n) dB (0.096 dB for n = 4096); the tolerance is 3.5 of those.
    func testGaussianHitsTheRequestedSNRPerSample() throws {
        let y = try cdps(size: 32)
        // Make sample 1 ten times brighter: σ must follow each sample's own power.
        for k in (y.count / 2)..<y.count { y.pointer[k] *= 10 }
        for snr in [10.0, 30.0] {
            var rng = SeededGenerator(seed: 3)
            let noisy = NoiseModel.gaussian(snrDB: snr).sample(y, generator: &rng)
            let m = y.count / 2
            for b in 0..<2 {
                var signal = 0.0, noise = 0.0
                for k in (b * m)..<((b + 1) * m) {
                    signal += Double(y.pointer[k]) * Double(y.pointer[k])
                    let d = Double(noisy.pointer[k] - y.pointer[k])
                    noise += d * d
                }
                let spread = 4.34 * (2 / Double(m)).squareRoot()
                XCTAssertEqual(10 * log10(signal / noise), snr, accuracy: 3.5 * spread, "SNR \(snr) dB, sample \(b)")
            }
        }
    }

    func testSameSeedSameNoise() throws {
        let y = try cdps()
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4), c = SeededGenerator(seed: 5)
        let model = NoiseModel.poisson(photonsPerPixel: 50)
        let first = model.sample(y, generator: &a)
        XCTAssertTrue(bitIdentical(first, model.sample(y, generator: &b)))
        XCTAssertFalse(bitIdentical(first, model.sample(y, generator: &c)))
    }

    /// Poisson noise: photon counts average N per pixel, and the rescaled data are unbiased with
    /// variance y/c.
    func testPoissonMeanPhotonCountAndVariance() throws {
        let y = try cdps(batch: 1)
        let m = y.count
        let meanY = y.sum() / Double(m)
        for photons in [3.0, 200.0] {   // both sampler branches (λ < 10 and λ ≥ 10 dominate)
            var rng = SeededGenerator(seed: 6)
            let noisy = NoiseModel.poisson(photonsPerPixel: photons).sample(y, generator: &rng)
            let c = photons / meanY
            var counts = 0.0, integral = true, residual = 0.0, expectedVariance = 0.0
            for k in 0..<m {
                let n = Double(noisy.pointer[k]) * c
                counts += n
                integral = integral && abs(n - n.rounded()) < 1e-3 * max(1, n)
                let d = Double(noisy.pointer[k] - y.pointer[k])
                residual += d * d
                expectedVariance += Double(y.pointer[k]) / c
            }
            XCTAssertTrue(integral, "rescaled values must be whole photon counts")
            XCTAssertEqual(counts / Double(m), photons, accuracy: 4 * (photons / Double(m)).squareRoot())
            XCTAssertEqual(residual / expectedVariance, 1, accuracy: 0.1)
        }
    }

    func testPoissonSamplerMoments() {
        var rng = SeededGenerator(seed: 7)
        for lambda in [0.5, 4.0, 25.0, 1000.0] {
            let n = 20_000
            var s = 0.0, s2 = 0.0
            for _ in 0..<n { let k = Double(poissonSample(lambda, &rng)); s += k; s2 += k * k }
            let mean = s / Double(n), variance = s2 / Double(n) - mean * mean
            XCTAssertEqual(mean, lambda, accuracy: 5 * (lambda / Double(n)).squareRoot(), "λ = \(lambda)")
            // The sample variance of n Poisson(λ) draws has relative standard error √((2 + 1/λ)/n): 0.014
            // for λ = 0.5 (the widest), so 0.06 is over 4 of them.
            XCTAssertEqual(variance / lambda, 1, accuracy: 0.06, "λ = \(lambda)")
        }
    }

    func testOnTheTapeTheGradientPassesStraightThrough() throws {
        let y = try cdps(batch: 1)
        let tape = Tape()
        let leaf = tape.leaf(y)
        var rng = SeededGenerator(seed: 8)
        let noisy = NoiseModel.gaussian(snrDB: 20).apply(leaf, generator: &rng)
        XCTAssertFalse(bitIdentical(noisy.value, y))
        tape.backward(from: sum(noisy))
        XCTAssertEqual(leaf.gradient!.sum(), Double(y.count), accuracy: 1e-3)
    }

    func testValidation() {
        XCTAssertThrowsError(try NoiseModel.gaussian(snrDB: .infinity).validate())
        XCTAssertThrowsError(try NoiseModel.poisson(photonsPerPixel: 0).validate())
        XCTAssertNoThrow(try NoiseModel.poisson(photonsPerPixel: 10).validate())
        XCTAssertNoThrow(try NoiseModel.none.validate())
    }

    func testCodableRoundTrip() throws {
        for model in [NoiseModel.none, .gaussian(snrDB: 25), .poisson(photonsPerPixel: 100)] {
            let data = try JSONEncoder().encode(model)
            XCTAssertEqual(try JSONDecoder().decode(NoiseModel.self, from: data), model)
        }
    }
}
