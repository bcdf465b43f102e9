import CFFTW
import Foundation
import TensorCore

/// Unscaled single-slice FFTW plans for the fused optics kernels.
///
/// `execute` computes `F̃ = √(HW)·F` (forward) or `F̃ᴴ = √(HW)·Fᴴ` (inverse), i.e. the orthonormal
/// transforms of `TensorCore/FFT.swift` without their 1/√(HW) factor. The kernels fold the factors
/// into the pointwise steps they do anyway (|·|², the weights), saving a pass over every slice.
///
/// Plans are made once per (H, W, direction, placement), single-threaded (the kernels parallelize
/// over samples), with the same planner rigor as `FFT.rigor`, and executed with FFTW's new-array
/// interface on 64-byte aligned workspace buffers only. Planning is serialized by a lock and FFTW's
/// planner is switched to its thread-safe mode, so it may race with `TensorCore.FFT` planning.
enum SliceFFT {
    private struct Key: Hashable { let height: Int, width: Int, forward: Bool, inPlace: Bool, measure: Bool }

    nonisolated(unsafe) private static var plans: [Key: OpaquePointer] = [:]
    nonisolated(unsafe) private static var plannerMadeThreadSafe = false
    private static let lock = NSLock()

    static func plan(height: Int, width: Int, forward: Bool, inPlace: Bool) -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(height: height, width: width, forward: forward, inPlace: inPlace, measure: FFT.rigor == .measure)
        if let plan = plans[key] { return plan }
        if !plannerMadeThreadSafe {
            fftwf_make_planner_thread_safe()
            plannerMadeThreadSafe = true
        }
        FFT.threads = FFT.threads   // initializes FFTW's thread support so the next call is valid
        fftwf_plan_with_nthreads(1)
        let n = height * width
        let a = fftwf_alloc_complex(n)!
        let b = inPlace ? a : fftwf_alloc_complex(n)!
        defer { fftwf_free(a); if !inPlace { fftwf_free(b) } }
        let flags = UInt32(key.measure ? FFTW_MEASURE : FFTW_ESTIMATE)
        guard let plan = fftwf_plan_dft_2d(Int32(height), Int32(width), a, b,
                                           forward ? FFTW_FORWARD : FFTW_BACKWARD, flags) else {
            fatalError("FFTW could not plan a \(height)×\(width) transform")
        }
        plans[key] = plan
        return plan
    }

    /// Unscaled transform of one `[H, W]` complex slice from `input` to `output` (may be equal).
    @inline(__always)
    static func execute(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                        count: Int) {
        input.withMemoryRebound(to: fftwf_complex.self, capacity: count) { i in
            output.withMemoryRebound(to: fftwf_complex.self, capacity: count) { o in
                fftwf_execute_dft(plan, i, o)
            }
        }
    }
}
