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

/// Spectral-initialization weights `w(y)` (see Optics).
public enum WeightingChoice: String, Codable, Sendable {
    case intensity, truncated
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
    public var weighting: WeightingChoice = .truncated
    /// Fraction of each CDP's largest entries kept by truncated weights (0.4: best of the FashionMNIST
    /// comparison in docs/optics.md).
    public var truncation: Double = 0.4
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
    /// Measurement noise applied during training ("none", "gaussian", "poisson") and its level.
    public var noise: String = "none"
    public var snrDecibels: Double = 30
    public var photons: Double = 1000
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

    public init() {}

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
        try read(.filterSize, &filterSize); try read(.weighting, &weighting); try read(.truncation, &truncation)
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
        try read(.warmupFraction, &warmupFraction); try read(.alpha, &alpha); try read(.beta, &beta)
        try read(.rho, &rho); try read(.useCDPLoss, &useCDPLoss); try read(.useFeatureLoss, &useFeatureLoss)
        try read(.kdNormalization, &kdNormalization)
        try read(.initFromTeacher, &initFromTeacher); try read(.freezeMasks, &freezeMasks)
        try read(.levels, &levels); try read(.stroke, &stroke); try read(.noise, &noise)
        try read(.snrDecibels, &snrDecibels); try read(.photons, &photons); try read(.trainSize, &trainSize)
        try read(.validationSize, &validationSize); try read(.testSize, &testSize); try read(.seed, &seed)
        try read(.dataDirectory, &dataDirectory)
        try read(.dataSources, &dataSources)
        teacherCheckpoint = try c.decodeIfPresent(String.self, forKey: .teacherCheckpoint)
    }

    /// σ = 1 − α − β, the weight of the feature-distillation term.
    public var sigma: Double { 1 - alpha - beta }

    /// The phase constraints R(φ) and the quantizer share.
    public func phaseConstraints() throws -> PhaseConstraints {
        try PhaseConstraints(levels: levels, stroke: stroke)
    }

    /// Problems with this configuration, each one sentence; empty when valid.
    public func problems() -> [String] {
        var p: [String] = []
        // Upper limits keep a corrupt checkpoint or a typo from allocating terabytes or overflowing
        // 2^depth; they are far above any setting the method uses (paper: 96×96, depth 4, c = 64, L = 9).
        if !(1...Self.maximumSnapshots).contains(snapshots) {
            p.append("snapshots must be in 1…\(Self.maximumSnapshots), got \(snapshots)")
        }
        if mode != .teacher && snapshots != 1 { p.append("\(mode.rawValue) mode uses one snapshot, got \(snapshots)") }
        if !(1...Self.maximumDepth).contains(depth) { p.append("U-Net depth must be in 1…\(Self.maximumDepth), got \(depth)") }
        if !(1...Self.maximumChannels).contains(channels) {
            p.append("U-Net channels must be in 1…\(Self.maximumChannels), got \(channels)")
        }
        if size < 1 || size > Self.maximumSize {
            p.append("image size must be in 1…\(Self.maximumSize), got \(size)")
        } else if (1...Self.maximumDepth).contains(depth) && size % (1 << depth) != 0 {
            p.append("image size \(size) is not divisible by 2^depth = \(1 << depth)")
        }
        if size < 11 { p.append("image size \(size) is below 11, the SSIM window") }
        if !(1...Self.maximumIterations).contains(iterations) {
            p.append("spectral-initialization iterations must be in 1…\(Self.maximumIterations), got \(iterations)")
        }
        if filterSize < 1 || filterSize % 2 == 0 || filterSize > size {
            p.append("filter size must be odd, positive and at most the image size, got \(filterSize)")
        }
        if !(truncation > 0 && truncation <= 1) { p.append("truncation fraction must be in (0, 1], got \(truncation)") }
        if epochs < 0 { p.append("epochs must not be negative") }
        if batchSize < 1 { p.append("batch size must be at least 1") }
        if !(learningRate > 0 && learningRate.isFinite) { p.append("learning rate must be positive and finite") }
        if !(warmupFraction >= 0 && warmupFraction < 1) { p.append("warm-up fraction must be in [0, 1), got \(warmupFraction)") }
        if !([alpha, beta, rho].allSatisfy { $0 >= 0 && $0.isFinite }) { p.append("α, β and ρ must be finite and not negative") }
        if mode == .student && alpha + beta > 1 + 1e-12 {
            p.append("α + β = \(alpha + beta) exceeds 1, so σ = 1 − α − β would be negative")
        }
        if mode == .student && teacherCheckpoint == nil { p.append("student mode needs a teacher checkpoint") }
        if !(2...Self.maximumLevels).contains(levels) { p.append("phase levels must be in 2…\(Self.maximumLevels), got \(levels)") }
        if !(stroke > 0 && stroke <= 2 * Double.pi + 1e-9) { p.append("phase stroke must be in (0, 2π], got \(stroke)") }
        if !["none", "gaussian", "poisson"].contains(noise) { p.append("noise must be none, gaussian or poisson, got \(noise)") }
        if trainSize < 1 || validationSize < 1 || testSize < 1 { p.append("dataset subset sizes must be positive") }
        p += sceneModel.problems()
        if let amplitudeProblem { p.append(amplitudeProblem) }
        if !snrDecibels.isFinite || !(photons.isFinite && photons > 0) {
            p.append("noise level must be finite (SNR \(snrDecibels) dB, \(photons) photons per pixel)")
        }
        return p
    }

    /// Largest accepted settings (see `problems()`).
    public static let maximumSnapshots = 256, maximumDepth = 10, maximumChannels = 1024, maximumSize = 4096
    public static let maximumIterations = 100_000, maximumLevels = 65_536
}

/// Named starting points for `TrainingConfig`.
public enum Preset: String, CaseIterable, Sendable {
    /// 32×32, 4096 training images, 5 epochs, batch 32: minutes on 2 cores.
    case quick
    /// 64×64 (an SLM-sized design), 8,192 training images, 6 epochs, batch 32, U-Net depth 3 with 16
    /// channels: about half an hour of training for teacher, student and fine-tuning on 2 cores
    /// (docs/method.md has the numbers behind the choice).
    case standard
    /// The paper's setting: 96×96, 30k/30k/10k, 120 epochs, batch 64, U-Net depth 4 with 64 channels.
    case paper
    /// Seconds: for tests and smoke runs (16×16, a few hundred images, 1 epoch).
    case tiny

    public func config(mode: TrainingMode) -> TrainingConfig {
        var c = TrainingConfig()
        c.mode = mode
        switch self {
        case .quick:
            c.size = 32; c.depth = 3; c.channels = 16; c.epochs = 5; c.batchSize = 32
            c.trainSize = 4096; c.validationSize = 500; c.testSize = 1000
        case .standard:
            c.size = 64; c.depth = 3; c.channels = 16; c.epochs = 6; c.batchSize = 32
            c.trainSize = 8192; c.validationSize = 500; c.testSize = 1000
        case .paper:
            c.size = 96; c.depth = 4; c.channels = 64; c.epochs = 120; c.batchSize = 64
            c.trainSize = 30_000; c.validationSize = 30_000; c.testSize = 10_000
        case .tiny:
            c.size = 16; c.depth = 2; c.channels = 4; c.epochs = 1; c.batchSize = 16; c.iterations = 5
            c.trainSize = 128; c.validationSize = 32; c.testSize = 32
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

    /// Fills in the student's α and β unless given explicitly.
    public mutating func applyStudentDefaults(alpha: Double?, beta: Double?) {
        self.alpha = alpha ?? Self.defaultStudentAlpha
        self.beta = beta ?? Self.defaultStudentBeta
    }
}

extension TrainingConfig {
    /// Stores a noise model in the configuration's fields (`noise`, `snrDecibels`, `photons`).
    public mutating func setNoise(_ model: NoiseModel) {
        switch model {
        case .none: noise = "none"
        case .gaussian(let snr): noise = "gaussian"; snrDecibels = snr
        case .poisson(let n): noise = "poisson"; photons = n
        }
    }
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
