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

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let band = g.uniform(1, maximumCycles)
        let terms = (0..<waves).map { _ -> (u: Double, v: Double, a: Double, phase: Double) in
            let angle = g.uniform(0, 2 * Double.pi), f = band * g.uniformDouble().squareRoot()
            return (f * cos(angle), f * sin(angle), Double(g.normal()), g.uniform(0, 2 * Double.pi))
        }
        let n = size
        for r in 0..<n {
            let y = (Double(r) + 0.5) / Double(n)
            for c in 0..<n {
                let x = (Double(c) + 0.5) / Double(n)
                var s = 0.0
                for t in terms { s += t.a * cos(2 * Double.pi * (t.u * x + t.v * y) + t.phase) }
                plane[r * n + c] = Float(s)
            }
        }
        let (contrast, offset) = randomContrast(&g)
        stretch(plane, count: n * n, contrast: contrast, offset: offset)
    }
}
