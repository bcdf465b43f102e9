import TensorCore

/// Concatenation along the channel axis (the U-Net's skip connection).
///
/// Shapes: `a` `[N, Ca, H, W]`, `b` `[N, Cb, H, W]` → `[N, Ca + Cb, H, W]`, channels of `a` first.
/// Forward: `y[n, c] = a[n, c]` for c < Ca, `y[n, Ca + c] = b[n, c]`.
/// Backward: `ā[n, c] += ȳ[n, c]`, `b̄[n, c] += ȳ[n, Ca + c]`.
public func concatChannels(_ a: Variable, _ b: Variable) -> Variable {
    let sa = a.shape, sb = b.shape
    precondition(sa.count == 4 && sb.count == 4 && sa[0] == sb[0] && sa[2] == sb[2] && sa[3] == sb[3],
                 "concatChannels: shapes must be [N, C, H, W] with equal N, H, W, got \(sa) and \(sb)")
    let batch = sa[0], plane = sa[2] * sa[3]
    let blockA = sa[1] * plane, blockB = sb[1] * plane, block = blockA + blockB
    let out = Tensor(uninitialized: [batch, sa[1] + sb[1], sa[2], sa[3]])
    let y = out.pointer, pa = a.value.pointer, pb = b.value.pointer
    for n in 0..<batch {
        (y + n * block).update(from: pa + n * blockA, count: blockA)
        (y + n * block + blockA).update(from: pb + n * blockB, count: blockB)
    }
    let node = a.tape.record(out, op: AutodiffOp.concatChannels, inputs: [a.node, b.node],
                             readsInputValues: false) { gOut, inputs in
        let g = gOut.pointer
        for (input, offset, size) in [(inputs[0], 0, blockA), (inputs[1], blockA, blockB)] {
            guard let gi = input.gradient?.pointer else { continue }
            for n in 0..<batch {
                let source = g + n * block + offset, destination = gi + n * size
                for i in 0..<size { destination[i] += source[i] }
            }
        }
    }
    return Variable(node: node, tape: a.tape)
}
