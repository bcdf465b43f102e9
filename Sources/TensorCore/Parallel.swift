import Dispatch

/// Data-parallel loops for kernels that are not already parallel inside BLAS or FFTW.
///
/// One level of parallelism per hot path: when a loop body calls multi-threaded OpenBLAS, do not also
/// split it here (see docs/performance.md). `Parallel.threads` (default 1) caps the number of chunks.
public enum Parallel {
    nonisolated(unsafe) public static var threads = 1

    /// Calls `body(range)` on disjoint chunks covering `0..<count`, concurrently when `threads > 1`.
    /// Chunk boundaries depend only on `count` and `threads`, so results are deterministic for a
    /// fixed thread count as long as each chunk writes its own outputs.
    public static func chunks(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let pieces = max(1, min(threads, count / max(minimumChunk, 1)))
        if pieces <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: pieces) { p in
            let lo = count * p / pieces, hi = count * (p + 1) / pieces
            if lo < hi { body(lo..<hi) }
        }
    }
}
