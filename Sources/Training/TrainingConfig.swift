import Foundation
import NeuralNetwork
import Optics

/// Which system is trained and with which objective (see docs/method.md).
public enum TrainingMode: String, Codable, CaseIterable, Sendable {
    /// L_t snapshots, every parameter trainable, loss `L_task + ρ·R(φ)` (eq. 4 with α = 1).
    case teacher
    /// One snapshot, every parameter trainable, same loss: the E2E baseline.
    case e2e
    /// One snapshot with φ and ψ frozen at their seeded random / Gaussian initial values.
    case random
    /// One snapshot distilled from a frozen teacher: `α·L_task + ρ·R(φ) + β·L_cdp + (1−α−β)·L_feat` (eq. 7).
    case student
}

/// How the distillation terms are scaled (student only, see `Objective`).
public enum KDNormalization: String, Codable, CaseIterable, Sendable {
    /// Plain per-element mean squared errors (eq. 5 and 6 per element): 0.1–0.2's behaviour.
    case none
    /// Each term divided by its teacher target's mean energy, `mean(t²)`: relative squared errors, so
    /// the CDP term (whose values reach N² at the zero frequency) cannot swamp the task loss.
    case energy
}

/// Every setting of a training run. Stored as JSON inside each checkpoint, so a run can be resumed or
/// audited from its checkpoint alone.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var mode: TrainingMode = .teacher
    /// Snapshots L of the system being trained (teacher: L_t; the other modes use 1).
    public var snapshots: Int = 9
    /// Image side N in pixels (scenes are N×N); must be divisible by 2^depth.
    public var size: Int = 32
    /// U-Net depth d and base channels c.
    public var depth: Int = 3
    public var channels: Int = 16
    /// Power iterations T of the filtered spectral initialization and the filter size k.
    public var iterations: Int = 25
    public var filterSize: Int = 5
    /// Spectral-initialization weights w(y) and, for truncated weights, the fraction of each CDP's
    /// largest entries kept (JSON keys `weighting` and `truncation`, see `CodingKeys`).
    public var weighting: SpectralInitialization.Weighting = .truncated(fraction: TrainingConfig.defaultTruncation)
    /// Global phase of the initialization handed to the U-Net (start z₀ and alignment). Checkpoints
    /// written before this setting existed decode as `randomStart`, the behaviour they were trained with.
    public var globalPhase: SpectralInitialization.GlobalPhase = SpectralInitialization.defaultGlobalPhase
    /// How the scene images I become complex objects: phase range, background-phase offsets, amplitude
    /// (`SceneModel`; default: `x = exp(jπI)`). The network's target is always I.
    public var sceneModel: SceneModel = .standard { didSet { phaseScale = sceneModel.phaseSpan } }
    /// Radians per unit of I, `φmax − φmin` of `sceneModel`, kept in step with it (the only scene setting
    /// before 0.2; still written to the JSON for readers that know no other).
    public private(set) var phaseScale: Double = Double.pi
    public var epochs: Int = 5
    public var batchSize: Int = 64
    public var learningRate: Double = 5e-4
    /// Learning-rate schedule over the run's steps and its warm-up share (see `LearningRateSchedule`).
    public var schedule: LearningRateSchedule = .constant
    public var warmupFraction: Double = 0.05
    /// Share of the run's last steps over which the `decay` schedule anneals the rate to zero.
    public var decayFraction: Double = 0.2
    /// Loss weights: α (task), β (CDP distillation), ρ (mask regularizer); σ = 1 − α − β (features).
    public var alpha: Double = 1
    public var beta: Double = 0
    public var rho: Double = 0
    /// KD ablation switches (student only).
    public var useCDPLoss: Bool = true
    public var useFeatureLoss: Bool = true
    /// Scaling of L_cdp and L_feat; checkpoints without the key were trained with `.none`.
    public var kdNormalization: KDNormalization = .none
    /// Student starts from the teacher's ψ, θ and first mask instead of random values.
    public var initFromTeacher: Bool = false
    /// Keep the masks φ fixed (fine-tuning ψ and θ to a quantized mask).
    public var freezeMasks: Bool = false
    /// Quantization levels K and SLM phase stroke (radians) shared by R(φ) and the quantizer.
    public var levels: Int = 8
    public var stroke: Double = 2 * Double.pi
    /// Measurement noise applied during training (JSON keys `noise`, `snrDecibels` and `photons`; a
    /// camera also `readNoise`, `fullWell` and `adcBits`, absent for the other models).
    public var noise: NoiseModel = .none
    public var trainSize: Int = 4096
    public var validationSize: Int = 500
    public var testSize: Int = 1000
    public var seed: UInt64 = 0
    /// Directory holding the FashionMNIST IDX files.
    public var dataDirectory: String = "/usr/share/datasets/fashion-mnist"
    /// Scene sources (`--data`, see `DataSource`); empty means FashionMNIST from `dataDirectory`.
    public var dataSources: [DataSource] = []
    /// Teacher checkpoint path (student mode).
    public var teacherCheckpoint: String? = nil
    /// The sensing geometry: far field without padding (every checkpoint before 0.4), or a near-field
    /// propagation with its zero padding (JSON key `propagation`, written only for the near field; see
    /// `encodePropagation`).
    public var sensing: SensingModel = .farField
    /// A fabrication or display error drawn anew at every training step and applied to the masks that
    /// make the measurements (the recovery keeps the nominal φ), so the design becomes robust to it
    /// (`--perturb KIND:AMPLITUDE`, `PhaseRetrievalSystem.forward`). Checkpoints without the key: none.
    public var perturbation: MaskPerturbation? = nil

    public init() {}

    /// The fraction kept by the default truncated weights (0.4: best of the FashionMNIST comparison in
    /// docs/optics.md); also the `truncation` written beside intensity weights, which ignore it.
    public static let defaultTruncation = 0.4

    /// The JSON keys, unchanged since 0.1 (keys added later decode, when absent, to the old behaviour).
    /// The noise model is written as `noise` ("none", "gaussian", "poisson", "camera") with its level in
    /// `snrDecibels` or `photons` (a camera's photons there too, its read noise in `readNoise`, and its
    /// full well and ADC bits, when set, in `fullWell` and `adcBits`), and the weighting as `weighting` ("truncated", "intensity") with its
    /// fraction in `truncation`; the key a model does not use keeps its default value.
    enum CodingKeys: String, CodingKey {
        case mode, snapshots, size, depth, channels, iterations, filterSize, weighting, truncation, globalPhase
        case sceneModel, phaseScale, epochs, batchSize, learningRate, schedule, warmupFraction, decayFraction, alpha, beta, rho
        case useCDPLoss, useFeatureLoss, kdNormalization, initFromTeacher, freezeMasks, levels, stroke
        case noise, snrDecibels, photons, readNoise, fullWell, adcBits, trainSize, validationSize, testSize, seed, dataDirectory, dataSources
        case teacherCheckpoint, propagation, perturbation
    }

    /// Decoding tolerates files written before a field existed: missing keys keep their defaults. A file
    /// with only `phaseScale` s (before `sceneModel`) means the pure-phase range 0:s; a file with both
    /// must agree on φmax − φmin.
    public init(from decoder: Decoder) throws {
        self.init()
        globalPhase = .randomStart
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.mode, &mode); try read(.snapshots, &snapshots); try read(.size, &size)
        try read(.depth, &depth); try read(.channels, &channels); try read(.iterations, &iterations)
        try read(.filterSize, &filterSize)
        weighting = try Self.decodeWeighting(c)
        try read(.globalPhase, &globalPhase)
        let scale = try c.decodeIfPresent(Double.self, forKey: .phaseScale)
        if let model = try c.decodeIfPresent(SceneModel.self, forKey: .sceneModel) {
            sceneModel = model
            if let scale, scale != model.phaseSpan {
                throw DecodingError.dataCorruptedError(forKey: .phaseScale, in: c, debugDescription:
                    "phaseScale \(scale) disagrees with the width \(model.phaseSpan) of sceneModel's phase range")
            }
        } else if let scale {
            sceneModel = .phaseScale(scale)
        }
        phaseScale = sceneModel.phaseSpan
        try read(.epochs, &epochs); try read(.batchSize, &batchSize)
        try read(.learningRate, &learningRate); try read(.schedule, &schedule)
        try read(.warmupFraction, &warmupFraction); try read(.decayFraction, &decayFraction); try read(.alpha, &alpha); try read(.beta, &beta)
        try read(.rho, &rho); try read(.useCDPLoss, &useCDPLoss); try read(.useFeatureLoss, &useFeatureLoss)
        try read(.kdNormalization, &kdNormalization)
        try read(.initFromTeacher, &initFromTeacher); try read(.freezeMasks, &freezeMasks)
        try read(.levels, &levels); try read(.stroke, &stroke)
        noise = try Self.decodeNoise(c)
        try read(.trainSize, &trainSize)
        try read(.validationSize, &validationSize); try read(.testSize, &testSize); try read(.seed, &seed)
        try read(.dataDirectory, &dataDirectory)
        try read(.dataSources, &dataSources)
        teacherCheckpoint = try c.decodeIfPresent(String.self, forKey: .teacherCheckpoint)
        sensing = try Self.decodePropagation(c)
        perturbation = try c.decodeIfPresent(MaskPerturbation.self, forKey: .perturbation)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode); try c.encode(snapshots, forKey: .snapshots); try c.encode(size, forKey: .size)
        try c.encode(depth, forKey: .depth); try c.encode(channels, forKey: .channels)
        try c.encode(iterations, forKey: .iterations); try c.encode(filterSize, forKey: .filterSize)
        switch weighting {
        case .intensity: try c.encode("intensity", forKey: .weighting); try c.encode(Self.defaultTruncation, forKey: .truncation)
        case .truncated(let f): try c.encode("truncated", forKey: .weighting); try c.encode(f, forKey: .truncation)
        }
        try c.encode(globalPhase, forKey: .globalPhase); try c.encode(sceneModel, forKey: .sceneModel)
        try c.encode(phaseScale, forKey: .phaseScale); try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize); try c.encode(learningRate, forKey: .learningRate)
        try c.encode(schedule, forKey: .schedule); try c.encode(warmupFraction, forKey: .warmupFraction)
        try c.encode(decayFraction, forKey: .decayFraction)
        try c.encode(alpha, forKey: .alpha); try c.encode(beta, forKey: .beta); try c.encode(rho, forKey: .rho)
        try c.encode(useCDPLoss, forKey: .useCDPLoss); try c.encode(useFeatureLoss, forKey: .useFeatureLoss)
        try c.encode(kdNormalization, forKey: .kdNormalization); try c.encode(initFromTeacher, forKey: .initFromTeacher)
        try c.encode(freezeMasks, forKey: .freezeMasks); try c.encode(levels, forKey: .levels)
        try c.encode(stroke, forKey: .stroke)
        var (name, snr, photons) = ("none", Self.defaultSNRDecibels, Self.defaultPhotons)
        switch noise {
        case .none: break
        case .gaussian(let s): (name, snr) = ("gaussian", s)
        case .poisson(let n): (name, photons) = ("poisson", n)
        case .camera(let sensor): (name, photons) = ("camera", sensor.photonsPerPixel)
        }
        try c.encode(name, forKey: .noise); try c.encode(snr, forKey: .snrDecibels); try c.encode(photons, forKey: .photons)
        if case .camera(let sensor) = noise {
            try c.encode(sensor.readNoise, forKey: .readNoise)
            try c.encodeIfPresent(sensor.fullWell, forKey: .fullWell); try c.encodeIfPresent(sensor.bits, forKey: .adcBits)
        }
        try c.encode(trainSize, forKey: .trainSize); try c.encode(validationSize, forKey: .validationSize)
        try c.encode(testSize, forKey: .testSize); try c.encode(seed, forKey: .seed)
        try c.encode(dataDirectory, forKey: .dataDirectory); try c.encode(dataSources, forKey: .dataSources)
        try c.encodeIfPresent(teacherCheckpoint, forKey: .teacherCheckpoint)
        try encodePropagation(&c)
        try c.encodeIfPresent(perturbation, forKey: .perturbation)
    }

    /// The levels written beside a noise model that does not use them (the defaults of the fields
    /// `snrDecibels` and `photons` before the configuration stored a `NoiseModel`).
    static let defaultSNRDecibels = 30.0, defaultPhotons = 1000.0

    /// `weighting` and `truncation`; either may be absent (the default's value).
    private static func decodeWeighting(_ c: KeyedDecodingContainer<CodingKeys>) throws -> SpectralInitialization.Weighting {
        let name = try c.decodeIfPresent(String.self, forKey: .weighting) ?? "truncated"
        let fraction = try c.decodeIfPresent(Double.self, forKey: .truncation) ?? defaultTruncation
        switch name {
        case "truncated": return .truncated(fraction: fraction)
        case "intensity": return .intensity
        default:
            throw DecodingError.dataCorruptedError(forKey: .weighting, in: c,
                                                   debugDescription: "weighting must be truncated or intensity, got '\(name)'")
        }
    }

    /// `noise` with its level from `snrDecibels` or `photons` (and a camera's `readNoise`, `fullWell`,
    /// `adcBits`); any of them may be absent (the default's value; no read noise, full well or ADC).
    private static func decodeNoise(_ c: KeyedDecodingContainer<CodingKeys>) throws -> NoiseModel {
        let name = try c.decodeIfPresent(String.self, forKey: .noise) ?? "none"
        let snr = try c.decodeIfPresent(Double.self, forKey: .snrDecibels) ?? defaultSNRDecibels
        let photons = try c.decodeIfPresent(Double.self, forKey: .photons) ?? defaultPhotons
        switch name {
        case "none": return .none
        case "gaussian": return .gaussian(snrDB: snr)
        case "poisson": return .poisson(photonsPerPixel: photons)
        case "camera":
            return .camera(CameraNoise(photonsPerPixel: photons,
                                       readNoise: try c.decodeIfPresent(Double.self, forKey: .readNoise) ?? 0,
                                       fullWell: try c.decodeIfPresent(Double.self, forKey: .fullWell),
                                       bits: try c.decodeIfPresent(Int.self, forKey: .adcBits)))
        default:
            throw DecodingError.dataCorruptedError(forKey: .noise, in: c,
                                                   debugDescription: "noise must be none, gaussian, poisson or camera, got '\(name)'")
        }
    }

    /// σ = 1 − α − β, the weight of the feature-distillation term.
    public var sigma: Double { 1 - alpha - beta }

    /// The phase constraints R(φ) and the quantizer share.
    public func phaseConstraints() throws -> PhaseConstraints {
        try PhaseConstraints(levels: levels, stroke: stroke)
    }
}

/// Named starting points for `TrainingConfig`.
public enum Preset: String, CaseIterable, Sendable {
    /// 32×32, 4096 training images, 5 epochs, batch 32: minutes on 2 cores.
    case quick
    /// 64×64 (an SLM-sized design), 16,384 training images, 6 epochs, batch 32, U-Net depth 3 with 16
    /// channels: about an hour of training for teacher, student and fine-tuning on 2 cores
    /// (docs/method.md has the numbers behind the choice).
    case standard
    /// The paper's setting: 96×96, 30k/30k/10k, 120 epochs, batch 64, U-Net depth 4 with 64 channels.
    case paper
    /// Seconds: for tests and smoke runs (16×16, a few hundred images, 1 epoch).
    case tiny

    /// Adam's peak rate in the `quick` and `standard` presets (the paper preset keeps 5·10⁻⁴).
    public static let shortRunLearningRate = 2e-3

    public func config(mode: TrainingMode) -> TrainingConfig {
        var c = TrainingConfig()
        c.mode = mode
        switch self {
        case .quick:
            c.size = 32; c.depth = 3; c.channels = 16; c.epochs = 5; c.batchSize = 32
            c.trainSize = 4096; c.validationSize = 500; c.testSize = 1000
        case .standard:
            c.size = 64; c.depth = 3; c.channels = 16; c.epochs = 6; c.batchSize = 32
            c.trainSize = 16_384; c.validationSize = 500; c.testSize = 1000
        case .paper:
            c.size = 96; c.depth = 4; c.channels = 64; c.epochs = 120; c.batchSize = 64
            c.trainSize = 30_000; c.validationSize = 30_000; c.testSize = 10_000
        case .tiny:
            c.size = 16; c.depth = 2; c.channels = 4; c.epochs = 1; c.batchSize = 16; c.iterations = 5
            c.trainSize = 128; c.validationSize = 32; c.testSize = 32
        }
        if self == .quick || self == .standard {
            // Measured at the quick preset (docs/method.md, "Learning rate"): these short runs are far
            // from converged, so they want a 4× larger step held to the last fifth, then annealed.
            c.learningRate = Self.shortRunLearningRate; c.schedule = .decay; c.decayFraction = 0.2
        }
        c.snapshots = mode == .teacher ? 9 : 1
        return c
    }
}

extension TrainingConfig {
    /// Default distillation weights when the user gives none: α and β for the student objective
    /// (docs/method.md records the measurements behind them).
    public static let defaultStudentAlpha = 0.9
    public static let defaultStudentBeta = 0.1
    /// Whether `phasemask design` starts the student from the teacher (`--init-from-teacher`).
    public static let defaultStudentWarmStart = true

}

extension TrainingConfig {
    /// Whether a checkpoint written with `self` can be continued (or reused) as `other`: every setting
    /// that shapes the trained parameters must agree. The epoch budget may differ, and the phase levels
    /// and stroke only matter when the regularizer or frozen quantized masks use them.
    public func trainsLike(_ other: TrainingConfig) -> Bool {
        var a = self, b = other
        a.epochs = 0; b.epochs = 0
        if a.rho == 0 && b.rho == 0 && !a.freezeMasks && !b.freezeMasks {
            a.levels = 0; b.levels = 0
            a.stroke = 0; b.stroke = 0
        }
        return a == b
    }
}
