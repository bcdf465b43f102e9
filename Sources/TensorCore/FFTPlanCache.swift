import CFFTW
import Foundation

/// The process's one cache of FFTW plans, shared by the batched transforms of `FFT` and the
/// single-slice transforms of the fused optics kernels (Optics' `CDPWorkspace`).
///
/// A plan is made once per `Key` — `batch` contiguous `[height, width]` complex slices, direction,
/// placement (in place or not), FFTW threads and planner rigor (`FFT.rigor`) — and kept for the life of
/// the process. Planning is serialized by one lock (FFTW's planner is not thread-safe); executing a
/// plan is, so plans are executed without it. Plans are made on scratch arrays and executed with FFTW's
/// new-array interface (`execute`), which needs buffers with the planning alignment: 64-byte aligned,
/// as `Tensor` storage is.
///
/// A single slice (`batch` 1) is planned exactly as `fftwf_plan_dft_2d` plans it (FFTW drops a vector
/// dimension of length 1), and `threads` 1 plans no threaded solver, so a slice plan is the same
/// plan whichever caller asks first. For the single-slice, one-thread plans of the sides in
/// `FFTWisdom.recorded` (96 and 192, where FFTW_ESTIMATE's guess is 2–3× slower than the best plan)
/// the planner is given that recorded wisdom: still no timing at plan time, the same plan every run.
public enum FFTPlanCache {
    public struct Key: Hashable, Sendable {
        public let batch: Int, height: Int, width: Int, forward: Bool, inPlace: Bool, threads: Int, measure: Bool
    }

    nonisolated(unsafe) private static var plans: [Key: OpaquePointer] = [:]
    nonisolated(unsafe) private static var threadsInitialized = false
    /// Serializes FFTW's planner (and its wisdom) for the whole process.
    static let lock = NSLock()

    /// Number of plans in the cache (for tests and diagnostics).
    public static var count: Int { lock.lock(); defer { lock.unlock() }; return plans.count }

    /// Whether a plan for `key` has been made.
    public static func contains(_ key: Key) -> Bool { lock.lock(); defer { lock.unlock() }; return plans[key] != nil }

    /// The key of a plan for `batch` slices of `height`×`width` under the current `FFT.rigor`.
    public static func key(batch: Int, height: Int, width: Int, forward: Bool, inPlace: Bool, threads: Int) -> Key {
        Key(batch: batch, height: height, width: width, forward: forward, inPlace: inPlace, threads: max(1, threads),
            measure: FFT.rigor == .measure)
    }

    /// The unscaled plan for `batch` contiguous `[height, width]` slices (forward `e^{−2πj…}`, inverse
    /// `e^{+2πj…}`), made on first use with `threads` FFTW threads.
    public static func plan(batch: Int, height: Int, width: Int, forward: Bool, inPlace: Bool,
                            threads: Int = 1) -> OpaquePointer {
        let key = key(batch: batch, height: height, width: width, forward: forward, inPlace: inPlace, threads: threads)
        lock.lock()
        defer { lock.unlock() }
        if let plan = plans[key] { return plan }
        let plan = make(key)
        plans[key] = plan
        return plan
    }

    /// Runs `plan` from `input` to `output` (`count` complex values each; they may be equal when the
    /// plan is in place).
    @inline(__always)
    public static func execute(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Float>,
                               _ output: UnsafeMutablePointer<Float>, count: Int) {
        input.withMemoryRebound(to: fftwf_complex.self, capacity: count) { i in
            output.withMemoryRebound(to: fftwf_complex.self, capacity: count) { o in
                fftwf_execute_dft(plan, i, o)
            }
        }
    }

    /// The plan for `key`, from the recorded wisdom when there is some for it (`usingWisdom`). The
    /// wisdom is forgotten again right after, so it never reaches the plans of other sizes. Called
    /// with the lock held.
    static func make(_ key: Key, usingWisdom: Bool = true) -> OpaquePointer {
        initializeThreads()
        guard usingWisdom, let wisdom = FFTWisdom.wisdom(for: key) else { return make(key, flags: plannerFlags(key)) }
        let accepted = fftwf_import_wisdom_from_string(wisdom) != 0
        defer { if accepted { fftwf_forget_wisdom() } }
        return make(key, flags: plannerFlags(key))
    }

    /// FFTW's threads, before anything else touches its planner: the set of solvers, and with it the
    /// signature a wisdom import checks, depends on that order. Called with the lock held.
    static func initializeThreads() {
        if !threadsInitialized { fftwf_init_threads(); threadsInitialized = true }
    }

    static func plannerFlags(_ key: Key) -> UInt32 { UInt32(key.measure ? FFTW_MEASURE : FFTW_ESTIMATE) }

    /// Plans on scratch arrays (MEASURE and PATIENT overwrite them). Called with the lock held.
    static func make(_ key: Key, flags: UInt32) -> OpaquePointer {
        initializeThreads()
        fftwf_plan_with_nthreads(Int32(key.threads))
        let n = key.batch * key.height * key.width
        let a = fftwf_alloc_complex(n)!
        let b = key.inPlace ? a : fftwf_alloc_complex(n)!
        defer { fftwf_free(a); if !key.inPlace { fftwf_free(b) } }
        var dims: [Int32] = [Int32(key.height), Int32(key.width)]
        let slice = Int32(key.height * key.width)
        let plan = fftwf_plan_many_dft(2, &dims, Int32(key.batch), a, nil, 1, slice, b, nil, 1, slice,
                                       key.forward ? FFTW_FORWARD : FFTW_BACKWARD, flags)
        guard let plan else { fatalError("FFTW could not plan a \(key.batch)×\(key.height)×\(key.width) transform") }
        return plan
    }
}
