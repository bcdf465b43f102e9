import TensorCore

/// Batch normalization over the channel axis of an NCHW batch (PyTorch's `BatchNorm2d`).
///
/// Shapes: `x` `[N, C, H, W]`, `gamma` `[C]`, `beta` `[C]`, `runningMean` and `runningVariance` `[C]`
/// (plain tensors, updated in place) → `[N, C, H, W]`. With m = N·H·W values per channel:
///
/// Forward: `x̂ = (x − μ_c) / √(σ²_c + ε)`, `y = γ_c · x̂ + β_c`, where
/// - training: μ_c, σ²_c are the batch mean and *biased* variance (divisor m), and the running
///   statistics move by `r ← (1 − momentum)·r + momentum·s` towards μ_c and the *unbiased* variance
///   σ²_c · m/(m − 1) (PyTorch's convention; m must exceed 1);
/// - evaluation: μ_c, σ²_c are the running statistics, which stay unchanged.
///
/// Backward (ȳ = ∂L/∂y; sums over n, i, j of channel c):
/// - `γ̄_c += Σ ȳ·x̂`, `β̄_c += Σ ȳ`;
/// - training (through the batch statistics): `x̄ += γ_c/√(σ²_c+ε) · (ȳ − Σȳ/m − x̂ · Σȳx̂/m)`;
/// - evaluation: `x̄ += γ_c/√(σ²_c+ε) · ȳ`.
///
/// When `x.tape.sampleStatistics` is set (data-parallel training) and `training`, m, μ_c, σ²_c, Σȳ and
/// Σȳx̂ run over the global batch of every process, summed in global sample order (`SampleStatistics`).
public func batchNorm(_ x: Variable, gamma: Variable, beta: Variable, runningMean: Tensor,
                      runningVariance: Tensor, training: Bool, momentum: Float = 0.1,
                      epsilon: Float = 1e-5) -> Variable {
    let s = x.shape
    precondition(s.count == 4, "batchNorm: input must be [N, C, H, W], got \(s)")
    let layout = BatchNormLayout(batch: s[0], channels: s[1], plane: s[2] * s[3])
    for (name, t) in [("gamma", gamma.shape), ("beta", beta.shape),
                      ("runningMean", runningMean.shape), ("runningVariance", runningVariance.shape)] {
        precondition(t == [layout.channels], "batchNorm: \(name) must be [\(layout.channels)], got \(t)")
    }
    precondition(!training || layout.count > 1, "batchNorm: training needs more than one value per channel, got \(s)")
    let out = Tensor(uninitialized: s)
    // Data-parallel training: statistics over the global batch (BatchNormSynchronized.swift).
    let synchronized = training ? x.tape.sampleStatistics : nil
    let statistics = synchronized.map {
        synchronizedBatchNormForward(x.value, gamma: gamma.value, beta: beta.value, into: out, layout: layout,
                                     running: (runningMean, runningVariance), momentum: momentum, epsilon: epsilon, over: $0)
    } ?? batchNormForward(x.value, gamma: gamma.value, beta: beta.value, into: out, layout: layout,
                          running: (runningMean, runningVariance), training: training,
                          momentum: momentum, epsilon: epsilon)
    let node = x.tape.record(out, op: AutodiffOp.batchNorm, inputs: [x.node, gamma.node, beta.node]) { gOut, inputs in
        if let synchronized {
            synchronizedBatchNormBackward(gOut, inputs: inputs, statistics: statistics, layout: layout, over: synchronized)
        } else {
            batchNormBackward(gOut, inputs: inputs, statistics: statistics, layout: layout, training: training)
        }
    }
    return Variable(node: node, tape: x.tape)
}

/// Sizes of an NCHW batch as batch norm sees it: `count` = m = N·H·W values per channel.
struct BatchNormLayout {
    let batch: Int, channels: Int, plane: Int
    var count: Int { batch * plane }
    /// Offset of plane (n, c).
    @inline(__always) func offset(_ n: Int, _ c: Int) -> Int { (n * channels + c) * plane }
}

/// `y ← γ_c · (x − μ_c)/√(σ²_c + ε) + β_c`, with the batch statistics (updating the running ones) when
/// `training`, else the running statistics. Returns the statistics the pullback needs: `[2C]`,
/// `μ_c` at `c` and `1/√(σ²_c + ε)` at `C + c`.
private func batchNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, into out: Tensor, layout: BatchNormLayout,
                              running: (mean: Tensor, variance: Tensor), training: Bool, momentum: Float,
                              epsilon: Float) -> Tensor {
    let channels = layout.channels, m = layout.count
    let statistics = Tensor(uninitialized: [2 * channels])
    let mean = statistics.pointer, inverseDeviation = statistics.pointer + channels
    let input = x.pointer, g = gamma.pointer, b = beta.pointer, y = out.pointer
    let runningMean = running.mean.pointer, runningVariance = running.variance.pointer
    Parallel.chunks(channels) { range in
        for c in range {
            var mu = runningMean[c], variance = runningVariance[c]
            if training {
                (mu, variance) = channelMoments(input, channel: c, channels: channels, batch: layout.batch, plane: layout.plane)
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mu
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance * Float(m) / Float(m - 1)
            }
            let inv = 1 / (variance + epsilon).squareRoot()
            mean[c] = mu
            inverseDeviation[c] = inv
            let scale = g[c] * inv, shift = b[c] - g[c] * inv * mu
            for n in 0..<layout.batch {
                let o = layout.offset(n, c)
                let yPlane = y + o, xPlane = input + o   // no checked index arithmetic in the inner loop
                for i in 0..<layout.plane { yPlane[i] = scale * xPlane[i] + shift }
            }
        }
    }
    return statistics
}

/// The pullback of `batchNorm`: `γ̄_c += Σ ȳ·x̂`, `β̄_c += Σ ȳ`, and `x̄ += γ_c/√(σ²_c+ε) · (ȳ − Σȳ/m − x̂ · Σȳx̂/m)`
/// when `training` (through the batch statistics), else `x̄ += γ_c/√(σ²_c+ε) · ȳ`. `inputs` are x, γ, β.
private func batchNormBackward(_ gOut: Tensor, inputs: [OpInput], statistics: Tensor, layout: BatchNormLayout,
                               training: Bool) {
    let gy = gOut.pointer, input = inputs[0].value.pointer, g = inputs[1].value.pointer
    let channels = layout.channels, m = layout.count
    let mean = statistics.pointer, inverseDeviation = statistics.pointer + channels
    let gx = inputs[0].gradient?.pointer, gGamma = inputs[1].gradient?.pointer
    let gBeta = inputs[2].gradient?.pointer
    Parallel.chunks(channels) { range in
        for c in range {
            let mu = mean[c], inv = inverseDeviation[c]
            var sumG = 0.0, sumGX = 0.0
            for n in 0..<layout.batch {
                let o = layout.offset(n, c)
                let (sg, sgx) = centeredSums(gy + o, input + o, mean: mu, count: layout.plane)
                sumG += Double(sg)
                sumGX += Double(sgx) * Double(inv)
            }
            gGamma?[c] += Float(sumGX)
            gBeta?[c] += Float(sumG)
            guard let gx else { continue }
            let scale = g[c] * inv
            let meanG = training ? Float(sumG / Double(m)) : 0
            let meanGX = training ? Float(sumGX / Double(m)) : 0
            for n in 0..<layout.batch {
                // Pointers to the plane, so the inner loop has no checked index arithmetic and vectorizes.
                let o = layout.offset(n, c)
                let gxPlane = gx + o, gyPlane = gy + o, xPlane = input + o
                for i in 0..<layout.plane {
                    let xHat = (xPlane[i] - mu) * inv
                    gxPlane[i] += scale * (gyPlane[i] - meanG - xHat * meanGX)
                }
            }
        }
    }
}

/// Mean and biased variance of channel `c` of an NCHW tensor (two passes, plane sums in Float over
/// eight SIMD lanes, totals in Double).
private func channelMoments(_ x: UnsafePointer<Float>, channel c: Int, channels: Int, batch: Int,
                            plane: Int) -> (mean: Float, variance: Float) {
    var total = 0.0
    for n in 0..<batch { total += Double(ConvolutionKernels.planeSum(x + (n * channels + c) * plane, count: plane)) }
    let mu = Float(total / Double(batch * plane))
    var squares = 0.0
    for n in 0..<batch { squares += Double(centeredSquares(x + (n * channels + c) * plane, mean: mu, count: plane)) }
    return (mu, Float(squares / Double(batch * plane)))
}

/// `Σ_i (x_i − μ)²` with eight interleaved partial sums (fixed summation order).
@inline(__always)
func centeredSquares(_ x: UnsafePointer<Float>, mean mu: Float, count: Int) -> Float {
    var partial = SIMD8<Float>(repeating: 0)
    let raw = UnsafeRawPointer(x), m = SIMD8<Float>(repeating: mu)
    var i = 0
    while i + 8 <= count {
        let d = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - m
        partial += d * d
        i += 8
    }
    var total = partial.sum()
    while i < count { let d = x[i] - mu; total += d * d; i += 1 }
    return total
}

/// `(Σ_i g_i, Σ_i g_i·(x_i − μ))` with eight interleaved partial sums each (fixed summation order).
@inline(__always)
func centeredSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean mu: Float,
                          count: Int) -> (Float, Float) {
    var sumG = SIMD8<Float>(repeating: 0), sumGX = SIMD8<Float>(repeating: 0)
    let rawG = UnsafeRawPointer(g), rawX = UnsafeRawPointer(x), m = SIMD8<Float>(repeating: mu)
    var i = 0
    while i + 8 <= count {
        let gv = rawG.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
        sumG += gv
        sumGX += gv * (rawX.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - m)
        i += 8
    }
    var sg = sumG.sum(), sgx = sumGX.sum()
    while i < count { sg += g[i]; sgx += g[i] * (x[i] - mu); i += 1 }
    return (sg, sgx)
}
