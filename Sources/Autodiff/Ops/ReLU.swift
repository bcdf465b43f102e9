import TensorCore

/// Rectified linear unit, elementwise on any shape.
///
/// Forward: `y = max(x, 0)`. Backward: `x̄ += ȳ` where `x > 0`, nothing elsewhere (the subgradient 0
/// is taken at x = 0, as in PyTorch).
///
/// Memory: the pullback needs only the sign pattern of x, which the forward pass stores as one bit per
/// element (`[⌈n/32⌉]` 32-bit words in a tensor's storage), so neither x (in the U-Net a batch norm's
/// output) nor y (an encoder's skip, which the max-pool and the concatenation do not read backwards)
/// is kept for the backward pass. Both loops run over groups of eight elements as `SIMD8<Float>`
/// vectors with lane masks (no branches; the scalar `?:` form compiled to a branchy scalar loop) and
/// split over `Parallel.threads` in whole groups, so no two threads write the same mask byte.
public func relu(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    let count = out.count, groups = (count + 7) / 8
    let mask = Tensor(uninitialized: [(count + 31) / 32])
    let input = x.value.pointer, y = out.pointer, bits = maskBytes(mask)
    Parallel.chunks(groups, minimumChunk: 1 << 12) { range in
        rectify(input, into: y, bits: bits, groups: range, count: count)
    }
    let node = x.tape.record(out, op: AutodiffOp.relu, inputs: [x.node], readsInputValues: false) { gOut, inputs in
        guard let gx = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, bits = maskBytes(mask)
        Parallel.chunks(groups, minimumChunk: 1 << 12) { range in
            accumulateWherePositive(g, bits: bits, into: gx, groups: range, count: count)
        }
    }
    return Variable(node: node, tape: x.tape)
}

/// The mask's storage as bytes: byte k holds elements 8k…8k+7, element 8k+i in bit i.
@inline(__always)
private func maskBytes(_ mask: Tensor) -> UnsafeMutablePointer<UInt8> {
    UnsafeMutableRawPointer(mask.pointer).assumingMemoryBound(to: UInt8.self)
}

/// Lane i of a mask byte is bit i.
private let laneBits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)

/// `y[i] = max(x[i], 0)` and bit i of the mask = `x[i] > 0`, for the elements of the groups `groups`.
@inline(__always)
private func rectify(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt8>,
                     groups: Range<Int>, count: Int) {
    let zero = SIMD8<Float>(repeating: 0), none = SIMD8<Int32>(repeating: 0)
    for k in groups {
        let i = 8 * k
        if i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v.replacing(with: zero, where: v .< zero), as: SIMD8<Float>.self)
            bits[k] = UInt8(truncatingIfNeeded: none.replacing(with: laneBits, where: v .> zero).wrappedSum())
        } else {
            var byte: UInt8 = 0
            for j in i..<count {
                y[j] = max(x[j], 0)
                if x[j] > 0 { byte |= 1 << UInt8(j - i) }
            }
            bits[k] = byte
        }
    }
}

/// `gx[i] += g[i]` where bit i of the mask is set, for the elements of the groups `groups`.
@inline(__always)
private func accumulateWherePositive(_ g: UnsafePointer<Float>, bits: UnsafePointer<UInt8>,
                                     into gx: UnsafeMutablePointer<Float>, groups: Range<Int>, count: Int) {
    let zero = SIMD8<Float>(repeating: 0), none = SIMD8<Int32>(repeating: 0)
    for k in groups {
        let i = 8 * k
        if i + 8 <= count {
            let lanes = SIMD8<Int32>(repeating: Int32(bits[k])) & laneBits
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            let acc = UnsafeRawPointer(gx + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(gx + i).storeBytes(of: acc + gv.replacing(with: zero, where: lanes .== none),
                                                       as: SIMD8<Float>.self)
        } else {
            for j in i..<count where bits[k] & (1 << UInt8(j - i)) != 0 { gx[j] += g[j] }
        }
    }
}
