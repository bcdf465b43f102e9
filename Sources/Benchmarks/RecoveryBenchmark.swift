import Foundation
import Optics
import Storage
import TensorCore

/// `phasemask bench recovery`: how well the spectral initialization alone recovers FashionMNIST test
/// scenes, for each weighting, with and without the filter ψ, at L = 1 and 9.
public enum RecoveryBenchmark {
    public typealias Row = BenchmarkTable.Row

    /// `bench recovery`: the first `images` FashionMNIST test images from `directory`, resized to
    /// `size`×`size`, recovered on `threads` worker threads.
    public static func report(images: Int, size: Int, threads: Int, directory: String) throws -> [String] {
        let raw = try IDXFile.readFashionMNIST(.test, limit: images, directory: directory).images.tensor(0..<images)
        let scenes = Resize.resize(raw, height: size, width: size)
        return BenchmarkTable.recovery.lines(try recovery(images: scenes, threads: threads))
    }

    /// Spectral-initialization recovery (mean |⟨z*, x⟩|/(‖z*‖‖x‖), `Recovery.Experiment`) on images
    /// `[N, 1, H, W]` for L ∈ `snapshots`, each weighting, with the default Gaussian ψ and without
    /// filtering; plus the correlation of a constant field with the scenes (the trivial baseline).
    static func recovery(images: Tensor, snapshots: [Int] = [1, 9], threads: Int,
                         weightings: [SpectralInitialization.Weighting] = [
                             .intensity, .truncated(fraction: 0.3), .truncated(fraction: 0.4), .truncated(fraction: 0.6),
                         ]) throws -> [Row] {
        try OpticsBenchmark.withWorkers(threads) {
            var rows = [try constantFieldBaseline(images)]
            for l in snapshots {
                for weighting in weightings {
                    for (label, kernel) in [("gaussian psi", SpectralInitialization.gaussianKernel()),
                                            ("no filter", Recovery.identityKernel)] {
                        let experiment = Recovery.Experiment(snapshots: l, initialization: try SpectralInitialization(weighting: weighting),
                                                             kernel: kernel)
                        rows.append(Row(name: "L=\(l) \(weighting), \(label)", value: try experiment.meanCorrelation(images: images),
                                        unit: "corr"))
                    }
                }
            }
            return rows
        }
    }

    /// The mean correlation of a constant field with the scenes: what recovery must beat.
    static func constantFieldBaseline(_ images: Tensor) throws -> Row {
        let n = images.shape[0], size = "\(images.shape[images.rank - 2])x\(images.shape[images.rank - 1])"
        let x = try Scene.phaseObject(images)
        let constant = ComplexField(uninitialized: x.shape)
        for k in 0..<x.count { constant[k] = (1, 0) }
        return Row(name: "constant field vs \(n) scenes \(size)",
                   value: Recovery.correlation(constant, x).reduce(0, +) / Double(max(n, 1)), unit: "corr")
    }
}
