import ArgumentParser
import Autodiff
import Foundation
import Optics
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self, OpticsBench.self]
    )

    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "sgemm peak, conv3x3 forward and forward+backward, batched FFT2 throughput.")

        @Option(help: "OpenBLAS threads.") var threads: Int = 2

        func run() throws {
            BLAS.setThreads(threads)
            let lines = [KernelBenchmark.sgemmPeak(),
                         KernelBenchmark.fft(size: 32, batch: 288),
                         KernelBenchmark.fft(size: 96, batch: 64)]
            for line in lines {
                print(line.name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%10.1f %@", line.value, line.unit))
            }
        }
    }

    struct OpticsBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "optics",
            abstract: "Sensing model CDPs/s next to a bare FFTW loop; spectral initialization time and peak memory.")

        @Option(help: "Worker threads (sensing model and Γ) and FFTW threads for the baseline loop.")
        var threads: Int = 2
        @Option(help: "Power iterations T of the spectral initialization.") var iterations: Int = 25

        func run() throws {
            BLAS.setThreads(1)
            var lines: [OpticsBenchmark.Line] = []
            for t in Set([1, threads]).sorted() { lines += OpticsBenchmark.sensing(threads: t) }
            lines += OpticsBenchmark.spectralInitialization(iterations: iterations, threads: threads)
            for line in lines {
                print(line.name.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%12.2f %@", line.value, line.unit))
            }
        }
    }
}
