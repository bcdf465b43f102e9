import ArgumentParser
import Autodiff
import Foundation
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self]
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
}
