import ArgumentParser
import Foundation
import Benchmarks
import Storage

extension Bench {
    struct OpticsBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "optics",
            abstract: "Sensing model CDPs/s next to a bare FFTW loop; spectral initialization time and peak memory.")

        @Option(help: "Worker threads (sensing model and Γ) and FFTW threads for the baseline loop.")
        var threads: Int = 2
        @Option(help: "Power iterations T of the spectral initialization.") var iterations: Int = 25

        func run() throws {
            OpticsBenchmark.report(threads: threads, iterations: iterations).forEach { print($0) }
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
            try RecoveryBenchmark.report(images: images, size: size, threads: threads, directory: data).forEach { print($0) }
        }
    }

    struct TrainBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Training images/s and peak memory of one full step (optics, T-step initialization, U-Net, backward, Adam).")

        @OptionGroup var step: TrainStepShape
        @Option(help: "Timed steps.") var steps: Int = 10
        @Option(help: "Compute threads.") var threads: Int = 2

        func run() throws {
            print(try TrainingBenchmark.report(snapshots: step.snapshots, size: step.size, batch: step.batch, depth: step.depth,
                                               channels: step.channels, iterations: step.iterations, steps: steps, threads: threads))
        }
    }

    struct MemoryBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "memory",
            abstract: "Where the memory of one training step goes: tensors kept for the backward pass by op, peaks, pool, RSS.")

        @OptionGroup var step: TrainStepShape
        @Option(help: "Compute threads.") var threads: Int = 2

        func run() throws {
            try MemoryBenchmark.report(snapshots: step.snapshots, size: step.size, batch: step.batch, depth: step.depth,
                                       channels: step.channels, iterations: step.iterations, threads: threads).forEach { print($0) }
        }
    }

    struct FFTBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fft",
            abstract: "Single-slice FFT cost per point: the plan in use (recorded wisdom where there is some) against FFTW_ESTIMATE alone.")

        @Option(help: "Slice sides, comma-separated.") var sides: String = "32,64,96,128,192"
        @Flag(help: "Print fresh FFTW_PATIENT wisdom for the sides instead (for FFTWisdom.recorded; takes minutes).")
        var recordWisdom = false

        func run() throws {
            let parsed = sides.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 2 && ($0 ?? 0) <= 4096 }) else {
                throw ValidationError("--sides must be comma-separated sides in 2…4096, got \(sides)")
            }
            let list = parsed.map { $0! }
            (recordWisdom ? FFTBenchmark.recordWisdom(sides: list) : FFTBenchmark.report(sides: list)).forEach { print($0) }
        }
    }

    /// `phasemask bench simulate`: CDPs/s of the simulator on masks read back from an export.
    struct SimulateBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
            abstract: "Export a random 96×96 mask (PLUTO-2), read it back, and time the simulator in CDPs/s.")

        @Option(help: "Snapshots L of the mask.") var snapshots: Int = 9
        @Option(help: "Scenes per simulate call.") var batch: Int = 16
        @Option(help: "Mask side in pixels.") var size: Int = 96
        @Option(help: "Zero-padding factor.") var oversampling: Int = 1
        @Option(help: "Worker threads of the sensing model.") var threads: Int = 2

        func run() throws {
            try SimulatorBenchmark.report(snapshots: snapshots, batch: batch, size: size, oversampling: oversampling,
                                          threads: threads).forEach { print($0) }
        }
    }
}

/// The shape of a benchmarked training step, shared by `bench train` and `bench memory`.
struct TrainStepShape: ParsableArguments {
    @Option(help: "Snapshots L.") var snapshots: Int = 9
    @Option(help: "Image size N.") var size: Int = 32
    @Option(help: "Batch size.") var batch: Int = 32
    @Option(help: "Spectral-initialization iterations T.") var iterations: Int = 25
    @Option(help: "U-Net depth.") var depth: Int = 3
    @Option(help: "U-Net base channels.") var channels: Int = 16
}
