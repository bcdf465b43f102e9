import ArgumentParser
import Autodiff
import Foundation
import Optics
import Storage
import TensorCore
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self, Convolution.self, RecoveryNetwork.self, OpticsBench.self, RecoveryBench.self,
                      TrainBench.self, SimulateBench.self]
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
            print("OpenBLAS \(BLAS.coreName) kernels; sgemm on \(threads) OpenBLAS thread(s); conv on " +
                  (tileThreads > 1 ? "\(tileThreads) tile threads, OpenBLAS 1 thread" : "\(threads) OpenBLAS thread(s)") +
                  "; best of \(rounds) rounds")
            ConvolutionTiling.scratchFloats = scratch
            let sizes = [(32, 16, 32), (32, 16, 16), (32, 32, 32), (32, 32, 16), (8, 64, 96)]
            // Rounds spread each kernel's samples over the whole run, so that a burst of load from
            // another process on this shared machine spoils one round, not the figure.
            var best: [KernelBenchmark.Line] = []
            for _ in 0..<max(rounds, 1) {
                BLAS.setThreads(threads)
                Parallel.threads = 1
                var lines = [KernelBenchmark.sgemmPeak()]
                BLAS.setThreads(tileThreads > 1 ? 1 : threads)
                Parallel.threads = tileThreads
                for (batch, channels, size) in sizes {
                    lines += KernelBenchmark.conv3x3(batch: batch, channels: channels, size: size)
                }
                lines += [KernelBenchmark.fft(size: 32, batch: 288), KernelBenchmark.fft(size: 96, batch: 64)]
                best = best.isEmpty ? lines : zip(best, lines).map { $0.value >= $1.value ? $0 : $1 }
            }
            let peak = best[0].value
            for line in best {
                let share = line.name.hasPrefix("conv") ? String(format: "  %5.1f%% of sgemm", 100 * line.value / peak) : ""
                print(format(line) + share)
            }
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
            BLAS.setThreads(tileThreads > 1 ? 1 : threads)
            Parallel.threads = tileThreads
            ConvolutionTiling.scratchFloats = scratch
            ConvolutionTiling.minimumRows = minimumRows
            for line in KernelBenchmark.conv3x3(batch: batch, channels: channels, size: size)
                + KernelBenchmark.conv3x3Parts(batch: batch, channels: channels, size: size) {
                print(format(line))
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

    struct RecoveryBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recovery",
            abstract: "Spectral-initialization recovery on FashionMNIST test scenes: weightings, filter, L.")

        @Option(help: "Number of FashionMNIST test images (the first ones).") var images: Int = 1000
        @Option(help: "Scene size in pixels (images are resized to size×size).") var size: Int = 32
        @Option(help: "Worker threads.") var threads: Int = 2
        @Option(help: "Directory holding the FashionMNIST IDX files.")
        var data: String = IDXFile.fashionMNISTDirectory

        func run() throws {
            guard images >= 1, images <= 10_000 else { throw ValidationError("--images must be in 1…10000, got \(images)") }
            guard size >= 4 else { throw ValidationError("--size must be at least 4, got \(size)") }
            let raw = try IDXFile.readFashionMNIST(.test, limit: images, directory: data).images.tensor(0..<images)
            let scenes = Resize.resize(raw, height: size, width: size)
            for line in try OpticsBenchmark.recovery(images: scenes, threads: threads) {
                print(line.name.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%8.4f %@", line.value, line.unit))
            }
        }
    }
}

extension Bench {
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
            BLAS.setThreads(1)
            Parallel.threads = threads
            for line in try UNetBenchmark.run(batch: batch, size: size, depth: depth, channels: channels) {
                print(format(line))
            }
        }
    }
}

private func format(_ line: KernelBenchmark.Line) -> String {
    line.name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%10.1f %@", line.value, line.unit)
}

extension Bench {
    struct TrainBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Training images/s and peak memory of one full step (optics, T-step initialization, U-Net, backward, Adam).")

        @Option(help: "Snapshots L.") var snapshots: Int = 9
        @Option(help: "Image size N.") var size: Int = 32
        @Option(help: "Batch size.") var batch: Int = 32
        @Option(help: "Spectral-initialization iterations T.") var iterations: Int = 25
        @Option(help: "U-Net depth.") var depth: Int = 3
        @Option(help: "U-Net base channels.") var channels: Int = 16
        @Option(help: "Timed steps.") var steps: Int = 10
        @Option(help: "Compute threads.") var threads: Int = 2

        func run() throws {
            Threading.configure(threads: threads)
            let r = try TrainingBenchmark.run(snapshots: snapshots, size: size, batch: batch, depth: depth,
                                              channels: channels, iterations: iterations, steps: steps)
            print(String(format: "train step L=%d %dx%d batch %d T=%d: %.1f ms/step, %.1f images/s, peak tensors %.0f MiB, peak RSS %@",
                         r.snapshots, r.size, r.size, r.batch, iterations, r.secondsPerStep * 1000, r.imagesPerSecond,
                         Double(r.peakTensorBytes) / 1_048_576,
                         r.peakResidentBytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "?"))
        }
    }
}
