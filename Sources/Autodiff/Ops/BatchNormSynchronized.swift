import TensorCore

/// The samples of a data-parallel step beyond this process: batch norm's per-sample partial sums go in,
/// totals over the global batch come out (synchronized batch norm, docs/scaling.md).
///
/// Each process holds a contiguous run of the global batch, in rank order. `totals` must sum every
/// statistic in double precision in global sample order starting from 0 — exactly the additions one
/// process makes over the whole batch — so the statistics, the running averages and the input
/// gradients are those of one process, bit for bit.
public protocol SampleStatistics: AnyObject {
    /// Samples in the global batch.
    var globalBatch: Int { get }
    /// Whether this process adds the totals Σȳ·x̂, Σȳ to γ̄, β̄. Exactly one process does (the others add
    /// nothing), so summing the parameter gradients over the processes counts them once, unrounded.
    var ownsTotals: Bool { get }
    /// `partials`: `k` values per local sample, sample-major (`[localBatch, k]`); returns the `k` totals
    /// over the global batch.
    func totals(_ partials: [Double], perSample k: Int) -> [Double]
}

/// `batchNormForward` in training mode with the moments of the global batch: the per-sample plane sums
/// (then the centred squares about the global mean) are totalled by `sync`, m = globalBatch·H·W.
func synchronizedBatchNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, into out: Tensor, layout: BatchNormLayout,
                                  running: (mean: Tensor, variance: Tensor), momentum: Float, epsilon: Float,
                                  over sync: SampleStatistics) -> Tensor {
    let channels = layout.channels, plane = layout.plane, m = sync.globalBatch * plane
    precondition(m > 1, "batchNorm: training needs more than one value per channel in the global batch")
    let input = x.pointer
    let sums = sync.totals(perSamplePartials(layout) { n, c in
        Double(ConvolutionKernels.planeSum(input + layout.offset(n, c), count: plane))
    }, perSample: channels)
    let mu = sums.map { Float($0 / Double(m)) }
    let squares = sync.totals(perSamplePartials(layout) { n, c in
        Double(centeredSquares(input + layout.offset(n, c), mean: mu[c], count: plane))
    }, perSample: channels)
    let statistics = Tensor(uninitialized: [2 * channels])
    let mean = statistics.pointer, inverseDeviation = statistics.pointer + channels
    let g = gamma.pointer, b = beta.pointer, y = out.pointer
    let runningMean = running.mean.pointer, runningVariance = running.variance.pointer
    for c in 0..<channels {
        let variance = Float(squares[c] / Double(m))
        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mu[c]
        runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance * Float(m) / Float(m - 1)
        mean[c] = mu[c]
        inverseDeviation[c] = 1 / (variance + epsilon).squareRoot()
    }
    Parallel.chunks(channels) { range in
        for c in range {
            let inv = inverseDeviation[c], scale = g[c] * inv, shift = b[c] - g[c] * inv * mean[c]
            for n in 0..<layout.batch {
                let yPlane = y + layout.offset(n, c), xPlane = input + layout.offset(n, c)
                for i in 0..<plane { yPlane[i] = scale * xPlane[i] + shift }
            }
        }
    }
    return statistics
}

/// `batchNormBackward` in training mode with Σȳ and Σȳ·x̂ over the global batch (totalled by `sync`);
/// γ̄, β̄ receive the totals on the process that owns them.
func synchronizedBatchNormBackward(_ gOut: Tensor, inputs: [OpInput], statistics: Tensor, layout: BatchNormLayout,
                                   over sync: SampleStatistics) {
    let gy = gOut.pointer, input = inputs[0].value.pointer, g = inputs[1].value.pointer
    let channels = layout.channels, m = sync.globalBatch * layout.plane
    let mean = statistics.pointer, inverseDeviation = statistics.pointer + channels
    let local = perSamplePairs(layout) { n, c in
        let o = layout.offset(n, c)
        let (sg, sgx) = centeredSums(gy + o, input + o, mean: mean[c], count: layout.plane)
        return (Double(sg), Double(sgx) * Double(inverseDeviation[c]))
    }
    let sums = sync.totals(local, perSample: 2 * channels)
    if sync.ownsTotals {
        for c in 0..<channels {
            inputs[1].gradient.map { $0.pointer[c] += Float(sums[channels + c]) }
            inputs[2].gradient.map { $0.pointer[c] += Float(sums[c]) }
        }
    }
    guard let gx = inputs[0].gradient?.pointer else { return }
    Parallel.chunks(channels) { range in
        for c in range {
            let mu = mean[c], inv = inverseDeviation[c], scale = g[c] * inv
            let meanG = Float(sums[c] / Double(m)), meanGX = Float(sums[channels + c] / Double(m))
            for n in 0..<layout.batch {
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

/// `[batch, channels]` values `value(n, c)`, computed over `Parallel` chunks of channels.
private func perSamplePartials(_ layout: BatchNormLayout, _ value: (Int, Int) -> Double) -> [Double] {
    let channels = layout.channels
    var partials = [Double](repeating: 0, count: layout.batch * channels)
    partials.withUnsafeMutableBufferPointer { p in
        Parallel.chunks(channels) { range in
            for c in range { for n in 0..<layout.batch { p[n * channels + c] = value(n, c) } }
        }
    }
    return partials
}

/// `[batch, 2·channels]`: per sample the first values of every channel, then the second values.
private func perSamplePairs(_ layout: BatchNormLayout, _ value: (Int, Int) -> (Double, Double)) -> [Double] {
    let channels = layout.channels, width = 2 * channels
    var partials = [Double](repeating: 0, count: layout.batch * width)
    partials.withUnsafeMutableBufferPointer { p in
        Parallel.chunks(channels) { range in
            for c in range {
                for n in 0..<layout.batch {
                    let (a, b) = value(n, c)
                    p[n * width + c] = a
                    p[n * width + channels + c] = b
                }
            }
        }
    }
    return partials
}
