import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// What a reconstruction from measured CDPs needs besides the CDPs: the masks they were taken with,
/// the grid (scene size and oversampling), the scene model that maps a phase to I, and, when a
/// trained system is given, that system.
public struct MeasurementSetup {
    /// φ `[L, H, W]`, radians.
    public let masks: Tensor
    /// The sensing geometry of the CDPs (propagation and zero padding f: grid H' × W' = f·H × f·W).
    public let sensing: SensingModel
    /// Zero-padding factor f of the CDPs.
    public var oversampling: Int { sensing.oversampling }
    /// The checkpoint's scene model when a system is given, else the design's (the standard one for a dataset).
    public let sceneModel: SceneModel
    /// Where the masks came from (a design file, a dataset, or a checkpoint), for notes and attributes.
    public let maskSource: String
    /// The trained system of `--model`, or nil.
    public let system: PhaseRetrievalSystem?
    /// The checkpoint it was loaded from.
    public let model: String?

    /// From `--mask` (an exported design file, or `FILE.h5:/DATASET` as `simulate` reads it) and/or
    /// `--model` (a checkpoint or recovery file). With both, the masks, grid and scene model are the
    /// design's, the system and its scene model the checkpoint's (the model its U-Net estimates I
    /// under); with a design the grid and propagation are its `/sensing` (`StoredDesign.sensing`), with
    /// a checkpoint alone its configuration's. `sensing` (the propagation options) applies to a mask
    /// dataset and must otherwise agree with what the design or checkpoint recorded
    /// (`SensingChoice.resolve`).
    public static func load(mask: String?, model: String?, sensing explicit: SensingModel? = nil,
                            log: (String) -> Void = { _ in }) throws -> MeasurementSetup {
        let system = try model.map { try Checkpoint.load($0).system }
        guard let mask else {
            guard let system, let model else { throw FabricationError("reconstruct", "give --mask DESIGN.h5 or --model CHECKPOINT") }
            let sensing = try SensingChoice.resolve(explicit, recorded: system.sensing, by: model)
            return MeasurementSetup(masks: system.masks.value, sensing: sensing, sceneModel: system.config.sceneModel,
                                    maskSource: model, system: system, model: model)
        }
        if let spec = ComplexFieldDataset(spec: mask) {
            let (phases, notes) = try MaskDataset(path: spec.path, dataset: spec.dataset).load()
            notes.forEach(log)
            let sensing = explicit ?? system?.sensing ?? .farField
            if let problem = sensing.samplingProblems(height: phases.shape[1], width: phases.shape[2]).first {
                throw FabricationError("--propagation", problem)
            }
            return MeasurementSetup(masks: phases, sensing: sensing, sceneModel: system?.config.sceneModel ?? .standard,
                                    maskSource: mask, system: system, model: model)
        }
        let design = try DesignFile.read(path: mask)
        return MeasurementSetup(masks: design.quantized.phases, sensing: try SensingChoice.resolve(explicit, recorded: design.sensing, by: mask),
                                sceneModel: try system?.config.sceneModel
                                    ?? ExportJob.sceneModel(ofDesignConfiguration: design.metadata.configurationJSON, path: mask),
                                maskSource: mask, system: system, model: model)
    }

    public var snapshots: Int { masks.shape[0] }
    public var height: Int { masks.shape[1] }
    public var width: Int { masks.shape[2] }

    /// The spectral initialization and filter ψ the classical methods start from: the system's (its
    /// T, weights, global phase and learned ψ) when there is one, else the defaults (T = 25, truncated
    /// 0.4, aligned, Gaussian ψ 5×5 with σ = 1); at this setup's oversampling and propagation.
    public func spectralInitialization() throws -> (SpectralInitialization, Tensor) {
        let base = try system?.initialization ?? (try SpectralInitialization())
        let kernel = system?.filter.value ?? SpectralInitialization.gaussianKernel()
        return (try SpectralInitialization(iterations: base.iterations, weighting: base.weighting, oversampling: oversampling,
                                           globalPhase: base.globalPhase, startSeed: base.startSeed,
                                           propagation: sensing.propagation), kernel)
    }
}

/// The image a reconstruction is scored against (`reconstruct --scene`, or the scene a CDP file holds).
enum ReconstructionReference {
    /// I `[B, 1, H, W]` from `spec`: an HDF5 file `simulate` wrote (`/scene_intensity`, else the
    /// normalized phase of `/scene` under `model`), `FILE.h5:/DATASET` (a complex field, the same rule),
    /// an image file or `fashion-mnist:SPLIT:INDEX` (I as `simulate` makes it: resized to H × W).
    static func load(_ spec: String, height: Int, width: Int, model: SceneModel) throws -> Tensor {
        let ext = URL(fileURLWithPath: spec).pathExtension.lowercased()
        if ["h5", "hdf5"].contains(ext) {
            let file = try HDF5File.open(path: spec)
            defer { try? file.close() }
            guard let stored = try fromCDPFile(file, model: model) else {
                throw FabricationError(spec, "holds neither /scene_intensity nor /scene (a file `phasemask simulate` wrote)")
            }
            return stored
        }
        switch try SceneSource(parsing: spec).load(height: height, width: width) {
        case .intensity(let image): return image
        case .field(let x): return model.normalizedPhase(of: x)
        }
    }

    /// `/scene_intensity`, else the normalized phase of `/scene`, of a CDP file; nil when it has neither.
    static func fromCDPFile(_ file: HDF5File, model: SceneModel) throws -> Tensor? {
        if file.exists("/scene_intensity") { return try file.readTensor("/scene_intensity", requireFinite: true) }
        if file.exists("/scene") {
            return model.normalizedPhase(of: ComplexField(storage: try file.readTensor("/scene", requireFinite: true)))
        }
        return nil
    }
}
