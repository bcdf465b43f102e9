/// A dense Float32 array with a shape, stored row-major (the last index varies fastest).
///
/// Image batches use NCHW: `[batch, channels, height, width]`. A `Tensor` is a reference type: copies
/// of the reference share storage, and kernels write into tensors in place through `pointer`.
/// Storage comes from `BufferPool.shared` and goes back to it when the tensor dies.
public final class Tensor {
    public let shape: [Int]
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// A tensor with undefined contents; use when a kernel overwrites every element.
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.pointer = BufferPool.shared.acquire(count)
    }

    /// A tensor filled with zeros.
    public convenience init(zeros shape: [Int]) {
        self.init(uninitialized: shape)
        pointer.initialize(repeating: 0, count: count)
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(uninitialized: shape)
        pointer.initialize(repeating: value, count: count)
    }

    /// A tensor holding `values` (row-major) with the given shape.
    public convenience init(_ values: [Float], shape: [Int]) {
        self.init(uninitialized: shape)
        precondition(values.count == count, "\(values.count) values do not fill shape \(shape)")
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: count) }
    }

    deinit { BufferPool.shared.release(pointer, count: count) }

    public var rank: Int { shape.count }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }

    /// Element access by full multi-index (slow path, for tests and setup code).
    public subscript(_ index: Int...) -> Float {
        get { pointer[offset(index)] }
        set { pointer[offset(index)] = newValue }
    }

    public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var o = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
            o = o * n + i
        }
        return o
    }

    /// A new tensor with the same contents.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Copies `other`'s elements into this tensor (same element count).
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// The same storage viewed with another shape of equal element count (copies).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let t = Tensor(uninitialized: newShape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// `self += scale · other`, elementwise (shapes must have equal counts).
    public func accumulate(_ other: Tensor, scale: Float = 1) {
        precondition(other.count == count, "accumulate: \(other.shape) into \(shape)")
        let a = pointer, b = other.pointer
        if scale == 1 {
            for i in 0..<count { a[i] += b[i] }
        } else {
            for i in 0..<count { a[i] += scale * b[i] }
        }
    }

    /// Sum of all elements, accumulated in Double.
    public func sum() -> Double {
        var s = 0.0
        for i in 0..<count { s += Double(pointer[i]) }
        return s
    }

    /// True when `other` has the same shape and every element has the same bit pattern.
    public func isBitIdentical(to other: Tensor) -> Bool {
        guard shape == other.shape else { return false }
        for i in 0..<count where pointer[i].bitPattern != other.pointer[i].bitPattern { return false }
        return true
    }

    /// A copy with every element clamped to `range` (estimates clipped to the data range [0, 1]).
    public func clipped(to range: ClosedRange<Float>) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<count { t.pointer[i] = min(max(pointer[i], range.lowerBound), range.upperBound) }
        return t
    }

    /// True when every element is finite (no NaN, no ±Inf).
    public var isFinite: Bool {
        for i in 0..<count where !pointer[i].isFinite { return false }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = buffer.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}

import Foundation
