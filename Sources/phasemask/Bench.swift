import ArgumentParser
import Autodiff
import Foundation
import Optics
import Storage
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (release builds: swift build -c release).",
        subcommands: [Kernels.self, OpticsBench.self, RecoveryBench.self, SimulateBench.self]
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
