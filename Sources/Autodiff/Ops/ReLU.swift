import TensorCore

/// Rectified linear unit, elementwise on any shape.
///
/// Forward: `y = max(x, 0)`. Backward: `x̄ += ȳ` where `x > 0`, nothing elsewhere (the subgradient 0
/// is taken at x = 0, as in PyTorch). Both loops are branch-free and split over `Parallel.threads`.
public func relu(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    let input = x.value.pointer, y = out.pointer, count = out.count
    Parallel.chunks(count, minimumChunk: 1 << 14) { range in
        for i in range { y[i] = max(input[i], 0) }
    }
    let xNode = x.node  // capture nodes, not the tape
    let node = x.tape.record(out, inputs: [x.node]) { o in
        let g = o.gradient!.pointer, gx = xNode.gradientBuffer().pointer
        Parallel.chunks(count, minimumChunk: 1 << 14) { range in
            for i in range { gx[i] += input[i] > 0 ? g[i] : 0 }
        }
    }
    return Variable(node: node, tape: x.tape)
}
