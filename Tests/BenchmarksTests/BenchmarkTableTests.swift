@testable import Benchmarks
import XCTest

/// Every `phasemask bench` layout, checked against lines the docs quote where they quote one
/// (docs/performance.md, docs/optics.md, docs/fabrication.md), so formatter and docs cannot drift apart.
final class BenchmarkTableTests: XCTestCase {
    typealias Row = BenchmarkTable.Row

    func testKernelsLayoutWithTheShareOfSgemm() {
        let sgemm = Row(name: "sgemm 512x512x512", value: 337.3, unit: "GFLOP/s")
        XCTAssertEqual(KernelBenchmark.line(sgemm, sgemm: 337.3),
                       "sgemm 512x512x512                                337.3 GFLOP/s")
        XCTAssertEqual(KernelBenchmark.line(Row(name: "conv3x3 16->16 32x32 batch 32 fwd", value: 285.7, unit: "GFLOP/s"),
                                            sgemm: 337.3),
                       "conv3x3 16->16 32x32 batch 32 fwd                285.7 GFLOP/s   84.7% of sgemm")
        XCTAssertEqual(KernelBenchmark.line(Row(name: "fft2 32x32 batch 288", value: 742440.3, unit: "transforms/s"),
                                            sgemm: 337.3),
                       "fft2 32x32 batch 288                          742440.3 transforms/s")
    }

    func testOpticsLayoutCutsLongNames() {
        XCTAssertEqual(BenchmarkTable.optics.lines([
            Row(name: "sensing forward / bare FFTW loop", value: 90.644, unit: "%"),
            Row(name: "spectral init forward B=64 L=9 96x96 T=25 truncated weights (0.4)", value: 0.781, unit: "s"),
            Row(name: "  peak tensor memory (BufferPool)", value: 736.517, unit: "MiB"),
        ]), [
            "sensing forward / bare FFTW loop                               90.64 %",
            "spectral init forward B=64 L=9 96x96 T=25 truncated weig        0.78 s",
            "  peak tensor memory (BufferPool)                             736.52 MiB",
        ])
    }

    func testRecoveryLayout() {
        XCTAssertEqual(BenchmarkTable.recovery.line(Row(name: "L=9 intensity, gaussian psi", value: 0.94823, unit: "corr")),
                       "L=9 intensity, gaussian psi                               0.9482 corr")
    }

    func testSimulateLayoutCountsCharactersNotBytes() {
        XCTAssertEqual(BenchmarkTable.simulate.lines([
            Row(name: "export 96×96×9 (HDF5 + BMP + PNG, 1920×1080)", value: 0.4431, unit: "s"),
            Row(name: "simulate 16 scenes × 9 snapshots, f = 1, 2 thr", value: 22038.3887, unit: "CDPs/s"),
        ]), [
            "export 96×96×9 (HDF5 + BMP + PNG, 1920×1080)                           0.443 s",
            "simulate 16 scenes × 9 snapshots, f = 1, 2 thr                     22038.389 CDPs/s",
        ])
    }

    func testTrainingSummaryLine() {
        let mib = 1 << 20
        let result = TrainingBenchmark.Result(snapshots: 9, size: 32, batch: 32, iterations: 25, secondsPerStep: 0.20051,
                                              imagesPerSecond: 159.6, peakTensorBytes: 199 * mib,
                                              peakResidentBytes: 257 * mib, cpuSecondsPerStep: 0.3904)
        XCTAssertEqual(result.summary, "train step L=9 32x32 batch 32 T=25: 200.5 ms/step, 159.6 images/s, "
                                       + "peak tensors 199 MiB, peak RSS 257 MiB, CPU 390 ms/step")
    }

    func testMemoryAndFFTTablesLayOutTheirRows() {
        XCTAssertEqual(MemoryBenchmark.table.line(Row(name: "peak RSS of the process", value: 4602.84, unit: "MiB")),
                       "peak RSS of the process                                           4602.8 MiB")
        XCTAssertEqual(FFTBenchmark.table.line(Row(name: "fft2 96x96 in place, plan: recorded wisdom", value: 1.904, unit: "ns/point")),
                       "fft2 96x96 in place, plan: recorded wisdom                  1.90 ns/point")
    }

    /// `bench scaling` (docs/scaling.md quotes it): step times, the ratio, the all-reduce and its bus bandwidth.
    func testScalingLayout() {
        var shape = ScalingBenchmark.Shape()
        shape.steps = 2
        let ranks = ScalingBenchmark.RankResult(ranks: 2, secondsPerStep: 0.25, allReduceFloats: 31_125_914, allReduceSeconds: 0.1245)
        XCTAssertEqual(ScalingBenchmark.lines(shape, threads: 2, oneProcess: 0.2, ranks: ranks), [
            "train step L=9 32x32 batch 32 d3 c16: 1 process x 2 threads                  200.0 ms",
            "train step L=9 32x32 batch 32 d3 c16: 2 ranks x 1 thread                     250.0 ms   1.25x the one-process step",
            "all-reduce 31125914 floats (118.7 MiB, paper model): 2 ranks, loopback       124.5 ms   1.00 GB/s bus bandwidth",
        ])
    }
}
