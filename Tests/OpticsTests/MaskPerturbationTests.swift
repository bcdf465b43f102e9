import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// The realized-mask errors of `MaskPerturbation` / `MaskError` on masks small enough to work out by hand.
final class MaskPerturbationTests: XCTestCase {
    let pi = Double.pi

    func mask(_ values: [Double], _ shape: [Int]) -> Tensor { Tensor(values.map { Float($0) }, shape: shape) }

    func assertClose(_ t: Tensor, _ expected: [Double], accuracy: Double = 1e-5, _ message: String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.count, expected.count, message, file: file, line: line)
        for (a, b) in zip(t.array, expected) { XCTAssertEqual(Double(a), b, accuracy: accuracy, message, file: file, line: line) }
    }

    /// Every kind at zero amplitude gives back the mask bit for bit, on an unwrapped training mask and on
    /// a quantized one, as a tensor and on the tape (where nothing is recorded).
    func testZeroAmplitudeRealizesTheNominalMask() throws {
        var rng = SeededGenerator(seed: 1)
        let unwrapped = Tensor.uniform([2, 5, 6], low: -9, high: 9, generator: &rng)
        let quantized = mask((0..<60).map { Double($0 % 8) * pi / 4 }, [2, 5, 6])
        for phi in [unwrapped, quantized] {
            let layers = try BinaryLayers(nearestLevelsOf: phi, levels: 8)
            for kind in MaskPerturbation.Kind.allCases {
                var g = SeededGenerator(seed: 2)
                let error = MaskPerturbation(kind, amplitude: 0).draw(layerCount: layers.count, generator: &g)
                XCTAssertTrue(error.isIdentity, "\(kind)")
                XCTAssertTrue(try error.applied(to: phi, layers: layers).isBitIdentical(to: phi), "\(kind)")
                let tape = Tape()
                let v = tape.leaf(phi)
                XCTAssertTrue(try error.applied(to: v, layers: layers).node === v.node, "\(kind)")
                XCTAssertEqual(tape.recordedOps, [], "\(kind)")
            }
        }
    }

    /// s·wrap(φ), the whole turns of an unwrapped phase kept: φ' = φ + (s − 1)·wrap(φ).
    func testDepthScaleScalesTheWrappedPhase() throws {
        let phi = mask([0, pi / 2, pi, 1.5 * pi + 2 * pi], [1, 1, 4])
        assertClose(try MaskError.depthScale(1.1).applied(to: phi), [0, 0.55 * pi, 1.1 * pi, 3.5 * pi + 0.15 * pi])
    }

    /// K = 4: layer 1 adds π, layer 2 π/2. Depth errors ε = (+10 %, −20 %) move level 1 (bits 01) by
    /// −0.1π, level 2 (10) by +0.1π, level 3 (11) by 0.1π − 0.1π = 0. A conjugated element etches
    /// (4 − ℓ) mod 4 with negative steps: level 1 is etched 3 (Δ = −(0.1π − 0.1π) = 0), level 3 etched 1
    /// (Δ = +0.1π).
    func testLayerDepthErrorsAddEachLayersShare() throws {
        let phi = mask([0, pi / 2, pi, 1.5 * pi], [1, 2, 2])
        let plain = try BinaryLayers(levels: 4, shape: [1, 2, 2], etchedLevels: [0, 1, 2, 3])
        let error = MaskError.layerDepth([0.1, -0.2])
        assertClose(try error.applied(to: phi, layers: plain), [0, 0.5 * pi - 0.1 * pi, pi + 0.1 * pi, 1.5 * pi])
        XCTAssertEqual(try BinaryLayers(nearestLevelsOf: phi, levels: 4), plain)
        let conjugated = try BinaryLayers(levels: 4, shape: [1, 2, 2], etchedLevels: [0, 3, 2, 1], conjugated: true)
        assertClose(try error.applied(to: phi, layers: conjugated), [0, 0.5 * pi, pi - 0.1 * pi, 1.5 * pi + 0.1 * pi])
    }

    /// Levels 0, 1, 0, 1 along a row (only layer 2 etches, π/2): moved one pixel right, the etched pixels
    /// swap; moved half a pixel, each pixel is half etched (area overlap), and the first pixel is half
    /// etched by nothing from the left edge.
    func testMisalignmentMovesALayerByAreaOverlap() throws {
        let phi = mask([0, pi / 2, 0, pi / 2], [1, 1, 4])
        let layers = try BinaryLayers(nearestLevelsOf: phi, levels: 4)
        let still = LayerShift(rows: 0, columns: 0)
        let whole = MaskError.misalignment([still, LayerShift(rows: 0, columns: 1)])
        assertClose(try whole.applied(to: phi, layers: layers), [0, 0, pi / 2, 0])
        let half = MaskError.misalignment([still, LayerShift(rows: 0, columns: 0.5)])
        assertClose(try half.applied(to: phi, layers: layers), [0, pi / 4, pi / 4, pi / 4])
        let left = MaskError.misalignment([still, LayerShift(rows: 0, columns: -0.25)])
        assertClose(try left.applied(to: phi, layers: layers), [pi / 8, 3 * pi / 8, pi / 8, 3 * pi / 8])
        // Down by one row on a 2×1 column: the etched top pixel moves to the bottom.
        let column = mask([pi, 0], [1, 2, 1])
        let down = MaskError.misalignment([LayerShift(rows: 1, columns: 0), still])
        assertClose(try down.applied(to: column, layers: try BinaryLayers(nearestLevelsOf: column, levels: 4)), [0, pi])
    }

    /// The fringing kernel against a slow quadrature of the Gaussian-blurred pixel averaged over pixels,
    /// and its effect on a lone pixel of a one-row mask: K(d) of it on the pixel d away, times K(0) for the
    /// rows above and below, which are outside the mask (zero phase).
    func testCrosstalkBlursTheWrappedPhaseWithThePixelAveragedGaussian() throws {
        XCTAssertEqual(MaskError.fringingKernel(sigma: 0), [1])
        for sigma in [0.05, 0.3, 1.2] {
            let k = MaskError.fringingKernel(sigma: sigma), r = k.count / 2
            XCTAssertEqual(k.reduce(0, +), 1, accuracy: 1e-12)
            for d in 0...min(r, 3) {
                XCTAssertEqual(k[r + d], k[r - d], accuracy: 1e-12)
                // K(d) = ∫∫_{[0,1]²} g_σ(d + u − v) du dv by the midpoint rule.
                let m = 400
                var sum = 0.0
                for i in 0..<m {
                    for j in 0..<m {
                        let t = Double(d) + (Double(i) + 0.5) / Double(m) - (Double(j) + 0.5) / Double(m)
                        sum += exp(-t * t / (2 * sigma * sigma)) / (sigma * (2 * pi).squareRoot())
                    }
                }
                XCTAssertEqual(k[r + d], sum / Double(m * m), accuracy: 2e-3, "σ = \(sigma), d = \(d)")
            }
        }
        let k = MaskError.fringingKernel(sigma: 0.4), r = k.count / 2
        let phi = mask([0, 0, 2, 0, 0], [1, 1, 5])
        assertClose(try MaskError.crosstalk(sigma: 0.4).applied(to: phi), (-2...2).map { 2 * k[r] * k[r + $0] })
        // The phase is wrapped first: 2π + 2 blurs as 2 does, and the whole turn stays.
        assertClose(try MaskError.crosstalk(sigma: 0.4).applied(to: mask([0, 2 + 2 * pi, 0], [1, 1, 3])).reshaped([3]),
                    [2 * k[r] * k[r - 1], 2 * k[r] * k[r] + 2 * pi, 2 * k[r] * k[r + 1]])
    }

    func testLUTGammaBendsThePhaseResponse() throws {
        let phi = mask([0, pi, 1.5 * pi, pi + 2 * pi], [1, 1, 4])
        assertClose(try MaskError.lutGamma(2).applied(to: phi), [0, pi / 2, 2 * pi * 0.5625, pi / 2 + 2 * pi])
    }

    /// λ = λ₀(1 + a·g) scales the phase by 1/(1 + a·g); draws reuse their numbers at every amplitude.
    func testDrawsScaleWithTheAmplitude() {
        for kind in MaskPerturbation.Kind.allCases {
            var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7)
            let small = MaskPerturbation(kind, amplitude: 0.01).draw(layerCount: 3, generator: &g1)
            let large = MaskPerturbation(kind, amplitude: 0.02).draw(layerCount: 3, generator: &g2)
            switch (small, large) {
            case (.depthScale(let a), .depthScale(let b)) where kind == .depthScale:
                XCTAssertEqual(b - 1, 2 * (a - 1), accuracy: 1e-12)
            case (.depthScale(let a), .depthScale(let b)):
                XCTAssertEqual(1 / b - 1, 2 * (1 / a - 1), accuracy: 1e-12)
            case (.layerDepth(let a), .layerDepth(let b)):
                XCTAssertEqual(a.count, 3)
                for (x, y) in zip(a, b) { XCTAssertEqual(y, 2 * x, accuracy: 1e-12) }
            case (.misalignment(let a), .misalignment(let b)):
                XCTAssertEqual(a.count, 3)
                XCTAssertEqual(a[0], LayerShift(rows: 0, columns: 0), "layer 1 is the reference")
                for (x, y) in zip(a, b) { XCTAssertEqual(y.columns, 2 * x.columns, accuracy: 1e-12) }
            case (.crosstalk(let a), .crosstalk(let b)):
                XCTAssertEqual([a, b], [0.01, 0.02])
            case (.lutGamma(let a), .lutGamma(let b)):
                XCTAssertEqual(log(b), 2 * log(a), accuracy: 1e-12)
            default: XCTFail("\(kind) drew \(small)")
            }
        }
        // The rms of a misalignment is the amplitude: E|shift|² = a².
        var g = SeededGenerator(seed: 3)
        var sum = 0.0
        for _ in 0..<4000 {
            guard case .misalignment(let s) = MaskPerturbation(.misalignment, amplitude: 0.5).draw(layerCount: 2, generator: &g)
            else { return XCTFail() }
            sum += s[1].rows * s[1].rows + s[1].columns * s[1].columns
        }
        XCTAssertEqual((sum / 4000).squareRoot(), 0.5, accuracy: 0.02)
    }

    func testParsingNeedsTheUnit() throws {
        XCTAssertEqual(try MaskPerturbation(parsing: "depth-scale:5%"), MaskPerturbation(.depthScale, amplitude: 0.05))
        XCTAssertEqual(try MaskPerturbation(parsing: "misalignment:0.1px"), MaskPerturbation(.misalignment, amplitude: 0.1))
        XCTAssertEqual(try MaskPerturbation(parsing: "Crosstalk:0.5 px").amplitude, 0.5)
        let scales = MaskPerturbation.Scales(pixelPitch: 8e-6, wavelength: 633e-9)
        XCTAssertEqual(try MaskPerturbation.parseAmplitude("2µm", kind: .misalignment, scales: scales), 0.25, accuracy: 1e-12)
        XCTAssertEqual(try MaskPerturbation.parseAmplitude("6.33nm", kind: .wavelength, scales: scales), 0.01, accuracy: 1e-12)
        XCTAssertEqual(MaskPerturbation(.lutGamma, amplitude: 0.05).description, "lut-gamma:5%")
        let refusals = [
            ("depth-scale:0.05", "depth-scale amplitude '0.05' must be a number ≥ 0 with its unit, % (e.g. depth-scale:5%)"),
            ("misalignment:1um", "misalignment amplitude '1um' in µm needs the element's pixel pitch; give it in px (mask pixels)"),
            ("wavelength:5nm", "wavelength amplitude '5nm' in nm needs the design wavelength; give Δλ/λ₀ in %"),
            ("layer-depth:-5%", "layer-depth amplitude '-5%' must be a number ≥ 0 with its unit, % (e.g. layer-depth:5%)"),
            ("depth-scale:80%", "perturbation depth-scale: amplitude 0.8 must be in 0…0.5 (mask units)"),
            ("tilt:1px", "perturbation must be KIND:AMPLITUDE with KIND one of depth-scale, layer-depth, misalignment, "
             + "crosstalk, lut-gamma, wavelength, got 'tilt:1px'"),
        ]
        for (text, message) in refusals {
            XCTAssertThrowsError(try MaskPerturbation(parsing: text), text) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testLayersRefuseWhatLithographyCannotMake() {
        XCTAssertThrowsError(try BinaryLayers(levels: 6, shape: [1, 1, 1], etchedLevels: [0])) {
            XCTAssertEqual("\($0)", "binary layers make K = 2^k levels; K = 6 is not a power of two")
        }
        XCTAssertThrowsError(try MaskError.layerDepth([0.1]).applied(to: mask([1], [1, 1, 1]))) {
            XCTAssertEqual("\($0)", "this mask error needs the element's binary lithography layers")
        }
    }
}
