import TensorCore

/// Rectified linear unit, elementwise on any shape.
///
/// Forward: `y = max(x, 0)`. Backward: `x̄ += ȳ` where `x > 0`, nothing elsewhere (the subgradient 0
/// is taken at x = 0, as in PyTorch). Both loops run over `SIMD8<Float>` vectors with lane masks (no
/// branches; the scalar `?:` form compiled to a branchy scalar loop) and split over `Parallel.threads`.
///
/// The pullback reads the mask from the output y, not from x: `y > 0` exactly where `x > 0` (and
/// `y ≤ 0` exactly where `x ≤ 0`, NaN stays NaN), so the gradients are bit-identical, and x — in the
/// U-Net a batch norm's output, which nothing else reads backwards — need not be kept for the
/// backward pass, while y is the next convolution's input and is kept anyway.
public func relu(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    let input = x.value.pointer, y = out.pointer, count = out.count
    Parallel.chunks(count, minimumChunk: 1 << 15) { range in
        rectify(input, into: y, range)
    }
    let node = x.tape.record(out, op: AutodiffOp.relu, inputs: [x.node], readsInputValues: false) { gOut, inputs in
        guard let gx = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, output = out.pointer
        Parallel.chunks(count, minimumChunk: 1 << 15) { range in
            accumulateWherePositive(g, where: output, into: gx, range)
        }
    }
    return Variable(node: node, tape: x.tape)
}

/// `y[i] = max(x[i], 0)` for `i` in `range`.
@inline(__always)
private func rectify(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    var i = range.lowerBound
    let zero = SIMD8<Float>(repeating: 0)
    while i + 8 <= range.upperBound {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: v.replacing(with: zero, where: v .< zero), as: SIMD8<Float>.self)
        i += 8
    }
    while i < range.upperBound { y[i] = max(x[i], 0); i += 1 }
}

/// `gx[i] += g[i]` where `x[i] > 0`, for `i` in `range` (x: the ReLU's input or, equivalently, its output).
@inline(__always)
private func accumulateWherePositive(_ g: UnsafePointer<Float>, where x: UnsafePointer<Float>,
                                     into gx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    var i = range.lowerBound
    let zero = SIMD8<Float>(repeating: 0)
    while i + 8 <= range.upperBound {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
        let acc = UnsafeRawPointer(gx + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(gx + i).storeBytes(of: acc + gv.replacing(with: zero, where: v .<= zero),
                                                   as: SIMD8<Float>.self)
        i += 8
    }
    while i < range.upperBound { if x[i] > 0 { gx[i] += g[i] }; i += 1 }
}
