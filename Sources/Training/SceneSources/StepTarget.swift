import Foundation
import TensorCore

/// Step-edge test targets, piecewise constant, one of four patterns chosen uniformly:
/// - edge: two levels either side of a straight edge at a random angle, offset up to ±0.25 from the
///   centre;
/// - bars: alternating levels with a period uniform in [4 pixels, half the scene] at a random angle;
/// - staircase: 3…8 equal steps from 0 to 1 across the scene at a random angle;
/// - Siemens star: 4…16 pairs of alternating sectors inside a disc of radius 0.45, the low level
///   outside.
/// Two-level patterns use a low level uniform in [0, 0.6] and a high level at least 0.2 above it (at
/// most 1). Output `[size, size]`, values in [0, 1].
struct StepTarget: SceneGenerator {
    let size: Int

    enum Pattern: CaseIterable { case edge, bars, staircase, siemensStar }

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let n = Double(size)
        let pattern = Pattern.allCases[g.integer(0...3)]
        let angle = g.uniform(0, 2 * Double.pi)
        let low = g.uniform(0, 0.6), high = g.uniform(low + 0.2, 1)
        let (cosA, sinA) = (cos(angle), sin(angle))
        let offset = g.uniform(-0.25, 0.25)
        let period = g.uniform(4, max(4, n / 2)) / n
        let steps = g.integer(3...8), spokes = g.integer(4...16)
        for r in 0..<size {
            let y = (Double(r) + 0.5) / n - 0.5
            for c in 0..<size {
                let x = (Double(c) + 0.5) / n - 0.5
                let t = x * cosA + y * sinA   // signed distance along the pattern's direction
                let v: Double
                switch pattern {
                case .edge:
                    v = t < offset ? low : high
                case .bars:
                    v = Int(floor(t / (period / 2))) & 1 == 0 ? low : high
                case .staircase:
                    // t spans at most ±√2/2 over the scene.
                    let k = Int(floor((t / 2.0.squareRoot() + 0.5) * Double(steps)))
                    v = Double(min(max(k, 0), steps - 1)) / Double(steps - 1)
                case .siemensStar:
                    let sector = Int(floor((atan2(y, x) + angle) / (Double.pi / Double(spokes))))
                    v = (x * x + y * y).squareRoot() > 0.45 ? low : ((sector & 1) == 0 ? high : low)
                }
                plane[r * size + c] = Float(v)
            }
        }
    }
}
