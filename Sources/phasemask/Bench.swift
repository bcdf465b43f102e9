import ArgumentParser
import Autodiff
import Foundation
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self, Convolution.self]
    )

    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "sgemm peak, conv3x3 forward and forward+backward, batched FFT2 throughput.")

        @Option(help: "OpenBLAS threads.") var threads: Int = 2
        @Option(help: "Threads over convolution tiles (OpenBLAS drops to 1 thread when > 1).") var tileThreads: Int = 1
        @Option(help: "Convolution tile scratch budget in floats.") var scratch: Int = ConvolutionTiling.scratchFloats

        func run() throws {
            BLAS.setThreads(threads)
            let peak = KernelBenchmark.sgemmPeak()
            if tileThreads > 1 { BLAS.setThreads(1) }
            Parallel.threads = tileThreads
            ConvolutionTiling.scratchFloats = scratch
            var lines = [peak]
            for (channels, size) in [(16, 32), (16, 16), (32, 32), (32, 16)] {
                lines += KernelBenchmark.conv3x3(batch: 32, channels: channels, size: size)
            }
            lines += KernelBenchmark.conv3x3(batch: 8, channels: 64, size: 96)
            lines += [KernelBenchmark.fft(size: 32, batch: 288), KernelBenchmark.fft(size: 96, batch: 64)]
            for line in lines {
                print(line.name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%10.1f %@", line.value, line.unit))
            }
        }
    }

    struct Convolution: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conv", abstract: "conv3x3 forward and forward+backward at one size (for profiling).")

        @Option(help: "OpenBLAS threads.") var threads: Int = 2
        @Option(help: "Threads over convolution tiles (OpenBLAS drops to 1 thread when > 1).") var tileThreads: Int = 1
        @Option(help: "Convolution tile scratch budget in floats.") var scratch: Int = ConvolutionTiling.scratchFloats
        @Option(help: "Input and output channels.") var channels: Int = 16
        @Option(help: "Image height and width.") var size: Int = 32
        @Option(help: "Batch size.") var batch: Int = 32

        func run() throws {
            BLAS.setThreads(tileThreads > 1 ? 1 : threads)
            Parallel.threads = tileThreads
            ConvolutionTiling.scratchFloats = scratch
            for line in KernelBenchmark.conv3x3(batch: batch, channels: channels, size: size)
                + KernelBenchmark.conv3x3Parts(batch: batch, channels: channels, size: size) {
                print(line.name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%10.1f %@", line.value, line.unit))
            }
        }
    }
}
