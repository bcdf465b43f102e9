/// A complex-valued field stored as interleaved (real, imaginary) Float32 pairs.
///
/// The logical shape is `[batch, snapshots, height, width]` for coded fields and `[batch, height,
/// width]` for scenes and initializations; the underlying `storage` tensor has one extra trailing
/// dimension of 2. Element `k` of the flattened field lives at `storage.pointer[2k]` (real part) and
/// `storage.pointer[2k + 1]` (imaginary part), the layout FFTW's `fftwf_complex` expects.
public struct ComplexField {
    public let storage: Tensor

    /// Wraps a tensor whose last dimension is 2.
    public init(storage: Tensor) {
        precondition(storage.shape.last == 2, "complex storage needs a trailing dimension of 2, got \(storage.shape)")
        self.storage = storage
    }

    public init(zeros shape: [Int]) { self.init(storage: Tensor(zeros: shape + [2])) }
    public init(uninitialized shape: [Int]) { self.init(storage: Tensor(uninitialized: shape + [2])) }

    /// A field from separate real and imaginary tensors of equal shape.
    public init(real: Tensor, imaginary: Tensor) {
        precondition(real.shape == imaginary.shape, "real \(real.shape) vs imaginary \(imaginary.shape)")
        self.init(uninitialized: real.shape)
        let p = storage.pointer
        for i in 0..<real.count {
            p[2 * i] = real.pointer[i]
            p[2 * i + 1] = imaginary.pointer[i]
        }
    }

    /// Logical shape (without the trailing 2).
    public var shape: [Int] { Array(storage.shape.dropLast()) }
    /// Number of complex elements.
    public var count: Int { storage.count / 2 }
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    public subscript(_ k: Int) -> (re: Float, im: Float) {
        get { (storage.pointer[2 * k], storage.pointer[2 * k + 1]) }
        nonmutating set {
            storage.pointer[2 * k] = newValue.re
            storage.pointer[2 * k + 1] = newValue.im
        }
    }

    public func copy() -> ComplexField { ComplexField(storage: storage.copy()) }

    public var real: Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<count { t.pointer[i] = storage.pointer[2 * i] }
        return t
    }

    public var imaginary: Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<count { t.pointer[i] = storage.pointer[2 * i + 1] }
        return t
    }

    /// Squared L2 norm `Σ|z|²`, accumulated in Double.
    public func squaredNorm() -> Double {
        var s = 0.0
        for i in 0..<(2 * count) { s += Double(storage.pointer[i]) * Double(storage.pointer[i]) }
        return s
    }
}
