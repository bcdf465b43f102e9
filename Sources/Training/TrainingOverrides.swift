import NeuralNetwork
import Optics

/// Settings laid over a preset: every field that is not nil replaces the configuration's. `train`,
/// `design` and `experiment` parse their options into one of these and build every configuration they
/// train with `config(preset:mode:)`, which ends in `apply(to:)`, the one place settings are overlaid.
public struct TrainingOverrides: Equatable, Sendable {
    /// Snapshots L (a teacher's; the other modes need 1).
    public var snapshots: Int?
    /// Image side N, U-Net depth d and base channels c.
    public var size: Int?
    public var depth: Int?
    public var channels: Int?
    /// Spectral initialization: power iterations T, weights w(y), global-phase convention.
    public var iterations: Int?
    public var weighting: SpectralInitialization.Weighting?
    public var globalPhase: SpectralInitialization.GlobalPhase?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var schedule: LearningRateSchedule?
    public var warmupFraction: Double?
    public var decayFraction: Double?
    /// Loss weights α (task), β (CDP distillation), ρ (mask regularizer).
    public var alpha: Double?
    public var beta: Double?
    public var rho: Double?
    /// Phase levels K and SLM stroke in radians.
    public var levels: Int?
    public var stroke: Double?
    public var noise: NoiseModel?
    public var trainSize: Int?
    public var validationSize: Int?
    public var testSize: Int?
    public var seed: UInt64?
    /// Scene sources; nil or empty keeps the configuration's (`TrainingConfig.setDataSources`).
    public var dataSources: [DataSource]?
    public var sceneModel: SceneModel?
    /// Student settings: the teacher, its warm start, the KD switches and their scaling.
    public var teacherCheckpoint: String?
    public var initFromTeacher: Bool?
    public var useCDPLoss: Bool?
    public var useFeatureLoss: Bool?
    public var kdNormalization: KDNormalization?
    /// The sensing geometry (propagation and zero padding).
    public var sensing: SensingModel?
    /// The training-time mask perturbation (`TrainingConfig.perturbation`).
    public var perturbation: MaskPerturbation?

    public init() {}

    /// `config` with every setting given here replacing its own.
    public func apply(to c: inout TrainingConfig) {
        func set<T>(_ value: T?, _ field: WritableKeyPath<TrainingConfig, T>) {
            if let value { c[keyPath: field] = value }
        }
        set(snapshots, \.snapshots); set(size, \.size); set(depth, \.depth); set(channels, \.channels)
        set(iterations, \.iterations); set(weighting, \.weighting); set(globalPhase, \.globalPhase)
        set(epochs, \.epochs); set(batchSize, \.batchSize); set(learningRate, \.learningRate)
        set(schedule, \.schedule); set(warmupFraction, \.warmupFraction)
        set(decayFraction, \.decayFraction)
        set(alpha, \.alpha); set(beta, \.beta); set(rho, \.rho); set(levels, \.levels); set(stroke, \.stroke)
        set(noise, \.noise)
        set(trainSize, \.trainSize); set(validationSize, \.validationSize); set(testSize, \.testSize); set(seed, \.seed)
        if let dataSources, !dataSources.isEmpty { c.setDataSources(dataSources) }
        set(sceneModel, \.sceneModel)
        if let teacherCheckpoint { c.teacherCheckpoint = teacherCheckpoint }
        set(initFromTeacher, \.initFromTeacher); set(useCDPLoss, \.useCDPLoss); set(useFeatureLoss, \.useFeatureLoss)
        set(kdNormalization, \.kdNormalization)
        set(sensing, \.sensing)
        if let perturbation { c.perturbation = perturbation }
    }

    /// The preset's configuration for `mode` with these settings applied. A student starts from the
    /// default distillation weights (`TrainingConfig.defaultStudentAlpha`, `defaultStudentBeta`), which
    /// `alpha` and `beta` replace when given.
    public func config(preset: Preset, mode: TrainingMode) -> TrainingConfig {
        var c = preset.config(mode: mode)
        if mode == .student {
            c.alpha = TrainingConfig.defaultStudentAlpha
            c.beta = TrainingConfig.defaultStudentBeta
        }
        apply(to: &c)
        return c
    }
}
