import CFFTW
import Foundation

/// Batched 2-D discrete Fourier transforms over the last two axes of a `ComplexField`, via FFTW.
///
/// **Convention (stated once for the whole project):** PhaseMask uses the *orthonormal* DFT.
/// Forward: `X[u,v] = (1/√(HW)) Σ_{m,n} x[m,n] · exp(−2πj(um/H + vn/W))`;
/// inverse: `x[m,n] = (1/√(HW)) Σ_{u,v} X[u,v] · exp(+2πj(um/H + vn/W))`.
/// Both are unitary, so `Fᴴ = F⁻¹` and Parseval holds without factors: `Σ|Fx|² = Σ|x|²`.
/// The zero frequency sits at index (0, 0) (no fftshift).
///
/// Plans are created once per (batch, height, width, direction, placement, threads) and cached. They
/// are planned with `FFTW_ESTIMATE` by default so that the arithmetic (and hence every bit of the
/// result) does not depend on timing measurements made at plan time; set `FFT.rigor = .measure`
/// to let FFTW time candidate algorithms instead (faster, not bit-reproducible across runs).
public enum FFT {
    public enum Rigor: Sendable { case estimate, measure }

    nonisolated(unsafe) public static var rigor: Rigor = .estimate
    nonisolated(unsafe) private static var threadCount = 1
    nonisolated(unsafe) private static var threadsInitialized = false
    nonisolated(unsafe) private static var plans: [PlanKey: OpaquePointer] = [:]
    private static let lock = NSLock()

    private struct PlanKey: Hashable {
        let batch: Int, height: Int, width: Int, forward: Bool, inPlace: Bool, threads: Int, measure: Bool
    }

    /// Number of threads FFTW uses for one batched transform (default 1).
    public static var threads: Int {
        get { lock.lock(); defer { lock.unlock() }; return threadCount }
        set {
            lock.lock(); defer { lock.unlock() }
            if !threadsInitialized { fftwf_init_threads(); threadsInitialized = true }
            threadCount = max(1, newValue)
        }
    }

    /// Number of plans in the cache (for tests and diagnostics).
    public static var cachedPlanCount: Int { lock.lock(); defer { lock.unlock() }; return plans.count }

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
        let plan = cachedPlan(batch: batch, height: height, width: width, forward: forward,
                              inPlace: input == output)
        input.withMemoryRebound(to: fftwf_complex.self, capacity: batch * height * width) { i in
            output.withMemoryRebound(to: fftwf_complex.self, capacity: batch * height * width) { o in
                fftwf_execute_dft(plan, i, o)
            }
        }
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

    private static func cachedPlan(batch: Int, height: Int, width: Int, forward: Bool, inPlace: Bool) -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        let key = PlanKey(batch: batch, height: height, width: width, forward: forward, inPlace: inPlace,
                          threads: threadCount, measure: rigor == .measure)
        if let plan = plans[key] { return plan }
        if threadsInitialized { fftwf_plan_with_nthreads(Int32(threadCount)) }
        // Plan on scratch arrays (MEASURE overwrites them); execution later uses the new-array API,
        // which requires the same alignment (our buffers are 64-byte aligned) and placement.
        let n = batch * height * width
        let a = fftwf_alloc_complex(n)!
        let b = inPlace ? a : fftwf_alloc_complex(n)!
        defer { fftwf_free(a); if !inPlace { fftwf_free(b) } }
        var dims: [Int32] = [Int32(height), Int32(width)]
        let flags = UInt32(rigor == .measure ? FFTW_MEASURE : FFTW_ESTIMATE)
        let plan = fftwf_plan_many_dft(2, &dims, Int32(batch), a, nil, 1, Int32(height * width),
                                       b, nil, 1, Int32(height * width),
                                       forward ? FFTW_FORWARD : FFTW_BACKWARD, flags)
        guard let plan else { fatalError("FFTW could not plan a \(batch)×\(height)×\(width) transform") }
        plans[key] = plan
        return plan
    }
}
