import Foundation
import TensorCore

/// The obvious O(H²W²) orthonormal 2-D DFT of every `[H, W]` slice, in Double, as the reference for
/// the FFTW path. `sign` is −1 for the forward transform and +1 for the inverse.
public func naiveDFT2(_ x: ComplexField, sign: Double) -> ComplexField {
    let shape = x.shape
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let batch = x.count / (h * w)
    let out = ComplexField(uninitialized: shape)
    let scale = 1 / Double(h * w).squareRoot()
    for b in 0..<batch {
        for u in 0..<h {
            for v in 0..<w {
                var re = 0.0, im = 0.0
                for m in 0..<h {
                    for n in 0..<w {
                        let angle = sign * 2 * Double.pi * (Double(u * m) / Double(h) + Double(v * n) / Double(w))
                        let (a, c) = x[b * h * w + m * w + n]
                        re += Double(a) * cos(angle) - Double(c) * sin(angle)
                        im += Double(a) * sin(angle) + Double(c) * cos(angle)
                    }
                }
                out[b * h * w + u * w + v] = (Float(re * scale), Float(im * scale))
            }
        }
    }
    return out
}
