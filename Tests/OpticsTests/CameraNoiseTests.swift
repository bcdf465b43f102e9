import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// `NoiseModel.camera` (`CameraNoise`): electrons, saturation, ADC, and its one text form.
final class CameraNoiseTests: XCTestCase {
    /// A constant CDP `[1, 1, side, side]` of intensity `level`.
    func constant(_ level: Float, side: Int = 256) -> Tensor {
        let y = Tensor(zeros: [1, 1, side, side])
        for k in 0..<y.count { y.pointer[k] = level }
        return y
    }

    /// The electrons of each pixel: ỹ·c with c = photons / mean(y).
    func electrons(_ noisy: Tensor, clean: Tensor, photons: Double) -> [Double] {
        let c = photons * Double(clean.count) / clean.sum()
        return (0..<noisy.count).map { Double(noisy.pointer[$0]) * c }
    }

    func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
    }

    /// On a constant CDP the electrons are Poisson(N) + N(0, r²): mean N, variance N + r². With m
    /// pixels the mean's standard error is sqrt((N + r²)/m) and the variance's relative one about
    /// sqrt(2/m) (0.0055 for m = 65536); the tolerances are 5 of them.
    func testElectronsHaveShotPlusReadVarianceOnAConstantCDP() throws {
        let y = constant(0.7)
        let m = Double(y.count)
        for (photons, read) in [(400.0, 5.0), (30.0, 2.0), (2000.0, 0.0)] {
            var rng = SeededGenerator(seed: 11)
            let model = NoiseModel.camera(CameraNoise(photonsPerPixel: photons, readNoise: read))
            let e = electrons(model.sample(y, generator: &rng), clean: y, photons: photons)
            let (mean, variance) = moments(e)
            let expected = photons + read * read
            XCTAssertEqual(mean, photons, accuracy: 5 * (expected / m).squareRoot(), "N = \(photons), r = \(read)")
            XCTAssertEqual(variance / expected, 1, accuracy: 5 * (2 / m).squareRoot(), "N = \(photons), r = \(read)")
        }
    }

    /// Without read noise the well caps the electrons at exactly W, and P(Poisson(1000) ≥ 1010) = 0.3801 of
    /// the pixels sit there (binomial standard error 0.0019 over 65536 pixels; tolerance 0.01).
    func testFullWellClipsTheElectrons() throws {
        let y = constant(2)
        var rng = SeededGenerator(seed: 12)
        let model = NoiseModel.camera(CameraNoise(photonsPerPixel: 1000, readNoise: 0, fullWell: 1010))
        let e = electrons(model.sample(y, generator: &rng), clean: y, photons: 1000)
        XCTAssertEqual(e.max()!, 1010, accuracy: 1e-3)
        let saturated = Double(e.filter { abs($0 - 1010) < 1e-3 }.count) / Double(e.count)
        XCTAssertEqual(saturated, 0.3801, accuracy: 0.01)
    }

    /// With an ADC every value is a whole number of steps g = W/(2^B − 1) electrons, the steps seen are
    /// consecutive, and the range is [0, W]: read noise below zero clamps to DN 0, the brightest pixels to
    /// full scale.
    func testADCQuantizesInStepsOfFullWellOverFullScale() throws {
        let y = Tensor(zeros: [1, 1, 64, 64])
        // Dark even pixels; odd ones t⁴ for t in [0, 1]: mean 0.1, so the brightest get 10× the mean, 2000 e⁻.
        for k in 0..<y.count { y.pointer[k] = k % 2 == 0 ? 0 : pow(Float((k / 2) % 64) / 63, 4) }
        // Read noise (40 e⁻) above the step (23.8 e⁻): dark pixels would read negative without the clamp.
        let sensor = CameraNoise(photonsPerPixel: 200, readNoise: 40, fullWell: 1500, bits: 6)
        let gain = try XCTUnwrap(sensor.gain)
        XCTAssertEqual(gain, 1500.0 / 63, accuracy: 1e-12)
        var rng = SeededGenerator(seed: 13)
        let e = electrons(NoiseModel.camera(sensor).sample(y, generator: &rng), clean: y, photons: 200)
        var levels = Set<Int>()
        for value in e {
            let dn = value / gain
            XCTAssertEqual(dn, dn.rounded(), accuracy: 1e-3, "\(value) e⁻ is not a whole number of steps")
            levels.insert(Int(dn.rounded()))
        }
        XCTAssertEqual(levels.min(), 0, "dark pixels with negative read noise clamp to 0")
        XCTAssertEqual(levels.max(), 63, "pixels above the full well clamp to full scale")
        XCTAssertGreaterThan(levels.count, 20)
    }

    /// No read noise, no well, no ADC: exactly the Poisson model's draws and values. A 32-bit ADC over a
    /// well far above every pixel moves each value by at most half a step.
    func testWithoutReadNoiseAndWithAFineADCItIsThePoissonModel() throws {
        var rng = SeededGenerator(seed: 1)
        let x = try Scene.phaseObject(Tensor.uniform([2, 16, 16], generator: &rng))
        let y = try SensingModel().measure(x, masks: CodedMasks.random(snapshots: 3, height: 16, width: 16, generator: &rng))
        for photons in [5.0, 300.0] {
            var a = SeededGenerator(seed: 14), b = SeededGenerator(seed: 14), c = SeededGenerator(seed: 14)
            let poisson = NoiseModel.poisson(photonsPerPixel: photons).sample(y, generator: &a)
            let bare = NoiseModel.camera(CameraNoise(photonsPerPixel: photons, readNoise: 0)).sample(y, generator: &b)
            XCTAssertTrue(bitIdentical(poisson, bare), "photons \(photons)")
            let fine = CameraNoise(photonsPerPixel: photons, readNoise: 0, fullWell: 1e6 * photons, bits: 32)
            let quantized = NoiseModel.camera(fine).sample(y, generator: &c)
            let m = y.count / 2
            for s in 0..<2 {
                var total = 0.0
                for k in (s * m)..<((s + 1) * m) { total += Double(y.pointer[k]) }
                let scale = photons * Double(m) / total
                for k in (s * m)..<((s + 1) * m) {
                    let d = abs(Double(quantized.pointer[k]) - Double(poisson.pointer[k])) * scale
                    XCTAssertLessThanOrEqual(d, fine.gain! / 2 + 1e-5 * Double(poisson.pointer[k]) * scale, "pixel \(k)")
                }
            }
        }
    }

    func testSameSeedSameNoiseAndTheGradientPassesStraightThrough() throws {
        let y = constant(1, side: 16)
        let model = NoiseModel.camera(CameraNoise(photonsPerPixel: 100, readNoise: 3, fullWell: 300, bits: 8))
        var a = SeededGenerator(seed: 15), b = SeededGenerator(seed: 15), c = SeededGenerator(seed: 16)
        let first = model.sample(y, generator: &a)
        XCTAssertTrue(bitIdentical(first, model.sample(y, generator: &b)))
        XCTAssertFalse(bitIdentical(first, model.sample(y, generator: &c)))

        let tape = Tape()
        let leaf = tape.leaf(y)
        var rng = SeededGenerator(seed: 17)
        let noisy = model.apply(leaf, generator: &rng)
        XCTAssertFalse(bitIdentical(noisy.value, y))
        tape.backward(from: sum(noisy))
        XCTAssertEqual(leaf.gradient!.sum(), Double(y.count), accuracy: 1e-3)
    }

    func testParsingRoundTripsAndTheDescriptionStatesTheGain() throws {
        let models: [CameraNoise] = [
            CameraNoise(photonsPerPixel: 1000, readNoise: 3, fullWell: 10000, bits: 12),
            CameraNoise(photonsPerPixel: 50.5, readNoise: 0),
            CameraNoise(photonsPerPixel: 200, readNoise: 1.5, fullWell: 900),
        ]
        for sensor in models {
            let model = NoiseModel.camera(sensor)
            XCTAssertEqual(try NoiseModel(parsing: "camera:" + sensor.syntax), model, sensor.syntax)
            XCTAssertEqual(try JSONDecoder().decode(NoiseModel.self, from: try JSONEncoder().encode(model)), model)
        }
        XCTAssertEqual(models[0].syntax, "photons=1000,read=3,well=10000,bits=12")
        XCTAssertEqual(try NoiseModel(parsing: "Camera:bits=12, well=10000,READ=3,photons=1e3"), .camera(models[0]))
        XCTAssertEqual(NoiseModel.camera(models[0]).description,
                       "camera noise: 1000 photons per pixel on average, read noise 3 e⁻ rms, full well 10000 e⁻, "
                       + "12-bit ADC at 2.442 e⁻/DN (camera:photons=1000,read=3,well=10000,bits=12)")
        XCTAssertEqual(NoiseModel.camera(models[1]).description,
                       "camera noise: 50.5 photons per pixel on average, read noise 0 e⁻ rms (camera:photons=50.5,read=0)")
    }

    func testBadSensorsGiveOneLineNamingTheField() {
        let cases: [(String, String)] = [
            ("camera", "camera noise needs its sensor: camera:photons=N,read=E[,well=E][,bits=B], "
                + "e.g. camera:photons=1000,read=3,well=10000,bits=12"),
            ("camera:photons=-5,read=3", "camera noise needs a positive mean photon count per pixel, got photons=-5"),
            ("camera:photons=0,read=3", "camera noise needs a positive mean photon count per pixel, got photons=0"),
            ("camera:photons=100,read=-1", "camera read noise must be a finite number of electrons ≥ 0, got read=-1"),
            ("camera:photons=100,read=nan", "camera read noise must be a finite number of electrons ≥ 0, got read=nan"),
            ("camera:photons=100,read=2,well=80", "camera full well must exceed the mean signal of 100 e⁻ per pixel, got well=80"),
            ("camera:photons=100,read=2,well=1000,bits=0", "camera ADC bits must be in 1…32, got bits=0"),
            ("camera:photons=100,read=2,well=1000,bits=33", "camera ADC bits must be in 1…32, got bits=33"),
            ("camera:photons=100,read=2,well=1000,bits=12.5", "camera ADC bits must be a whole number in 1…32, got bits=12.5"),
            ("camera:photons=100,read=2,bits=12",
             "camera ADC bits=12 needs the full well (well=E): the ADC maps the full well to full scale"),
            ("camera:photons=100", "camera noise needs photons=N and read=E, e.g. camera:photons=1000,read=3,well=10000,bits=12"),
            ("camera:photons=100,read=2,gain=3", "camera noise fields are photons=N,read=E[,well=E][,bits=B], got 'gain=3'"),
            ("camera:photons=100,read=2,", "camera noise fields are photons=N,read=E[,well=E][,bits=B], got ''"),
            ("camera:photons=100,read=2,read=3", "camera noise field read is given twice"),
            ("camera:photons=lots,read=2", "camera noise photons=lots is not a number"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try NoiseModel(parsing: text), text) {
                XCTAssertEqual(($0 as? OpticsError)?.description, message, text)
            }
        }
        XCTAssertThrowsError(try NoiseModel.camera(CameraNoise(photonsPerPixel: .infinity, readNoise: 0)).validate())
    }
}
