import Foundation
import TensorCore

// The obvious plain-loop versions of the convolution layers, accumulated in Double, as references
// for the im2col + sgemm kernels. Shapes and formulas are those documented on the ops in
// Sources/Autodiff/Ops.

/// Stride-1 "same" convolution (cross-correlation) with odd kernel size k and zero padding k/2:
/// `x [N, Cin, H, W]`, `weight [Cout, Cin, k, k]`, `bias [Cout]` → `[N, Cout, H, W]`.
public func referenceConv2d(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
    let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, k) = (weight.shape[0], weight.shape[2])
    let pad = k / 2
    let y = Tensor(uninitialized: [n, cout, h, w])
    for s in 0..<n {
        for o in 0..<cout {
            for i in 0..<h {
                for j in 0..<w {
                    var acc = Double(bias[o])
                    for c in 0..<cin {
                        for a in 0..<k {
                            for b in 0..<k {
                                let yi = i + a - pad, xj = j + b - pad
                                guard yi >= 0, yi < h, xj >= 0, xj < w else { continue }
                                acc += Double(weight[o, c, a, b]) * Double(x[s, c, yi, xj])
                            }
                        }
                    }
                    y[s, o, i, j] = Float(acc)
                }
            }
        }
    }
    return y
}

/// 2×2 stride-2 transposed convolution: `x [N, Cin, H, W]`, `weight [Cin, Cout, 2, 2]`, `bias [Cout]`
/// → `[N, Cout, 2H, 2W]`, `y[n, o, 2i+a, 2j+b] = bias[o] + Σ_c x[n,c,i,j] · weight[c,o,a,b]`.
public func referenceTransposedConv2x2(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
    let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let cout = weight.shape[1]
    let y = Tensor(uninitialized: [n, cout, 2 * h, 2 * w])
    for s in 0..<n {
        for o in 0..<cout {
            for i in 0..<h {
                for j in 0..<w {
                    for a in 0..<2 {
                        for b in 0..<2 {
                            var acc = Double(bias[o])
                            for c in 0..<cin { acc += Double(x[s, c, i, j]) * Double(weight[c, o, a, b]) }
                            y[s, o, 2 * i + a, 2 * j + b] = Float(acc)
                        }
                    }
                }
            }
        }
    }
    return y
}

/// Batch normalization over channels of `x [N, C, H, W]` (see `batchNorm` for the formulas). In
/// training it returns the normalized batch and the updated running statistics (unbiased variance);
/// in evaluation it normalizes with the running statistics and returns them unchanged.
public func referenceBatchNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                               runningVariance: Tensor, training: Bool, momentum: Double = 0.1,
                               epsilon: Double = 1e-5) -> (output: Tensor, runningMean: Tensor, runningVariance: Tensor) {
    let (n, channels, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let m = Double(n * h * w)
    let y = Tensor(uninitialized: x.shape)
    let newMean = runningMean.copy(), newVariance = runningVariance.copy()
    for c in 0..<channels {
        var values: [Double] = []
        for s in 0..<n { for i in 0..<h { for j in 0..<w { values.append(Double(x[s, c, i, j])) } } }
        var mu = Double(runningMean[c]), variance = Double(runningVariance[c])
        if training {
            mu = values.reduce(0, +) / m
            variance = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / m
            newMean[c] = Float((1 - momentum) * Double(runningMean[c]) + momentum * mu)
            newVariance[c] = Float((1 - momentum) * Double(runningVariance[c]) + momentum * variance * m / (m - 1))
        }
        for s in 0..<n {
            for i in 0..<h {
                for j in 0..<w {
                    let xHat = (Double(x[s, c, i, j]) - mu) / (variance + epsilon).squareRoot()
                    y[s, c, i, j] = Float(Double(gamma[c]) * xHat + Double(beta[c]))
                }
            }
        }
    }
    return (y, newMean, newVariance)
}
