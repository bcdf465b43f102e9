import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

final class SceneModelTests: XCTestCase {
    /// Intensities with the values that matter: 0, −0, 1, and seeded uniforms.
    func images(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor.uniform(shape, generator: &rng)
        t.pointer[0] = 0
        t.pointer[1] = -0.0
        t.pointer[2] = 1
        return t
    }

    /// Training, export and simulate have always built exp(j·Float(Double.pi)·I) from the configuration's
    /// Double phase scale (`Float.pi` is π rounded down, one ulp below).
    func testStandardModelReproducesThePhaseObjectBitForBit() throws {
        for shape in [[3, 1, 5, 4], [2, 6, 6]] {
            let image = images(shape, seed: 11)
            let old = try Scene.phaseObject(image, phaseScale: Float(Double.pi))
            let new = try SceneModel.standard.field(image)
            XCTAssertEqual(new.shape, old.shape)
            XCTAssertTrue(bitIdentical(new.storage, old.storage), "\(shape)")
            // The sign of zero survives too (sin(−0) = −0), as with exp(jπI).
            XCTAssertEqual(new.pointer[3].bitPattern, (-0.0 as Float).bitPattern)
        }
        let scaled = try SceneModel.phaseScale(2).field(images([2, 1, 4, 4], seed: 12))
        XCTAssertTrue(bitIdentical(scaled.storage, try Scene.phaseObject(images([2, 1, 4, 4], seed: 12), phaseScale: 2).storage))
        XCTAssertEqual(SceneModel(), .standard)
        XCTAssertEqual(SceneModel.standard.phaseSpan, Double.pi)
    }

    func testPhaseRangeMapsZeroAndOneToItsEnds() throws {
        let model = SceneModel(phaseMin: -1, phaseMax: 2)
        let image = Tensor([0, 1, 0.5, 0.25], shape: [1, 1, 2, 2])
        let x = try model.field(image)
        for (k, phase) in [-1.0, 2.0, 0.5, -0.25].enumerated() {
            XCTAssertEqual(Double(x[k].re), cos(phase), accuracy: 1e-6, "pixel \(k)")
            XCTAssertEqual(Double(x[k].im), sin(phase), accuracy: 1e-6, "pixel \(k)")
        }
        // The inverse recovers I from the phase of a pure-phase scene of this range.
        let back = model.normalizedPhase(of: x)
        XCTAssertEqual(back.shape, [1, 1, 2, 2])
        for k in 0..<4 { XCTAssertEqual(back.pointer[k], image.pointer[k], accuracy: 1e-6) }
        // A full-wave range still tells I = 0 from I = 0.9.
        let wave = SceneModel(phaseMin: 0, phaseMax: 2 * .pi)
        let y = try wave.field(Tensor([0, 0.9], shape: [1, 1, 2]))
        XCTAssertEqual(wave.normalizedPhase(of: y).pointer[1], 0.9, accuracy: 1e-5)
    }

    func testOffsetsAreSeededWithinDeltaAndOnlyOnTheBackground() throws {
        let model = SceneModel(backgroundOffset: 0.3)
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let first = model.drawOffsets(count: 200, generator: &a)
        XCTAssertEqual(first, model.drawOffsets(count: 200, generator: &b))
        XCTAssertNotEqual(first, model.drawOffsets(count: 200, generator: &c))
        XCTAssertEqual(first.count, 200)
        XCTAssertTrue(first.allSatisfy { abs($0) <= Float(0.3) })
        XCTAssertGreaterThan(first.max()!, 0.25)
        XCTAssertLessThan(first.min()!, -0.25)
        XCTAssertGreaterThan(Set(first).count, 190)

        // Without an offset nothing is drawn: the generator's next values are unchanged.
        var d = SeededGenerator(seed: 7), e = SeededGenerator(seed: 7)
        XCTAssertEqual(SceneModel.standard.drawOffsets(count: 5, generator: &d), [])
        XCTAssertEqual(d.next(), e.next())

        // Offsets move exactly the pixels with I = 0, each scene by its own δ.
        let image = Tensor([0, 0.5, 0, 1, 0.25, 0, 0, 0.75], shape: [2, 1, 2, 2])
        let x = try model.field(image, offsets: [0.2, -0.1])
        let plain = try model.field(image)
        for k in 0..<8 {
            let delta: Float = image.pointer[k] == 0 ? (k < 4 ? 0.2 : -0.1) : 0
            let phase = Float.pi * image.pointer[k] + delta
            XCTAssertEqual(x[k].re, cos(phase), accuracy: 1e-6, "pixel \(k)")
            XCTAssertEqual(x[k].im, sin(phase), accuracy: 1e-6, "pixel \(k)")
            if delta == 0 { XCTAssertEqual(x[k].re.bitPattern, plain[k].re.bitPattern) }
        }
        XCTAssertThrowsError(try model.field(image, offsets: [0.1]))
    }

    func testAmplitudeFollowsTheImageOrAnAmplitudeImage() throws {
        let model = SceneModel(phaseMin: 0, phaseMax: 1, amplitudeAtZero: 1, amplitudeAtOne: 0.5)
        XCTAssertFalse(model.isPurePhase)
        let image = Tensor([0, 1, 0.5, 0.2], shape: [1, 2, 2])
        let coupled = try model.field(image)
        for (k, a) in [1.0, 0.5, 0.75, 0.9].enumerated() {
            XCTAssertEqual(Double(hypot(coupled[k].re, coupled[k].im)), a, accuracy: 1e-6, "pixel \(k)")
            XCTAssertEqual(Double(atan2(coupled[k].im, coupled[k].re)), Double(image.pointer[k]), accuracy: 1e-6)
        }
        let amplitude = Tensor([1, 0, 0, 1], shape: [1, 2, 2])
        let separate = try model.field(image, amplitude: amplitude)
        for (k, a) in [0.5, 1.0, 1.0, 0.5].enumerated() {
            XCTAssertEqual(Double(hypot(separate[k].re, separate[k].im)), a, accuracy: 1e-6, "pixel \(k)")
        }
        XCTAssertThrowsError(try model.field(image, amplitude: Tensor(zeros: [1, 2, 3])))
        XCTAssertThrowsError(try model.field(image, amplitude: Tensor([1, .nan, 0, 0], shape: [1, 2, 2])))
    }

    func testParsesRangesAndRefusesWhatIsNotARange() throws {
        let accepted: [(String, Double, Double)] = [
            ("0:pi", 0, .pi), ("0:2pi", 0, 2 * .pi), ("-pi/2:pi/2", -.pi / 2, .pi / 2), ("0.5:3", 0.5, 3),
            ("0:π", 0, .pi), (" 0 : 3*pi/4 ", 0, 3 * .pi / 4), ("-0.5pi:1", -.pi / 2, 1), ("1:2.5", 1, 2.5),
        ]
        for (text, low, high) in accepted {
            let r = try SceneModel.parsePhaseRange(text)
            XCTAssertEqual(r.low, low, accuracy: 1e-15, text)
            XCTAssertEqual(r.high, high, accuracy: 1e-15, text)
        }
        let refused: [(String, String)] = [
            ("2:1", "MIN < MAX"), ("1:1", "MIN < MAX"), ("0:7", "more than 2π"), ("-pi:1.5pi", "more than 2π"),
            ("nan:1", "finite"), ("0:inf", "finite"), ("3", "MIN:MAX"), ("a:b", "not an angle"), ("1:2:3", "MIN:MAX"),
            ("", "MIN:MAX"), (":1", "MIN:MAX"), ("0:pi/0", "divisor"), ("0:2pix", "not an angle"), ("0:--pi", "not an angle"),
        ]
        for (text, fragment) in refused {
            XCTAssertThrowsError(try SceneModel.parsePhaseRange(text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(fragment), "'\(text)': \(message)")
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        XCTAssertEqual(try SceneModel.parseAngle("pi/4"), .pi / 4, accuracy: 1e-15)
        let a = try SceneModel.parseAmplitudeRange("1:0.6")
        XCTAssertEqual(a.atZero, 1); XCTAssertEqual(a.atOne, 0.6)
        for bad in ["0:0", "0:1.5", "-0.1:1", "1", "x:1"] {
            XCTAssertThrowsError(try SceneModel.parseAmplitudeRange(bad), bad)
        }
    }

    func testProblemsNameEverySetting() {
        XCTAssertEqual(SceneModel.standard.problems(), [])
        XCTAssertEqual(SceneModel(phaseMin: 0, phaseMax: 2 * .pi).problems(), [])
        XCTAssertEqual(SceneModel(phaseMin: 1, phaseMax: 0).problems().count, 1)
        XCTAssertEqual(SceneModel(backgroundOffset: -0.1).problems().count, 1)
        XCTAssertEqual(SceneModel(backgroundOffset: 4).problems().count, 1)
        XCTAssertEqual(SceneModel(backgroundOffset: .pi).problems(), [])
        XCTAssertEqual(SceneModel(amplitudeAtZero: 0, amplitudeAtOne: 0).problems().count, 1)
        XCTAssertEqual(SceneModel(amplitudeAtZero: 1.2).problems().count, 1)
        XCTAssertThrowsError(try SceneModel(phaseMin: 0, phaseMax: 7).field(Tensor(zeros: [1, 2, 2])))
    }

    func testCodableRoundTripAndTolerantDecoding() throws {
        let model = SceneModel(phaseMin: -0.5, phaseMax: 2, backgroundOffset: 0.25, amplitudeAtZero: 1, amplitudeAtOne: 0.7)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(model), as: UTF8.self)
        XCTAssertEqual(json, #"{"amplitudeRange":[1,0.7],"backgroundOffset":0.25,"phaseRange":[-0.5,2]}"#)
        XCTAssertEqual(try JSONDecoder().decode(SceneModel.self, from: Data(json.utf8)), model)
        XCTAssertEqual(try JSONDecoder().decode(SceneModel.self, from: Data("{}".utf8)), .standard)
        XCTAssertEqual(try JSONDecoder().decode(SceneModel.self, from: Data(#"{"phaseRange":[0,2]}"#.utf8)), .phaseScale(2))
        XCTAssertThrowsError(try JSONDecoder().decode(SceneModel.self, from: Data(#"{"phaseRange":[0]}"#.utf8)))
    }

    /// A complex field back to (I, A): phases outside the range go to the nearer end of it, and A is
    /// each scene's modulus over its own largest one.
    func testFieldsGiveBackTheirImagesWithPhasesOutsideTheRangeAtTheNearerEnd() throws {
        let model = SceneModel(phaseMin: 0, phaseMax: 2)
        // Phases 1 (inside), 2.5 (0.5 above the top), 6 (0.28 below 0, i.e. below the bottom), 2 (the top).
        let phases: [Float] = [1, 2.5, 6, 2], moduli: [Float] = [0.5, 2, 1, 4]
        let x = ComplexField(uninitialized: [1, 2, 2])
        for k in 0..<4 { x[k] = (moduli[k] * cos(phases[k]), moduli[k] * sin(phases[k])) }
        var outside = 0
        let i = model.normalizedPhase(of: x, outside: &outside)
        XCTAssertEqual(i.shape, [1, 1, 2, 2])
        for (k, expected) in [Float(0.5), 1, 0, 1].enumerated() { XCTAssertEqual(i.pointer[k], expected, accuracy: 1e-6, "pixel \(k)") }
        XCTAssertEqual(outside, 2)
        let a = try SceneModel.normalizedAmplitude(of: x)
        for (k, expected) in [Float(0.125), 0.5, 0.25, 1].enumerated() { XCTAssertEqual(a.pointer[k], expected, accuracy: 1e-6) }
        // A pixel without light has no phase: I = 0 there, whatever the signs of its zeros.
        x[0] = (-0.0, -0.0)
        XCTAssertEqual(model.normalizedPhase(of: x).pointer[0], 0)
        XCTAssertThrowsError(try SceneModel.normalizedAmplitude(of: ComplexField(zeros: [2, 2, 2]))) {
            XCTAssertEqual("\($0)", "complex scene 0 is zero everywhere: it has no amplitude to normalize")
        }
    }
}
