import Foundation
import TensorCore

/// Smooth random phase field: `f(x, y) = Σₖ aₖ cos(2π(uₖx + vₖy) + φₖ)` over `waves` plane waves, then
/// stretched onto a random sub-range of [0, 1] (`randomContrast`).
///
/// Per scene: a band limit `fₘₐₓ` uniform in [1, `maximumCycles`] cycles per scene width; each wave has
/// a direction uniform on the circle, a spatial frequency `fₘₐₓ·√u` (uniform over the disc of radius
/// `fₘₐₓ`), an amplitude `aₖ ~ N(0, 1)` and a phase `φₖ` uniform in [0, 2π). Output `[size, size]`.
struct SmoothField: SceneGenerator {
    let size: Int
    var waves = 24
    var maximumCycles = 4.0

    /// One plane wave: frequencies u, v in cycles per scene width, amplitude a, phase φ in radians.
    struct Wave { var u, v, a, phase: Double }

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let band = g.uniform(1, maximumCycles)
        let terms = (0..<waves).map { _ -> Wave in
            let angle = g.uniform(0, 2 * Double.pi), f = band * g.uniformDouble().squareRoot()
            return Wave(u: f * cos(angle), v: f * sin(angle), a: Double(g.normal()), phase: g.uniform(0, 2 * Double.pi))
        }
        Self.sum(terms, size: size, into: plane)
        let (contrast, offset) = randomContrast(&g)
        stretch(plane, count: size * size, contrast: contrast, offset: offset)
    }

    /// `f` at the pixel centres, `[n, n]`, using cos(A + B) = cos A cos B − sin A sin B with A = 2πu·x
    /// (per column) and B = 2πv·y + φ (per row): 4n trigonometric calls per wave instead of n².
    static func sum(_ waves: [Wave], size n: Int, into plane: UnsafeMutablePointer<Float>) {
        for i in 0..<n * n { plane[i] = 0 }
        var cosX = [Double](repeating: 0, count: n), sinX = cosX, cosY = cosX, sinY = cosX
        for w in waves {
            for k in 0..<n {
                let p = (Double(k) + 0.5) / Double(n)
                cosX[k] = cos(2 * Double.pi * w.u * p)
                sinX[k] = sin(2 * Double.pi * w.u * p)
                cosY[k] = w.a * cos(2 * Double.pi * w.v * p + w.phase)
                sinY[k] = w.a * sin(2 * Double.pi * w.v * p + w.phase)
            }
            for r in 0..<n {
                for c in 0..<n { plane[r * n + c] += Float(cosX[c] * cosY[r] - sinX[c] * sinY[r]) }
            }
        }
    }
}
