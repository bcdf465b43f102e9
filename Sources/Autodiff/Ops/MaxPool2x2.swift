import TensorCore

/// 2×2 max pooling with stride 2.
///
/// Shapes: `x` `[N, C, H, W]` with H and W even → `[N, C, H/2, W/2]`.
///
/// Forward: `y[n,c,i,j] = max_{a,b ∈ {0,1}} x[n, c, 2i+a, 2j+b]`; on ties the first maximum in the
/// order (0,0), (0,1), (1,0), (1,1) wins.
/// Backward: `x̄[n, c, 2i+a*, 2j+b*] += ȳ[n,c,i,j]` at the winning position (a*, b*) only.
public func maxPool2x2(_ x: Variable) -> Variable {
    let s = x.shape
    precondition(s.count == 4 && s[2] % 2 == 0 && s[3] % 2 == 0,
                 "maxPool2x2: input must be [N, C, H, W] with even H and W, got \(s)")
    let planes = s[0] * s[1], height = s[2] / 2, width = s[3] / 2
    let out = Tensor(uninitialized: [s[0], s[1], height, width])
    // Offset of the winner inside the input plane, stored as Float (exact below 2²⁴).
    let winner = Tensor(uninitialized: out.shape)
    let input = x.value.pointer, y = out.pointer, index = winner.pointer
    Parallel.chunks(planes) { range in
        for p in range {
            let plane = input + p * 4 * height * width
            for i in 0..<height {
                for j in 0..<width {
                    let topLeft = 2 * i * 2 * width + 2 * j
                    var best = topLeft
                    if plane[topLeft + 1] > plane[best] { best = topLeft + 1 }
                    if plane[topLeft + 2 * width] > plane[best] { best = topLeft + 2 * width }
                    if plane[topLeft + 2 * width + 1] > plane[best] { best = topLeft + 2 * width + 1 }
                    let o = (p * height + i) * width + j
                    y[o] = plane[best]
                    index[o] = Float(best)
                }
            }
        }
    }
    let node = x.tape.record(out, op: AutodiffOp.maxPool2x2, inputs: [x.node], readsInputValues: false) { gOut, inputs in
        guard let gx = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, index = winner.pointer
        let outputPlane = height * width
        Parallel.chunks(planes) { range in
            for p in range {
                for k in 0..<outputPlane {
                    gx[p * 4 * outputPlane + Int(index[p * outputPlane + k])] += g[p * outputPlane + k]
                }
            }
        }
    }
    return Variable(node: node, tape: x.tape)
}
