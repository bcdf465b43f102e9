import Autodiff
import TensorCore

// Gradient rows of the Autodiff ops (see `OpTable`). Shapes are tiny; inputs of order 1.

extension OpTable {
    static func elementwiseRows() -> [GradientRow] {
        let pair = normals([[2, 3], [2, 3]], seed: 1), batch = normals([[3, 2, 2], [3, 2, 2]], seed: 2)
        return [
            GradientRow(AutodiffOp.add, inputs: pair) { _, v in (v[0] + v[1]).node },
            GradientRow(AutodiffOp.subtract, inputs: pair) { _, v in (v[0] - v[1]).node },
            GradientRow(AutodiffOp.multiply, inputs: pair) { _, v in (v[0] * v[1]).node },
            GradientRow(AutodiffOp.multiply, "one input twice", inputs: pair) { _, v in (v[0] * v[0]).node },
            GradientRow(AutodiffOp.scale, inputs: pair) { _, v in (2.5 * v[0]).node },
            GradientRow(AutodiffOp.reshape, inputs: pair) { _, v in v[0].reshaped([3, 2]).node },
            GradientRow(AutodiffOp.sum, inputs: batch) { _, v in sum(v[0]).node },
            GradientRow(AutodiffOp.mean, inputs: batch) { _, v in mean(v[0]).node },
            GradientRow(AutodiffOp.sumPerSample, inputs: batch) { _, v in sumPerSample(v[0]).node },
            GradientRow(AutodiffOp.meanPerSample, inputs: batch) { _, v in meanPerSample(v[0]).node },
            GradientRow(AutodiffOp.meanSquaredError, inputs: batch) { _, v in meanSquaredError(v[0], v[1]).node },
        ]
    }

    static func layerRows() -> [GradientRow] {
        // |x| ≥ 0.1, so the checker's ±0.01 steps never straddle ReLU's kink; 150 values: SIMD8 and a tail.
        let x = normals([[2, 3, 5, 5]], seed: 3)[0]
        for i in 0..<x.count where abs(x.pointer[i]) < 0.1 { x.pointer[i] = x.pointer[i] < 0 ? -0.1 : 0.1 }
        var rows = [
            GradientRow(AutodiffOp.sigmoid, inputs: [x]) { _, v in sigmoid(v[0]).node },
            GradientRow(AutodiffOp.relu, inputs: [x]) { _, v in relu(v[0]).node },
            GradientRow(AutodiffOp.maxPool2x2, inputs: [distinctValues([2, 3, 4, 6], seed: 4)]) { _, v in
                maxPool2x2(v[0]).node
            },
            GradientRow(AutodiffOp.concatChannels, inputs: normals([[2, 3, 2, 3], [2, 2, 2, 3]], seed: 5)) { _, v in
                concatChannels(v[0], v[1]).node
            },
            GradientRow(AutodiffOp.transposedConv2x2, inputs: normals([[2, 4, 3, 3], [4, 2, 2, 2], [2]], seed: 6)) { _, v in
                transposedConv2x2(v[0], weight: v[1], bias: v[2]).node
            },
        ]
        for k in [3, 1] {
            rows.append(GradientRow(AutodiffOp.conv2d, "\(k)×\(k)", inputs: normals([[2, 3, 6, 5], [4, 3, k, k], [4]], seed: 7)) { _, v in
                conv2d(v[0], weight: v[1], bias: v[2]).node
            })
        }
        return rows + batchNormRows()
    }

    /// Batch norm in both modes; the running statistics are plain tensors of the row (training mode
    /// updates them at every evaluation, which its output does not read).
    static func batchNormRows() -> [GradientRow] {
        let inputs = [normals([[2, 3, 3, 5]], seed: 8)[0], normals([[3]], seed: 9)[0], normals([[3]], seed: 10)[0]]
        inputs[0].accumulate(inputs[0], scale: 0.5)
        for i in 0..<3 { inputs[1].pointer[i] = 1 + 0.3 * inputs[1].pointer[i] }
        return [true, false].map { training in
            let mean = normals([[3]], seed: 11)[0], variance = uniform([3], low: 0.5, high: 2, seed: 12)
            return GradientRow(AutodiffOp.batchNorm, training ? "training" : "evaluation", inputs: inputs) { _, v in
                batchNorm(v[0], gamma: v[1], beta: v[2], runningMean: mean, runningVariance: variance,
                          training: training).node
            }
        }
    }

    /// Values on a grid 0.1 apart in random order: no ties, and no block maximum changes under the
    /// checker's ±0.01 steps.
    static func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
        values.shuffle(using: &rng)
        return Tensor(values, shape: shape)
    }

    /// Complex inputs enter as their interleaved storage `[..., 2]`, so the checked gradient is
    /// ∂L/∂Re + j∂L/∂Im.
    static func complexRows() -> [GradientRow] {
        let two = normals([[2, 3, 2], [2, 3, 2]], seed: 13), field = normals([[2, 3, 4, 2]], seed: 14)
        let samples = normals([[3, 2, 5, 2], [3]], seed: 15), stack = normals([[2, 3, 2, 4], [2, 3, 2, 4, 2]], seed: 16)
        func z(_ v: Variable) -> ComplexVariable { ComplexVariable(v) }
        return [
            GradientRow(AutodiffOp.complexMultiply, inputs: two) { _, v in (z(v[0]) * z(v[1])).node },
            GradientRow(AutodiffOp.conjugate, inputs: two) { _, v in conjugate(z(v[0])).node },
            GradientRow(AutodiffOp.abs2, inputs: two) { _, v in abs2(z(v[0])).node },
            GradientRow(AutodiffOp.complex, inputs: normals([[2, 3, 4], [2, 3, 4]], seed: 17)) { _, v in
                complex(real: v[0], imaginary: v[1]).node
            },
            GradientRow(AutodiffOp.realPart, inputs: field) { _, v in realPart(z(v[0])).node },
            GradientRow(AutodiffOp.imaginaryPart, inputs: field) { _, v in imaginaryPart(z(v[0])).node },
            GradientRow(AutodiffOp.packChannels, inputs: field) { _, v in packChannels(z(v[0])).node },
            GradientRow(AutodiffOp.unpackChannels, inputs: normals([[2, 2, 3, 4]], seed: 18)) { _, v in
                unpackChannels(v[0]).node
            },
            GradientRow(AutodiffOp.scalePerSample, inputs: samples) { _, v in scalePerSample(z(v[0]), by: v[1]).node },
            GradientRow(AutodiffOp.normalizePerSample, inputs: samples) { _, v in normalizePerSample(z(v[0])).node },
            GradientRow(AutodiffOp.meanOverSnapshots, inputs: stack) { _, v in meanOverSnapshots(v[0]).node },
            GradientRow(AutodiffOp.complexMeanOverSnapshots, inputs: stack) { _, v in
                meanOverSnapshots(z(v[1])).node
            },
            GradientRow(AutodiffOp.alignGlobalPhase, inputs: normals([[3, 2, 5, 2]], seed: 19)) { _, v in
                alignGlobalPhase(z(v[0])).node
            },
        ]
    }

    static func fourierRows() -> [GradientRow] {
        let field = normals([[2, 4, 6, 2]], seed: 20)
        return [
            GradientRow(AutodiffOp.fft2, inputs: field) { _, v in fft2(ComplexVariable(v[0])).node },
            GradientRow(AutodiffOp.ifft2, inputs: field) { _, v in ifft2(ComplexVariable(v[0])).node },
            GradientRow(AutodiffOp.modulate, inputs: normals([[3, 4, 5], [2, 4, 5, 2]], seed: 21)) { _, v in
                modulate(phase: v[0], field: ComplexVariable(v[1])).node
            },
            GradientRow(AutodiffOp.filter2D, inputs: normals([[2, 5, 6, 2], [3, 3]], seed: 22)) { _, v in
                filter2D(ComplexVariable(v[0]), kernel: v[1]).node
            },
        ]
    }
}
