import Foundation

/// Batched 2-D discrete Fourier transforms over the last two axes of a `ComplexField`, via FFTW.
///
/// **Convention (stated once for the whole project):** PhaseMask uses the *orthonormal* DFT.
/// Forward: `X[u,v] = (1/√(HW)) Σ_{m,n} x[m,n] · exp(−2πj(um/H + vn/W))`;
/// inverse: `x[m,n] = (1/√(HW)) Σ_{u,v} X[u,v] · exp(+2πj(um/H + vn/W))`.
/// Both are unitary, so `Fᴴ = F⁻¹` and Parseval holds without factors: `Σ|Fx|² = Σ|x|²`.
/// The zero frequency sits at index (0, 0) (no fftshift).
///
/// Plans come from `FFTPlanCache`, one per (batch, height, width, direction, placement, threads). They
/// are planned with `FFTW_ESTIMATE` by default so that the arithmetic (and hence every bit of the
/// result) does not depend on timing measurements made at plan time; set `FFT.rigor = .measure`
/// to let FFTW time candidate algorithms instead (faster, not bit-reproducible across runs).
public enum FFT {
    public enum Rigor: Sendable { case estimate, measure }

    nonisolated(unsafe) public static var rigor: Rigor = .estimate
    nonisolated(unsafe) private static var threadCount = 1
    private static let lock = NSLock()

    /// Number of threads FFTW uses for one batched transform (default 1).
    public static var threads: Int {
        get { lock.lock(); defer { lock.unlock() }; return threadCount }
        set { lock.lock(); defer { lock.unlock() }; threadCount = max(1, newValue) }
    }

    /// Orthonormal forward 2-D DFT of each `[height, width]` slice: `output ← F input`.
    /// `input` and `output` have equal shapes `[..., height, width]`; they may be the same field.
    public static func forward(_ input: ComplexField, into output: ComplexField) {
        transform(input, into: output, forward: true)
    }

    /// Orthonormal inverse 2-D DFT (`Fᴴ`) of each `[height, width]` slice.
    public static func inverse(_ input: ComplexField, into output: ComplexField) {
        transform(input, into: output, forward: false)
    }

    /// Out-of-place conveniences.
    public static func forward(_ input: ComplexField) -> ComplexField {
        let out = ComplexField(uninitialized: input.shape)
        forward(input, into: out)
        return out
    }

    public static func inverse(_ input: ComplexField) -> ComplexField {
        let out = ComplexField(uninitialized: input.shape)
        inverse(input, into: out)
        return out
    }

    /// Raw entry point: `batch` contiguous `[height, width]` complex slices, orthonormally scaled.
    public static func transform(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                 batch: Int, height: Int, width: Int, forward: Bool) {
        guard batch > 0, height > 0, width > 0 else { return }
        let plan = FFTPlanCache.plan(batch: batch, height: height, width: width, forward: forward,
                                     inPlace: input == output, threads: threads)
        FFTPlanCache.execute(plan, input, output, count: batch * height * width)
        let scale = 1 / Float(height * width).squareRoot()
        let n = 2 * batch * height * width
        for k in 0..<n { output[k] *= scale }
    }

    private static func transform(_ input: ComplexField, into output: ComplexField, forward: Bool) {
        let shape = input.shape
        precondition(shape.count >= 2, "FFT needs at least 2 dimensions, got \(shape)")
        precondition(output.shape == shape, "FFT output \(output.shape) must match input \(shape)")
        let h = shape[shape.count - 2], w = shape[shape.count - 1]
        let batch = shape.dropLast(2).reduce(1, *)
        transform(input.pointer, output.pointer, batch: batch, height: h, width: w, forward: forward)
    }
}
