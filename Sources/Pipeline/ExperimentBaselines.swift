import Foundation
import Optics
import TensorCore
import Training

/// The classical baselines beside the learned recovery, for the report (`ExperimentReport`).
extension ExperimentReport {
    /// Test images the baselines are scored on (the first of the test split; the classical methods run
    /// hundreds of iterations per image).
    static let baselineImages = 100

    /// The systems whose masks the baselines use: the main teacher (L_t snapshots) and the distilled
    /// student (1 snapshot), of the first seed.
    var baselineSystems: [(name: String, label: String)] {
        let lt = options.mainTeacherSnapshots
        return [("teacher-L\(lt)", "teacher's \(lt) masks"), ("student-cdp-feat", "student's 1 mask")]
    }

    /// "## Classical baselines": for each system of `baselineSystems`, on its first `baselineImages`
    /// clean test scenes, the learned recovery, the spectral initialization alone (the system's learned
    /// ψ), ER, HIO and WF (`ClassicalBaseline`, default iterations), with PSNR/SSIM and the PSNR with
    /// the scene's global phase. Empty when none of the systems was trained.
    func classicalBaselines() throws -> String {
        let seed = options.seeds.first ?? 0
        var rows: [String] = []
        var count = 0
        for (name, label) in baselineSystems {
            guard let run = results.first(where: { $0.name == name && $0.seed == seed }) else { continue }
            let system = try Checkpoint.load(run.checkpoint).system
            let images = try SceneSplits.testScenes(system.config, count: min(Self.baselineImages, system.config.testSize))
            count = images.shape[0]
            rows += try baselineRows(system, images: images, label: label)
        }
        guard !rows.isEmpty else { return "" }
        return """

        ## Classical baselines (seed \(seed), first \(count) test scenes, no noise)

        What the learned design buys: the same masks recovered without the U-Net. *spectral* is the \
        filtered spectral initialization z* alone (with the system's learned ψ); ER, HIO (β = \
        \(ClassicalRecovery.defaultBeta)) and WF start from z* with the phase-only object constraint \
        (docs/optics.md, "Classical baselines"). A classical estimate is a field: it is aligned to the \
        global-phase convention (Σx real ≥ 0) and mapped to I by the scene model; the last column takes the \
        global phase from the scene instead (an oracle), which separates what the method recovers from the \
        global phase no method can know. The U-Net learned that phase from its training scenes.

        | masks | recovery | PSNR (dB) | SSIM | PSNR with the scene's global phase |
        |---|---|---|---|---|

        """ + rows.joined(separator: "\n") + "\n"
    }

    /// One table row per recovery for `system` on `images`.
    func baselineRows(_ system: PhaseRetrievalSystem, images: Tensor, label: String) throws -> [String] {
        let reference = SceneChannels.phase(images)
        let model = system.config.sceneModel
        func scores(_ estimate: Tensor) -> String {
            let ssim = reference.shape[2] >= 11 ? String(format: "%.4f", ImageMetrics.ssim(estimate: estimate, reference: reference)) : "—"
            return String(format: "%.2f", ImageMetrics.psnr(estimate: estimate, reference: reference)) + " | " + ssim
        }
        let (learned, _) = try Evaluation.reconstruct(system, images: images)
        var rows = ["| \(label) | learned (U-Net) | \(scores(learned.clipped(to: 0...1))) | — |"]
        let y = system.sensing.measure(try system.scene(images), masks: system.masks.value)
        let methods: [(ReconstructJob.Method, String)] = [(.spectral, "spectral initialization"), (.er, "ER"), (.hio, "HIO"), (.wf, "WF")]
        for (method, title) in methods {
            let iterations = method.defaultIterations ?? 0
            let e = try ClassicalBaseline.recover(y, masks: system.masks.value, initialization: system.initialization,
                                                  kernel: system.filter.value, method: method.classical,
                                                  iterations: iterations, sceneModel: model)
            let oracle = try ClassicalBaseline.oraclePSNR(e.field, reference: reference, sceneModel: model)
            let name = iterations > 0 ? "\(title), \(iterations) iterations" : title
            rows.append("| \(label) | \(name) | \(scores(e.images)) | " + String(format: "%.2f", oracle) + " |")
        }
        return rows
    }
}
