import Fabrication
import Foundation
import Optics
import TensorCore

/// `phasemask bench simulate`: export of a random mask, reading it back, and CDPs/s of the simulator
/// on the masks read back.
public enum SimulatorBenchmark {
    public typealias Row = BenchmarkTable.Row

    /// `bench simulate`: a random `size`×`size`×`snapshots` mask exported for the PLUTO-2 (8 levels)
    /// into a temporary folder, the displayed mask read back and decoded, then `batch` random scenes
    /// simulated with zero-padding `oversampling` on `threads` worker threads.
    public static func report(snapshots: Int, batch: Int, size: Int, oversampling: Int, threads: Int) throws -> [String] {
        try OpticsBenchmark.withWorkers(threads) {
            var g = SeededGenerator(seed: 1)
            let phi = CodedMasks.random(snapshots: snapshots, height: size, width: size, generator: &g)
            let (masks, exportSeconds, loadSeconds) = try exportAndReadBack(phi)
            let simulator = try Simulator(oversampling: oversampling)
            let images = Tensor((0..<(batch * size * size)).map { _ in Float.random(in: 0...1, using: &g) },
                                shape: [batch, 1, size, size])
            let field = try simulator.field(.intensity(images))
            var noise = SeededGenerator(seed: 2)
            let seconds = Timing.median { _ = try? simulator.simulate(masks: masks, scene: field, generator: &noise) }
            return BenchmarkTable.simulate.lines([
                Row(name: "export \(size)×\(size)×\(snapshots) (HDF5 + BMP + PNG, 1920×1080)", value: exportSeconds, unit: "s"),
                Row(name: "read back and decode the displayed mask", value: loadSeconds, unit: "s"),
                Row(name: "simulate \(batch) scenes × \(snapshots) snapshots, f = \(oversampling), \(threads) thr",
                    value: Double(batch * snapshots) / seconds, unit: "CDPs/s"),
            ])
        }
    }

    /// Exports `phi` into a temporary folder (removed afterwards) and reads the displayed mask back:
    /// the masks and the seconds each step took.
    static func exportAndReadBack(_ phi: Tensor) throws -> (masks: Tensor, export: Double, load: Double) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phasemask-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let export = try DesignExport(mask: phi, settings: ExportSettings(constraints: try PhaseConstraints(levels: 8),
                                                                           profile: SLMCatalog.profile(named: "pluto-2")!))
        let t0 = MonotonicClock.now()
        let paths = try export.writeAll(to: directory, stem: "bench", metadata: DesignMetadata(softwareVersion: "bench"))
        let exportSeconds = MonotonicClock.now() - t0
        let t1 = MonotonicClock.now()
        let masks = try MaskSource.design(path: paths[0], displayed: true).load()
        return (masks, exportSeconds, MonotonicClock.now() - t1)
    }
}
