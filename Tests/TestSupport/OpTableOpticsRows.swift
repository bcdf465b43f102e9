import Autodiff
import Foundation
import Optics
import TensorCore

// Gradient rows of the Optics ops and the adjointness rows of every linear operator (see `OpTable`).

extension OpTable {
    static func opticsRows() -> [GradientRow] {
        var rows: [GradientRow] = []
        for f in [1, 2] {
            let model = try! SensingModel(oversampling: f)
            let inputs = [uniform([2, 4, 3], low: 0, high: 2 * .pi, seed: 30), normals([[2, 4, 3, 2]], seed: 31)[0]]
            rows.append(GradientRow(OpticsOp.measure, "f = \(f)", inputs: inputs) { _, v in
                model.measure(ComplexVariable(v[1]), masks: v[0]).node
            })
            for keeps in [false, true] {
                let inputs = [normals([[2, 3, 4, 2]], seed: 32)[0], uniform([2, 3, 4], low: 0, high: 2 * .pi, seed: 33),
                              uniform([2, 2, 3 * f, 4 * f], low: 0, high: 2, seed: 34)]
                rows.append(GradientRow(OpticsOp.spectralOperator, "f = \(f), keeps products: \(keeps)",
                                        inputs: inputs) { _, v in
                    spectralOperator(ComplexVariable(v[0]), masks: v[1], weights: v[2], oversampling: f,
                                     keepsProducts: keeps).node
                })
            }
        }
        rows += nearFieldRows()
        rows.append(GradientRow(OpticsOp.parsevalNorm, inputs: [uniform([2, 3, 4, 4], low: 0, high: 2, seed: 35)]) { _, v in
            parsevalNorm(v[0]).node
        })
        // At 120 dB the offset σ_b·n is about 1e-6 of y, below what the differences resolve: the row checks
        // the straight-through pullback ∂ỹ/∂y = I (σ_b is not differentiated, see `NoiseModel`).
        rows.append(GradientRow(OpticsOp.noise, "Gaussian, 120 dB", inputs: [uniform([2, 2, 3, 3], low: 0.5, high: 2, seed: 36)]) { _, v in
            var rng = SeededGenerator(seed: 37)
            return NoiseModel.gaussian(snrDB: 120).apply(v[0], generator: &rng).node
        })
        return rows + regularizerRows() + maskErrorRows()
    }

    /// One row per kind of realized mask error, on phases away from the wrap points (the layers, a
    /// realization's fixed input, from the same values).
    static func maskErrorRows() -> [GradientRow] {
        let phi = uniform([2, 4, 5], low: 0.3, high: 6, seed: 39)
        let layers = try! BinaryLayers(nearestLevelsOf: phi, levels: 4)
        let errors: [(String, MaskError)] = [
            ("depth-scale", .depthScale(1.15)), ("layer-depth", .layerDepth([0.1, -0.2])),
            ("misalignment", .misalignment([LayerShift(rows: 0, columns: 0), LayerShift(rows: 0.4, columns: -1.3)])),
            ("crosstalk", .crosstalk(sigma: 0.7)), ("lut-gamma 0.8", .lutGamma(0.8)), ("lut-gamma 1.3", .lutGamma(1.3)),
        ]
        return errors.map { name, error in
            GradientRow(OpticsOp.maskError, name, inputs: [phi]) { _, v in
                try! error.applied(to: v[0], layers: layers).node
            }
        }
    }

    /// The sensing ops with a near-field propagation: the angular spectrum padded by 2 and 3 (odd
    /// margins), Fresnel padded by 2 (`testPropagations`).
    static func nearFieldRows() -> [GradientRow] {
        var rows: [GradientRow] = []
        for (label, propagation, f) in testPropagations {
            let model = try! SensingModel(oversampling: f, propagation: propagation)
            let inputs = [uniform([2, 4, 3], low: 0, high: 2 * .pi, seed: 60), normals([[2, 4, 3, 2]], seed: 61)[0]]
            rows.append(GradientRow(OpticsOp.measure, label, inputs: inputs) { _, v in
                model.measure(ComplexVariable(v[1]), masks: v[0]).node
            })
            let gamma = [normals([[2, 3, 4, 2]], seed: 62)[0], uniform([2, 3, 4], low: 0, high: 2 * .pi, seed: 63),
                         uniform([2, 2, 3 * f, 4 * f], low: 0, high: 2, seed: 64)]
            rows.append(GradientRow(OpticsOp.spectralOperator, label, inputs: gamma) { _, v in
                spectralOperator(ComplexVariable(v[0]), masks: v[1], weights: v[2], oversampling: f,
                                 propagation: propagation).node
            })
        }
        return rows
    }

    /// Near-field propagations that the sampling check accepts for 3×4 masks (8 µm pitch, 633 nm,
    /// 0.2 mm, where H turns by about 3 rad at the band's corner), with their padding and a label.
    public static var testPropagations: [(label: String, propagation: Propagation, pad: Int)] {
        let g = try! NearFieldGeometry(pitch: 8e-6, wavelength: 633e-9, distance: 0.2e-3)
        return [("angular spectrum, pad 2", .angularSpectrum(g), 2), ("angular spectrum, pad 3", .angularSpectrum(g), 3),
                ("Fresnel, pad 2", .fresnel(g), 2)]
    }

    static func regularizerRows() -> [GradientRow] {
        let phi = uniform([2, 3, 4], low: -7, high: 7, seed: 38)
        let constraints = [try! PhaseConstraints(levels: 4), try! PhaseConstraints(levels: 8, stroke: 1.2 * .pi),
                           try! PhaseConstraints(levels: 3, stroke: 5, levelPhases: [0.2, 2.0, 4.4])]
        return constraints.map { c in
            let r = PhaseRegularizer(constraints: c)
            return GradientRow(OpticsOp.regularizer, "\(c)", inputs: [phi], epsilon: 1e-3) { _, v in r(v[0]).node }
        }
    }

    static func autodiffAdjointRows() -> [AdjointRow] {
        let x = randomField([2, 6, 5], seed: 40), y = randomField([2, 6, 5], seed: 41)
        let kernel = normals([[5, 5]], seed: 42)[0], phase = uniform([3, 4, 5], low: 0, high: 2 * .pi, seed: 43)
        return [
            AdjointRow(AutodiffOp.fft2, x: x, y: y, forward: { fft2($0) }, adjoint: { naiveDFT2($0, sign: 1) }),
            AdjointRow(AutodiffOp.ifft2, x: x, y: y, forward: { ifft2($0) }, adjoint: { naiveDFT2($0, sign: -1) }),
            AdjointRow(AutodiffOp.filter2D, "5×5", x: randomField([2, 7, 6], seed: 44), y: randomField([2, 7, 6], seed: 45),
                       forward: { filter2D($0, kernel: $0.tape.constant(kernel)) },
                       adjoint: { naiveFilter2D($0, kernel: flippedKernel(kernel)) }),
            AdjointRow(AutodiffOp.modulate, x: randomField([2, 4, 5], seed: 46), y: randomField([2, 3, 4, 5], seed: 47),
                       forward: { modulate(phase: $0.tape.constant(phase), field: $0) },
                       adjoint: { naiveDemodulate($0, phase: phase) }),
        ]
    }

    /// Γ is Hermitian for real weights: its adjoint is the plain-loop Γ (far and near field).
    static func opticsAdjointRows() -> [AdjointRow] {
        let cases: [(String, Propagation, Int)] = [("f = 1", .farField, 1), ("f = 2", .farField, 2)]
            + testPropagations.map { ($0.label, $0.propagation, $0.pad) }
        return cases.map { label, propagation, f in
            let phi = uniform([3, 4, 5], low: 0, high: 2 * .pi, seed: 50)
            let w = uniform([2, 3, 4 * f, 5 * f], low: 0, high: 2, seed: 51)
            return AdjointRow(OpticsOp.spectralOperator, label, x: randomField([2, 4, 5], seed: 52),
                              y: randomField([2, 4, 5], seed: 53),
                              forward: { spectralOperator($0, masks: $0.tape.constant(phi), weights: $0.tape.constant(w),
                                                          oversampling: f, propagation: propagation) },
                              adjoint: { naiveGamma($0, masks: phi, weights: w, oversampling: f, propagation: propagation) })
        }
    }
}

/// The adjoint of the modulation, written out: `x̄[b] = Σ_ℓ exp(−jφ_ℓ) ⊙ y[b, ℓ]` for `y` `[B, L, H, W]`
/// and `phase` `[L, H, W]`, giving `[B, H, W]`.
func naiveDemodulate(_ y: ComplexField, phase: Tensor) -> ComplexField {
    let (b, l, n) = (y.shape[0], phase.shape[0], phase.shape[1] * phase.shape[2])
    let out = ComplexField(zeros: [b, phase.shape[1], phase.shape[2]])
    for s in 0..<b {
        for c in 0..<l {
            for k in 0..<n {
                let p = phase.pointer[c * n + k], (yr, yi) = y[(s * l + c) * n + k], (er, ei) = out[s * n + k]
                out[s * n + k] = (er + cos(p) * yr + sin(p) * yi, ei + cos(p) * yi - sin(p) * yr)
            }
        }
    }
    return out
}
