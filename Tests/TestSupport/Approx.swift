import TensorCore

/// Largest absolute elementwise difference between two tensors of equal element count.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.count == b.count, "compare \(a.shape) with \(b.shape)")
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a.pointer[i] - b.pointer[i])) }
    return m
}

/// Largest absolute value in a tensor.
public func maxAbs(_ a: Tensor) -> Float {
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a.pointer[i])) }
    return m
}

/// Bitwise equality of two tensors (shape and every element's bit pattern).
public func bitIdentical(_ a: Tensor, _ b: Tensor) -> Bool { a.isBitIdentical(to: b) }
