import Foundation
import TensorCore

/// Cells and particles: 1…`maximumBlobs` ellipses on a zero background, each with the thickness
/// profile of an ellipsoid, `h·√(1 − d²)` for elliptical radius d < 1 (an optically thick cell seen
/// in transmission). Overlaps add, and a plane whose sum exceeds 1 is divided by its maximum, so values
/// stay in [0, 1].
///
/// Per blob, in scene widths: centre uniform in [0.1, 0.9]², semi-major axis uniform in [0.04, 0.2],
/// aspect (minor / major) uniform in [0.5, 1], orientation uniform in [0, π), height h uniform in
/// [0.3, 1]. Output `[size, size]`.
struct BlobScene: SceneGenerator {
    let size: Int
    var maximumBlobs = 8

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let n = size, count = n * n
        for i in 0..<count { plane[i] = 0 }
        for _ in 0..<g.integer(1...maximumBlobs) {
            let cx = g.uniform(0.1, 0.9), cy = g.uniform(0.1, 0.9)
            let a = g.uniform(0.04, 0.2), b = a * g.uniform(0.5, 1)
            let angle = g.uniform(0, Double.pi), height = g.uniform(0.3, 1)
            let (cosA, sinA) = (cos(angle), sin(angle))
            for r in 0..<n {
                let dy = (Double(r) + 0.5) / Double(n) - cy
                for c in 0..<n {
                    let dx = (Double(c) + 0.5) / Double(n) - cx
                    let u = (dx * cosA + dy * sinA) / a, v = (-dx * sinA + dy * cosA) / b
                    let d2 = u * u + v * v
                    if d2 < 1 { plane[r * n + c] += Float(height * (1 - d2).squareRoot()) }
                }
            }
        }
        var peak: Float = 0
        for i in 0..<count { peak = max(peak, plane[i]) }
        if peak > 1 { for i in 0..<count { plane[i] = min(plane[i] / peak, 1) } }
    }
}
