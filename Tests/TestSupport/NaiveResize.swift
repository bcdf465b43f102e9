import TensorCore

/// Weight of input pixel `i` for output pixel `o` on one axis of `input → output` samples, written
/// from the definitions: the triangle (tent) kernel at the clamped half-pixel source position when
/// enlarging, the overlap of the continuous pixel intervals when shrinking.
public func naiveResizeWeight(_ o: Int, _ i: Int, input: Int, output: Int) -> Double {
    if input == output { return o == i ? 1 : 0 }
    let scale = Double(input) / Double(output)
    if output > input {
        let s = min(max((Double(o) + 0.5) * scale - 0.5, 0), Double(input - 1))
        return max(0, 1 - abs(s - Double(i)))
    }
    let lo = Double(o) * scale, hi = Double(o + 1) * scale
    return max(0, min(hi, Double(i + 1)) - max(lo, Double(i))) / scale
}

/// The obvious O(H·W·H'·W') resize of `[N, C, H, W]` to `[N, C, height, width]` in Double (no
/// clamping): the reference for `Resize.resize`.
public func naiveResize(_ x: Tensor, height: Int, width: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let out = Tensor(zeros: [n, c, height, width])
    for b in 0..<n {
        for k in 0..<c {
            for u in 0..<height {
                for v in 0..<width {
                    var s = 0.0
                    for i in 0..<h {
                        let wi = naiveResizeWeight(u, i, input: h, output: height)
                        if wi == 0 { continue }
                        for j in 0..<w { s += wi * naiveResizeWeight(v, j, input: w, output: width) * Double(x[b, k, i, j]) }
                    }
                    out[b, k, u, v] = Float(s)
                }
            }
        }
    }
    return out
}
