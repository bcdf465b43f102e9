import ArgumentParser
import Fabrication
import Foundation
import Optics
import TensorCore

extension Bench {
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
            let saved = Parallel.threads
            Parallel.threads = threads
            FFT.threads = 1
            defer { Parallel.threads = saved }
            var g = SeededGenerator(seed: 1)
            let phi = CodedMasks.random(snapshots: snapshots, height: size, width: size, generator: &g)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phasemask-bench-\(getpid())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let export = try DesignExport(mask: phi, settings: ExportSettings(constraints: try PhaseConstraints(levels: 8),
                                                                               profile: SLMCatalog.profile(named: "pluto-2")!))
            let t0 = Benchmark.now()
            let paths = try export.writeAll(to: directory, stem: "bench", metadata: DesignMetadata(softwareVersion: "bench"))
            let exportSeconds = Benchmark.now() - t0
            let t1 = Benchmark.now()
            let masks = try MaskSource.design(path: paths[0], displayed: true).load()
            let loadSeconds = Benchmark.now() - t1
            let simulator = try Simulator(oversampling: oversampling)
            let images = Tensor((0..<(batch * size * size)).map { _ in Float.random(in: 0...1, using: &g) },
                                shape: [batch, 1, size, size])
            let field = try simulator.field(.intensity(images))
            var noise = SeededGenerator(seed: 2)
            let seconds = Benchmark.measure { _ = try? simulator.simulate(masks: masks, scene: field, generator: &noise) }
            let rows: [(String, Double, String)] = [
                ("export \(size)×\(size)×\(snapshots) (HDF5 + BMP + PNG, 1920×1080)", exportSeconds, "s"),
                ("read back and decode the displayed mask", loadSeconds, "s"),
                ("simulate \(batch) scenes × \(snapshots) snapshots, f = \(oversampling), \(threads) thr",
                 Double(batch * snapshots) / seconds, "CDPs/s"),
            ]
            for (name, value, unit) in rows {
                print(name.padding(toLength: 64, withPad: " ", startingAt: 0) + String(format: "%12.3f %@", value, unit))
            }
        }
    }
}
