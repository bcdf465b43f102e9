/// One switch for the process's parallelism.
///
/// PhaseMask runs one level of parallelism per hot path: its own worker threads (`Parallel.chunks`)
/// over convolution tiles, batch samples and channels, with OpenBLAS and FFTW each at one thread inside
/// those workers. Running OpenBLAS's own threads under our workers oversubscribes the cores and
/// collapses throughput (docs/performance.md). Results are bit-reproducible for a fixed thread count;
/// a different count changes how some reductions are split, and so the last bits of sums.
public enum Threading {
    public static func configure(threads: Int) {
        let n = max(1, threads)
        Parallel.threads = n
        BLAS.setThreads(1)
        FFT.threads = 1
    }
}
