import ArgumentParser
import Foundation
import NeuralNetwork
import Optics
import Pipeline
import TensorCore
import Training

/// The options of `train` that shape a PR system and its training, parsed into `TrainingOverrides`.
struct SystemOptions: ParsableArguments {
    @Option(help: "Preset: quick (32×32, minutes), standard (64×64, under an hour), paper (96×96, 120 epochs), tiny (seconds).")
    var preset: Preset = .quick
    @Option(help: "Snapshots L of a teacher (other modes use 1).") var snapshots: Int?
    @Option(help: "Image size N (N×N scenes); divisible by 2^depth.") var size: Int?
    @Option(help: "U-Net depth d.") var depth: Int?
    @Option(help: "U-Net base channels c.") var channels: Int?
    @Option(help: "Spectral-initialization iterations T.") var iterations: Int?
    @Option(help: "Spectral-initialization weights: truncated or intensity.") var weighting: WeightingKind?
    @Option(help: "Global phase of the initialization z: aligned (Σz real ≥ 0), constant-start or random-start (before 0.2).")
    var globalPhase: SpectralInitialization.GlobalPhase?
    @Option(help: "Fraction of each CDP kept by truncated weights, in (0, 1].") var truncation: Double?
    @Option(help: "Training epochs.") var epochs: Int?
    @Option(name: .customLong("batch"), help: "Batch size.") var batchSize: Int?
    @OptionGroup var rate: LearningRateOptions
    @Option(help: "Weight α of the task loss.") var alpha: Double?
    @Option(help: "Weight β of the CDP distillation loss (student).") var beta: Double?
    @Option(help: "Weight ρ of the mask regularizer R(φ).") var rho: Double?
    @Option(help: "Phase levels K shared by R(φ) and the quantizer.") var levels: Int?
    @Option(help: "SLM phase stroke in units of π (2 = full 2π).") var stroke: Double?
    @Option(help: "Training noise: none, gaussian:SNR_DB, poisson:PHOTONS (mean photons per pixel) or camera:photons=N,read=E[,well=E][,bits=B].") var noise: String?
    @Option(help: "Training images (subset of the 30,000).") var trainSize: Int?
    @Option(help: "Validation images (subset of the 30,000).") var valSize: Int?
    @Option(help: "Test images (subset of the 10,000).") var testSize: Int?
    @Option(help: "Random seed (masks, weights, batch order, noise).") var seed: UInt64?
    @Option(help: dataHelp) var data: [String] = []
    @OptionGroup var scene: SceneModelOptions
    @OptionGroup(title: "Propagation (default: far field)") var optics: PropagationOptions
    @Option(help: perturbHelp) var perturb: String?

    func validate() throws {
        _ = try spectralWeighting(weighting, truncation: truncation)
        _ = try noise.map(parseNoise)
        _ = try perturb.map(parsePerturbation)
    }

    /// Every option given, as settings to lay over the preset.
    func overrides() throws -> TrainingOverrides {
        var o = TrainingOverrides()
        o.snapshots = snapshots; o.size = size; o.depth = depth; o.channels = channels
        o.iterations = iterations; o.weighting = try spectralWeighting(weighting, truncation: truncation)
        o.globalPhase = globalPhase
        o.epochs = epochs; o.batchSize = batchSize
        rate.apply(to: &o)
        o.alpha = alpha; o.beta = beta; o.rho = rho
        o.levels = levels; o.stroke = stroke.map { $0 * Double.pi }
        o.noise = try noise.map(parseNoise)
        o.trainSize = trainSize; o.validationSize = valSize; o.testSize = testSize
        o.seed = seed
        o.dataSources = try dataSources(data)
        o.sceneModel = try scene.model()
        o.sensing = try optics.sensing()
        o.perturbation = try perturb.map(parsePerturbation)
        return o
    }
}

extension SpectralInitialization.GlobalPhase: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

/// Adam's learning rate and its schedule, the same options on `train`, `design` (every stage) and
/// `experiment` (every run); each left out keeps the preset's value.
struct LearningRateOptions: ParsableArguments {
    @Option(name: .customLong("lr"), help: "Adam learning rate, the peak of a schedule (default: the preset's).")
    var learningRate: Double?
    @Option(help: "Learning-rate schedule: constant, cosine (linear warm-up, then cosine decay to 0) or decay (constant, then linear decay to 0 over the last --decay share); default: the preset's.")
    var schedule: LearningRateSchedule?
    @Option(help: "Share of each run's steps spent warming up (cosine schedule).") var warmup: Double?
    @Option(help: "Share of each run's last steps over which the decay schedule anneals the rate to 0.") var decay: Double?

    func apply(to o: inout TrainingOverrides) {
        o.learningRate = learningRate; o.schedule = schedule; o.warmupFraction = warmup; o.decayFraction = decay
    }
}
extension Preset: ExpressibleByArgument {}
extension KDNormalization: ExpressibleByArgument {}
extension TrainingMode: ExpressibleByArgument {}

/// `--weighting`: the kinds of `SpectralInitialization.Weighting` (truncated weights take their
/// fraction from `--truncation`).
enum WeightingKind: String, CaseIterable, ExpressibleByArgument {
    case truncated, intensity
}

/// `--weighting` and `--truncation` as one spectral-initialization weighting; nil when neither is given.
/// A fraction alone means truncated weights; `--weighting truncated` alone keeps the default fraction.
func spectralWeighting(_ kind: WeightingKind?, truncation: Double?) throws -> SpectralInitialization.Weighting? {
    switch (kind, truncation) {
    case (nil, nil): return nil
    case (.intensity?, nil): return .intensity
    case (.intensity?, let fraction?):
        throw ValidationError("--truncation \(fraction) applies to truncated weights, not to --weighting intensity")
    case (.truncated?, let fraction), (nil, let fraction):
        return .truncated(fraction: fraction ?? TrainingConfig.defaultTruncation)
    }
}

/// Help of the `--data` option of train, design and experiment.
let dataHelp = ArgumentHelp("Scene source, repeatable: fashion-mnist[:DIR] (default), synthetic:KIND[,KIND…] "
                            + "(smooth, zernike, blobs, polygons, steps), a folder of PNG/BMP/TIFF/HDF5 images, "
                            + "or, with an amplitude channel (needs --amplitude-range A0:A1), a folder with phase/ and "
                            + "amplitude/ subfolders of images paired by name or complex fields FILE.h5:/DATASET [B,H,W,2]; "
                            + "append @WEIGHT to mix (docs/scenes.md).", valueName: "source")

/// The `--data` values parsed and checked (`DataSource.checkAvailable`); an empty list stays empty
/// (the command's default source).
func dataSources(_ texts: [String]) throws -> [DataSource] {
    try texts.map { text in
        let source = try DataSource(parsing: text)
        try source.checkAvailable()
        return source
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a teacher, the E2E or random-mask baseline, or a distilled single-snapshot student.")

    @Option(help: "teacher, e2e, random or student.") var mode: TrainingMode
    @OptionGroup var system: SystemOptions
    @Option(help: "Teacher checkpoint (student mode).") var teacher: String?
    @Flag(help: "Student: start from the teacher's ψ, θ and first mask.") var initFromTeacher = false
    @Flag(help: "Student: switch off the CDP distillation term.") var noCdp = false
    @Flag(help: "Student: switch off the feature distillation term.") var noFeat = false
    @Option(help: "Student: scaling of L_cdp and L_feat: none (per-element MSE, the default) or energy (divided by the teacher target's mean energy).")
    var kdNormalization: KDNormalization?
    @Option(help: "Output directory (checkpoint.h5, log.jsonl).") var out: String
    @Flag(help: "Continue the checkpoint in --out (from the first epoch if it has none yet).") var resume = false
    @Option(help: "Compute threads.") var threads: Int = 2

    func run() throws {
        var o = try system.overrides()
        o.teacherCheckpoint = teacher
        o.initFromTeacher = initFromTeacher
        o.useCDPLoss = !noCdp
        o.useFeatureLoss = !noFeat
        o.kdNormalization = kdNormalization
        let config = o.config(preset: system.preset, mode: mode)
        if let problem = (config.settingsProblems() + config.wiringProblems()).first { throw ValidationError(problem) }
        Threading.configure(threads: threads)
        let summary = try TrainingJob.train(config, directory: out, resume: resume) { print($0) }
        print(String(format: "test (%d images): PSNR %.2f dB  SSIM %.4f  — checkpoint %@",
                     summary.test.count, summary.test.psnr, summary.test.ssim, summary.checkpoint))
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test-set PSNR and SSIM of a checkpoint.")

    @Option(help: "Checkpoint file.") var model: String
    @Option(help: "Test images (default: the checkpoint's).") var testSize: Int?
    @Option(help: ArgumentHelp("Score on the test split of these scene sources instead of the checkpoint's (repeatable, as for train --data; "
                               + "sources with an amplitude channel need a checkpoint trained with an amplitude range A0 ≠ A1).",
                               valueName: "source"))
    var data: [String] = []
    @Option(help: "Measurement noise: none, gaussian:SNR_DB, poisson:PHOTONS (mean photons per pixel) or camera:photons=N,read=E[,well=E][,bits=B].")
    var noise: String = "none"
    @Option(help: "Seed of the noise draws and background offsets.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: ArgumentHelp("Score under background-phase offsets uniform in ±Δ radians (the checkpoint's phase range "
                               + "and amplitude always apply; default 0: none).", valueName: "Δ"))
    var backgroundOffset: String?
    @Option(help: ArgumentHelp("Refine each U-Net estimate by N iterations of error reduction on its own CDPs (pure-phase scenes; docs/method.md).",
                               valueName: "N"))
    var refine: Int?
    @Option(help: "Compute threads.") var threads: Int = 2

    func validate() throws {
        if let refine, refine < 1 { throw ValidationError("--refine must be ≥ 1 iterations, got \(refine)") }
        _ = try offset()
        _ = try parseNoise(noise)
    }

    func offset() throws -> Double {
        guard let backgroundOffset else { return 0 }
        do {
            let delta = try SceneModel.parseAngle(backgroundOffset)
            if let problem = SceneModel(backgroundOffset: delta).problems().first { throw OpticsError(problem) }
            return delta
        } catch let error as OpticsError {
            throw ValidationError("--background-offset: \(error.description)")
        }
    }

    func run() throws {
        let sources = try dataSources(data)
        let noiseModel = try parseNoise(noise)
        let delta = try offset()
        Threading.configure(threads: threads)
        let r = try TrainingJob.evaluate(checkpoint: model, testSize: testSize, data: sources, noise: noiseModel, seed: seed,
                                         backgroundOffset: delta, refinement: refine ?? 0) { print($0) }
        let of = sources.isEmpty ? "" : " of " + sources.map(\.description).joined(separator: " + ")
        let noisy = noiseModel == .none ? "" : ", \(noiseModel)"
        let offsets = delta > 0 ? String(format: ", background offsets ±%g rad", delta) : ""
        let refined = refine.map { ", refined by \($0) iterations of er" } ?? ""
        print(String(format: "test (%d images%@%@%@%@): PSNR %.2f dB  SSIM %.4f  (%.1f ms per batch of %d)",
                     r.count, of, noisy, offsets, refined, r.psnr, r.ssim, r.secondsPerBatch * 1000, r.batchSize))
    }
}

struct FineTune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Freeze the mask at its quantized value and fine-tune ψ and θ to it.")

    @Option(help: "Trained checkpoint.") var model: String
    @Option(help: "Phase levels K (default: the checkpoint's).") var levels: Int?
    @Option(help: "SLM phase stroke in units of π (default: the checkpoint's).") var stroke: Double?
    @Option(help: "Fine-tuning epochs.") var epochs: Int = 2
    @Option(help: "Output directory for the fine-tuned checkpoint.") var out: String
    @Flag(help: "Continue the fine-tuning checkpoint in --out.") var resume = false
    @Option(help: perturbHelp) var perturb: String?
    @Option(help: "Compute threads.") var threads: Int = 2

    func validate() throws { _ = try perturb.map(parsePerturbation) }

    func run() throws {
        if let levels, levels < 2 { throw ValidationError("--levels must be at least 2, got \(levels)") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        Threading.configure(threads: threads)
        let o = try FineTuneJob.run(checkpoint: model, levels: levels, stroke: stroke.map { $0 * Double.pi },
                                    epochs: epochs, directory: out, resume: resume,
                                    perturbation: try perturb.map(parsePerturbation)) { print($0) }
        let r = o.result
        print(String(format: """
            test PSNR/SSIM  continuous %.2f dB / %.4f   quantized %.2f dB / %.4f   fine-tuned %.2f dB / %.4f
            fine-tuned checkpoint: %@
            """, r.continuous.psnr, r.continuous.ssim, r.quantized.psnr, r.quantized.ssim,
                     r.fineTuned.psnr, r.fineTuned.ssim, r.checkpoint))
    }
}
