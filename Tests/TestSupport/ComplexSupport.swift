import TensorCore

/// A complex Gaussian field (independent standard normal real and imaginary parts).
public func randomField(_ shape: [Int], seed: UInt64) -> ComplexField {
    var rng = SeededGenerator(seed: seed)
    return ComplexField(storage: Tensor.normal(shape + [2], generator: &rng))
}

/// The complex inner product `⟨a, b⟩ = Σ conj(a)·b`, accumulated in Double, as (re, im).
public func innerProduct(_ a: ComplexField, _ b: ComplexField) -> (re: Double, im: Double) {
    precondition(a.count == b.count, "inner product of \(a.shape) and \(b.shape)")
    var re = 0.0, im = 0.0
    for k in 0..<a.count {
        let (ar, ai) = a[k], (br, bi) = b[k]
        re += Double(ar) * Double(br) + Double(ai) * Double(bi)
        im += Double(ar) * Double(bi) - Double(ai) * Double(br)
    }
    return (re, im)
}

/// Plain-loop reference for `filter2D`: correlation of each `[H, W]` slice of a complex `[B, H, W]`
/// field with a real odd `[k, k]` kernel, zero padding, 'same' output (PyTorch `conv2d` semantics).
public func naiveFilter2D(_ z: ComplexField, kernel: Tensor) -> ComplexField {
    let (b, h, w) = (z.shape[0], z.shape[1], z.shape[2])
    let k = kernel.shape[0], p = k / 2
    let out = ComplexField(zeros: z.shape)
    for s in 0..<b {
        for i in 0..<h {
            for j in 0..<w {
                var re = 0.0, im = 0.0
                for a in 0..<k {
                    for c in 0..<k {
                        let r = i + a - p, q = j + c - p
                        guard r >= 0, r < h, q >= 0, q < w else { continue }
                        let (zr, zi) = z[(s * h + r) * w + q]
                        re += Double(kernel[a, c]) * Double(zr)
                        im += Double(kernel[a, c]) * Double(zi)
                    }
                }
                out[(s * h + i) * w + j] = (Float(re), Float(im))
            }
        }
    }
    return out
}

/// The kernel rotated by 180° (`ψ[k−1−a, k−1−c]`): correlating with it is the adjoint of correlating
/// with `ψ`.
public func flippedKernel(_ kernel: Tensor) -> Tensor {
    let k = kernel.shape[0]
    let out = Tensor(uninitialized: kernel.shape)
    for a in 0..<k { for c in 0..<k { out[a, c] = kernel[k - 1 - a, k - 1 - c] } }
    return out
}
