import Foundation
import TensorCore

/// Flat polygonal particles: 1…`maximumPolygons` star-shaped polygons painted in turn (later ones on
/// top) on a zero background, each filled with one value uniform in [0.2, 1]. A pixel belongs to a
/// polygon when its centre does (even–odd rule), so edges are sharp steps.
///
/// Per polygon, in scene widths: 3…8 vertices at angles `2π(k + ½u)/V` plus a common random rotation,
/// at radii `R·[0.6, 1]` from a centre uniform in [0.15, 0.85]², with R uniform in [0.08, 0.3].
/// Output `[size, size]`.
struct PolygonScene: SceneGenerator {
    let size: Int
    var maximumPolygons = 6

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let n = size
        for i in 0..<n * n { plane[i] = 0 }
        for _ in 0..<g.integer(1...maximumPolygons) {
            let cx = g.uniform(0.15, 0.85), cy = g.uniform(0.15, 0.85), radius = g.uniform(0.08, 0.3)
            let vertexCount = g.integer(3...8), rotation = g.uniform(0, 2 * Double.pi)
            let value = Float(g.uniform(0.2, 1))
            let vertices = (0..<vertexCount).map { k -> (x: Double, y: Double) in
                let angle = rotation + 2 * Double.pi * (Double(k) + 0.5 * g.uniformDouble()) / Double(vertexCount)
                let r = radius * g.uniform(0.6, 1)
                return (cx + r * cos(angle), cy + r * sin(angle))
            }
            for row in 0..<n {
                let y = (Double(row) + 0.5) / Double(n)
                for col in 0..<n where Self.contains(vertices, x: (Double(col) + 0.5) / Double(n), y: y) {
                    plane[row * n + col] = value
                }
            }
        }
    }

    /// Even–odd test: does a ray from (x, y) towards +x cross the polygon's edges an odd number of times?
    static func contains(_ p: [(x: Double, y: Double)], x: Double, y: Double) -> Bool {
        var inside = false
        var j = p.count - 1
        for i in 0..<p.count {
            if (p[i].y > y) != (p[j].y > y) {
                let crossing = p[j].x + (y - p[j].y) * (p[i].x - p[j].x) / (p[i].y - p[j].y)
                if x < crossing { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
