import Autodiff
import Foundation
import NeuralNetwork
import Optics
import TensorCore

/// A phase-retrieval system (φ, ψ, θ): coded masks, the spectral-initialization filter and the U-Net.
///
/// Forward: scene image I `[B, 1, N, N]` → complex object x of the configuration's `SceneModel`
/// (default: the pure-phase field exp(jπI)) → CDPs y = M_φ(x) `[B, L, N', N']` (+ noise) → filtered
/// spectral initialization z = G_ψ-power-iteration(y) `[B, N, N]` complex → U-Net on [Re z, Im z] →
/// estimate of I `[B, 1, N, N]` (the normalized phase image, whatever the phase range).
///
/// Parameters, in this fixed order: `phi` (masks `[L, N, N]`, radians), `psi` (filter `[k, k]`),
/// then the U-Net's parameters (`unet.…`).
public final class PhaseRetrievalSystem: ParameterCollection {
    public let config: TrainingConfig
    public let masks: Parameter
    public let filter: Parameter
    public let unet: UNet
    public let sensing: SensingModel
    public let initialization: SpectralInitialization

    /// Builds a system with seeded random masks (uniform in [0, 2π)), a Gaussian filter (σ = 1) and a
    /// seeded U-Net. `snapshots` overrides `config.snapshots` (the teacher inside a student run).
    public init(config: TrainingConfig, snapshots: Int? = nil) throws {
        try config.checkSettings()
        self.config = config
        let l = snapshots ?? config.snapshots
        var rng = SeededGenerator(seed: config.seed)
        var maskStream = rng.split(), netStream = rng.split()
        masks = Parameter("phi", CodedMasks.random(snapshots: l, height: config.size, width: config.size,
                                                   generator: &maskStream))
        filter = Parameter("psi", SpectralInitialization.gaussianKernel(size: config.filterSize, sigma: 1))
        try UNet.validate(height: config.size, width: config.size, depth: config.depth)
        unet = UNet(inputChannels: 2, outputChannels: 1, baseChannels: config.channels,
                    depth: config.depth, name: "unet", generator: &netStream)
        sensing = config.sensing
        initialization = try SpectralInitialization(iterations: config.iterations, weighting: config.weighting,
                                                    oversampling: sensing.oversampling, globalPhase: config.globalPhase,
                                                    propagation: sensing.propagation)
        if config.mode == .random {
            masks.isFrozen = true
            filter.isFrozen = true
        }
        if config.freezeMasks { masks.isFrozen = true }
    }

    public var snapshots: Int { masks.shape[0] }
    public var parameters: [Parameter] { [masks, filter] + unet.parameters }

    /// Everything one forward pass produces.
    public struct Output {
        /// CDPs `[B, L, fN, fN]` as measured (after noise).
        public let measurements: Variable
        /// Spectral initialization `[B, N, N]` complex.
        public let initialization: ComplexVariable
        /// Estimate of the scene image `[B, 1, N, N]`.
        public let estimate: Variable
        /// U-Net bottleneck features `[B, c·2^d, N/2^d, N/2^d]`.
        public let bottleneck: Variable
    }

    /// One forward pass on `images` `[B, 1, N, N]` (intensities in [0, 1]; `[B, 2, N, N]` with an
    /// amplitude channel) with this system's scene model, without background offsets. `training` selects batch statistics in batch norm; noise draws
    /// come from `generator`.
    public func forward(_ images: Tensor, tape: Tape, training: Bool, noise: NoiseModel = .none,
                        generator: inout SeededGenerator) throws -> Output {
        try forward(scene: try scene(images), tape: tape, training: training, noise: noise, generator: &generator)
    }

    /// The complex scenes `[B, N, N]` of `images` under the configuration's scene model (`model` replaces
    /// it), without background offsets. `images` is `[B, 1, N, N]` (I; A = I) or `[B, 2, N, N]` (I and the
    /// amplitude image A, `SceneChannels`).
    public func scene(_ images: Tensor, model: SceneModel? = nil) throws -> ComplexField {
        var unused = SeededGenerator(seed: 0)
        return try scene(images, model: model, offsets: false, generator: &unused)
    }

    /// As `scene(_:model:)`; with `offsets` and Δ > 0 one background offset per image is drawn from
    /// `generator` first (training, or evaluation that asks for offsets). Otherwise nothing is drawn.
    public func scene(_ images: Tensor, model: SceneModel? = nil, offsets: Bool,
                      generator: inout SeededGenerator) throws -> ComplexField {
        let m = model ?? config.sceneModel
        let deltas = offsets ? m.drawOffsets(count: images.shape[0], generator: &generator) : []
        return try m.field(SceneChannels.phase(images), amplitude: SceneChannels.amplitude(images), offsets: deltas)
    }

    /// One forward pass on complex scenes `[B, N, N]` (from `scene(_:)`); noise draws from `generator`.
    /// In `training` with a configured `perturbation`, one realization of it is drawn from `generator`
    /// (before the noise) and applied to the masks that measure (`MaskError`, on the tape); the
    /// recovery keeps the nominal φ, as a deployed system knows only its design.
    public func forward(scene x: ComplexField, tape: Tape, training: Bool, noise: NoiseModel = .none,
                        generator: inout SeededGenerator) throws -> Output {
        let scene = tape.constant(x)
        let phi = tape.variable(masks)
        var y = sensing.measure(scene, masks: try measuringMasks(phi, training: training, generator: &generator))
        if noise != .none { y = noise.apply(y, generator: &generator) }
        return try recover(y, masks: phi, training: training)
    }

    /// The masks that measure: φ itself, or in `training` with a configured `perturbation` one
    /// realization of it drawn from `generator` and applied on the tape (`forward`; a data-parallel step
    /// draws it on every rank alike).
    func measuringMasks(_ phi: Variable, training: Bool, generator: inout SeededGenerator) throws -> Variable {
        guard training, let perturbation = config.perturbation else { return phi }
        let layers = perturbation.kind.needsLayers ? try BinaryLayers(nearestLevelsOf: masks.value, levels: config.levels) : nil
        let error = perturbation.draw(layerCount: layers?.count ?? 0, generator: &generator)
        return try error.applied(to: phi, layers: layers)
    }

    /// Recovery from measured CDPs `y` `[B, L, fN, fN]`: filtered spectral initialization with the masks
    /// `masks` (normally this system's φ on the same tape), then the U-Net.
    public func recover(_ y: Variable, masks phi: Variable, training: Bool) throws -> Output {
        let z = initialization.estimate(measurements: y, masks: phi, kernel: y.tape.variable(filter))
        let (estimate, bottleneck) = try unet.forward(packChannels(z), training: training)
        return Output(measurements: y, initialization: z, estimate: estimate, bottleneck: bottleneck)
    }
}

extension PhaseRetrievalSystem {
    /// Copies every parameter and batch-norm statistic from `other` (same architecture).
    public func copyState(from other: PhaseRetrievalSystem) {
        masks.value.assign(other.masks.value)
        filter.value.assign(other.filter.value)
        copyNetwork(from: other)
    }

    /// Runs `body` with the masks φ set to `phi` (same shape), then puts the system's own masks back.
    public func withMasks<T>(_ phi: Tensor, _ body: () throws -> T) rethrows -> T {
        let own = masks.value.copy()
        masks.value.assign(phi)
        defer { masks.value.assign(own) }
        return try body()
    }

    /// Copies the U-Net's parameters and batch-norm statistics from `other` (same architecture).
    public func copyNetwork(from other: PhaseRetrievalSystem) {
        for (mine, theirs) in zip(unet.parameters, other.unet.parameters) { mine.value.assign(theirs.value) }
        for (mine, theirs) in zip(unet.buffers, other.unet.buffers) { mine.tensor.assign(theirs.tensor) }
    }
}

/// Problems a training run reports to the user.
public enum TrainingError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case checkpoint(path: String, problem: String)
    case output(path: String, problem: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid configuration: \(why)"
        case .checkpoint(let path, let problem): return "\(path): \(problem)"
        case .output(let path, let problem): return "\(path): \(problem)"
        }
    }
}
