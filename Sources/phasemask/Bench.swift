import ArgumentParser
import Autodiff
import Benchmarks

/// `phasemask bench …`: parses each benchmark's options and prints what `Benchmarks` measures.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self, Convolution.self, RecoveryNetwork.self, OpticsBench.self, RecoveryBench.self,
                      TrainBench.self, MemoryBench.self, FFTBench.self, SimulateBench.self, ScalingBench.self]
    )

    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "sgemm peak, conv3x3 forward and forward+backward, batched FFT2 throughput.",
            discussion: """
                sgemm runs on --threads OpenBLAS threads. The convolutions run on --tile-threads threads \
                over pixel tiles with OpenBLAS at one thread (or, with --tile-threads 1, on --threads \
                OpenBLAS threads). Each figure is the fastest of repeated runs.
                """)

        @Option(help: "OpenBLAS threads (sgemm; convolutions when --tile-threads is 1).") var threads: Int = 2
        @Option(help: "Threads over convolution tiles (OpenBLAS drops to 1 thread when > 1).") var tileThreads: Int = 2
        @Option(help: "Convolution tile scratch budget in floats.") var scratch: Int = ConvolutionTiling.scratchFloats
        @Option(help: "Rounds over all kernels; each line reports its best round.") var rounds: Int = 3

        func run() throws {
            KernelBenchmark.report(threads: threads, tileThreads: tileThreads, scratch: scratch, rounds: rounds) { print($0) }
        }
    }

    struct Convolution: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conv", abstract: "conv3x3 forward and forward+backward at one size (for profiling).")

        @Option(help: "OpenBLAS threads.") var threads: Int = 2
        @Option(help: "Threads over convolution tiles (OpenBLAS drops to 1 thread when > 1).") var tileThreads: Int = 2
        @Option(help: "Convolution tile scratch budget in floats.") var scratch: Int = ConvolutionTiling.scratchFloats
        @Option(help: "Minimum rows per tile band.") var minimumRows: Int = ConvolutionTiling.minimumRows
        @Option(help: "Input and output channels.") var channels: Int = 16
        @Option(help: "Image height and width.") var size: Int = 32
        @Option(help: "Batch size.") var batch: Int = 32

        func run() throws {
            KernelBenchmark.convolutionReport(threads: threads, tileThreads: tileThreads, scratch: scratch,
                                              minimumRows: minimumRows, batch: batch, channels: channels, size: size)
                .forEach { print($0) }
        }
    }

    struct RecoveryNetwork: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unet",
            abstract: "U-Net training step (forward, backward, Adam) and evaluation forward, images per second.")

        @Option(help: "Threads (over convolution tiles and batch-norm channels; OpenBLAS at 1 thread).") var threads: Int = 2
        @Option(help: "Batch size.") var batch: Int = 32
        @Option(help: "Image height and width.") var size: Int = 32
        @Option(help: "U-Net depth.") var depth: Int = 3
        @Option(help: "U-Net base channels.") var channels: Int = 16

        func run() throws {
            try UNetBenchmark.report(threads: threads, batch: batch, size: size, depth: depth, channels: channels)
                .forEach { print($0) }
        }
    }
}
