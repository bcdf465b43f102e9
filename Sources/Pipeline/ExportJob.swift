import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// Everything `phasemask export` can be asked for, as plain values.
public struct ExportOptions: Sendable {
    /// Training checkpoint whose φ is exported, or an HDF5 dataset `FILE.h5:/DATASET` holding φ
    /// (`[L, H, W]` or `[H, W]`, in the units of its `units` attribute; see `MaskDataset`).
    public var model: String?
    public var mask: String?
    public var levels: Int?
    /// Radians.
    public var stroke: Double?
    /// Measured level phases in radians (non-uniform devices).
    public var levelPhases: [Double]?
    /// Built-in profile name or JSON profile path.
    public var slm: String = "pluto-2"
    public var superpixel: Int?
    public var lut: String?
    /// A carrier added to every frame, `blaze:PX,PY` or `lens:FOCAL_M` (`Carrier`).
    public var carrier: String?
    /// Flatness corrections added to every frame, `[KIND:]PATH[,2pi=G][,wavelength=M]` each (`CorrectionFile`).
    public var corrections: [String] = []
    /// Operating wavelength of the SLM in metres when it differs from the profile's (`PhaseResponse`),
    /// and what to do when the stroke there falls below 2π (`truncate`, `compress`).
    public var operatingWavelength: Double?
    public var strokePolicy: PhaseResponse.Policy = .truncate
    /// Lithography: metres, refractive index, metres.
    public var wavelength: Double?
    public var refractiveIndex: Double?
    public var pitch: Double?
    public var conjugate = false
    public var scenes = 4
    /// Zero padding of the far field's verification CDPs (default: the checkpoint's, else 1).
    public var oversampling: Int?
    /// The propagation options (`--propagation` … `--pad`): a checkpoint's geometry must equal them
    /// (`SensingChoice`); a mask dataset is measured with them (default: the far field).
    public var sensing: SensingModel?
    /// Scene model of the verification scenes (nil: the checkpoint's, else the standard exp(jπI)),
    /// recorded in the design's configuration; the verification scenes never carry background offsets.
    public var sceneModel: SceneModel?
    public var metricsImages = 100
    /// Metrics measured elsewhere (e.g. after fine-tuning) to store in `/design/metrics`.
    public var extraMetrics: [String: Double] = [:]
    /// Where the verification scenes come from unless the checkpoint trained on other sources: a folder
    /// of FashionMNIST IDX files (the default), or any one `--data` source (`DataSource`: e.g.
    /// `synthetic:smooth`, a folder of images).
    public var data: String = IDXFile.fashionMNISTDirectory
    public var out: String
    public var name: String = "design"

    public init(out: String) { self.out = out }

    /// The options as strings, stored in the design's configuration JSON.
    var recorded: [String: String] {
        var options: [String: String] = ["slm": slm, "scenes": "\(scenes)"]
        if let levelPhases { options["levelPhases"] = levelPhases.map { String($0) }.joined(separator: ",") }
        if !corrections.isEmpty { options["corrections"] = corrections.joined(separator: ";") }
        let optional: [String: CustomStringConvertible?] = [
            "model": model, "mask": mask, "levels": levels, "stroke": stroke,
            "superpixel": superpixel, "lut": lut, "carrier": carrier, "wavelength": wavelength, "index": refractiveIndex,
            "pitch": pitch, "oversampling": oversampling, "sensing": sensing?.description]
        for case let (key, value?) in optional { options[key] = value.description }
        if let m = sceneModel {
            options["phaseRange"] = "\(m.phaseMin):\(m.phaseMax)"
            if !m.isPurePhase { options["amplitudeRange"] = "\(m.amplitudeAtZero):\(m.amplitudeAtOne)" }
        }
        if conjugate { options["conjugate"] = "true" }
        if let operatingWavelength {
            options["operatingWavelength"] = "\(operatingWavelength)"
            options["strokePolicy"] = strokePolicy.rawValue
        }
        return options
    }
}

/// What an export produced.
public struct ExportOutcome {
    public let export: DesignExport
    public let metrics: [String: Double]
    public let paths: [String]
    /// Conversions made while reading the input (units, a 2-D mask dataset).
    public let notes: [String]

    /// A human-readable account: notes, quantization report, metrics, SLM placement, lithography, files.
    public var summary: String {
        var lines = notes.map { "note: \($0)" } + ["\(export.quantized.report)"]
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { lines.append(String(format: "%@ = %.4f", key, value)) }
        let l = export.layout
        lines.append("SLM \(l.profile.name): superpixel \(l.superpixel), margins top \(l.top) left \(l.left) bottom \(l.bottom) right \(l.right)")
        lines += export.chainSummary
        if let plan = export.lithography { lines.append(plan.summary().trimmingCharacters(in: .newlines)) }
        lines += paths.map { "wrote \($0)" }
        return lines.joined(separator: "\n")
    }
}

public enum ExportJob {
    /// Quantizes the mask and writes the HDF5 design file, SLM frames and (with lithography settings)
    /// binary masks, GDSII and summary into `options.out`.
    public static func run(_ options: ExportOptions) throws -> ExportOutcome {
        let source = try MaskInput(model: options.model, mask: options.mask)
        let phi = source.phi
        let constraints = try PhaseConstraints(levels: options.levels ?? source.config?.levels ?? 8,
                                               stroke: options.stroke ?? source.config?.stroke ?? 2 * Double.pi,
                                               levelPhases: options.levelPhases)
        let profile = try SLMCatalog.resolve(options.slm)
        let table = try options.lut.map { try PhaseLUT.load(path: $0, maxGray: profile.maxGray) }
        var settings = ExportSettings(constraints: constraints, profile: profile, superpixel: options.superpixel,
                                      lut: table, fabrication: try fabricationSettings(options))
        settings.carrier = try options.carrier.map { try Carrier(parsing: $0) }
        settings.response = try options.operatingWavelength.map {
            try PhaseResponse(profile: profile, lut: table, wavelength: $0, policy: options.strokePolicy)
        }
        var notes = source.notes
        if !options.corrections.isEmpty {
            let files = try options.corrections.map { try CorrectionFile(parsing: $0) }
            let wavelength = options.operatingWavelength ?? profile.designWavelength
            settings.correction = try PanelCorrection.load(files, profile: profile, wavelength: wavelength) {
                notes.append($0)
            }
        }
        let export = try DesignExport(mask: phi, settings: settings, source: options.model ?? options.mask ?? "mask")
        let sensing = try exportSensing(options, system: source.system, mask: phi)
        let f = sensing.oversampling
        let model = options.sceneModel ?? source.config?.sceneModel ?? .standard
        let simulator = try Simulator(oversampling: f, sceneModel: model, propagation: sensing.propagation)
        var verification: VerificationData? = nil
        if options.scenes > 0 {
            let images = try verificationScenes(options, config: source.config, size: max(phi.shape[1], phi.shape[2]))
            let field = try verificationField(Resize.resize(images, height: phi.shape[1], width: phi.shape[2]),
                                              options: options, config: source.config, simulator: simulator)
            verification = try VerificationData.compute(scenes: field, export: export, oversampling: f,
                                                        measure: simulator.measure)
        }
        var metrics = try source.metrics(quantized: export.quantized.phases, images: options.metricsImages)
        metrics.merge(options.extraMetrics) { _, new in new }
        let directory = URL(fileURLWithPath: options.out)
        // One export per folder at a time; a full disk is reported before anything is written.
        let frameBytes = profile.rows * profile.columns * phi.shape[0]
        let lock = try DirectoryLock(directory: options.out, reserving: 8 * frameBytes + (1 << 20))
        defer { withExtendedLifetime(lock) {} }
        let metadata = DesignMetadata(softwareVersion: SoftwareVersion.string,
                                      configurationJSON: try source.configurationJSON(options: options.recorded,
                                                                                      sceneModel: model),
                                      metrics: metrics)
        let paths: [String]
        do {
            paths = try export.writeAll(to: directory, stem: options.name, metadata: metadata, verification: verification,
                                        sensing: sensing, companions: source.recoveryCompanion(quantized: export.quantized.phases))
        } catch {
            lock.removeFolderIfUnused()
            throw error
        }
        return ExportOutcome(export: export, metrics: metrics, paths: paths, notes: notes)
    }

    /// The design's sensing geometry: the checkpoint's (the propagation options must agree), else the
    /// options', else the far field; `--oversampling` pads the far field only. Checked for the mask's grid.
    static func exportSensing(_ options: ExportOptions, system: PhaseRetrievalSystem?, mask phi: Tensor) throws -> SensingModel {
        var sensing = try system.map { try SensingChoice.resolve(options.sensing, recorded: $0.sensing, by: options.model ?? "") }
            ?? options.sensing ?? .farField
        if let f = options.oversampling, f != sensing.oversampling {
            guard sensing.propagation == .farField else {
                throw PipelineError("--oversampling sets the far field's zero padding; this design propagates to the near field "
                                    + "(\(sensing)), whose padding is --pad")
            }
            sensing = try SensingModel(oversampling: f)
        }
        if let problem = sensing.samplingProblems(height: phi.shape[1], width: phi.shape[2]).first { throw PipelineError(problem) }
        return sensing
    }

    static func fabricationSettings(_ o: ExportOptions) throws -> FabricationSettings? {
        switch (o.wavelength, o.refractiveIndex, o.pitch) {
        case (nil, nil, nil): return nil
        case let (w?, n?, p?): return FabricationSettings(wavelength: w, refractiveIndex: n, pixelPitch: p, conjugated: o.conjugate)
        default: throw PipelineError("lithography needs all of --wavelength, --index and --pitch")
        }
    }
}

/// A problem with the options of a pipeline job.
public struct PipelineError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ExportJob {
    /// The scenes stored with their CDPs for verify, `[scenes, C, H, W]` (`SceneChannels`): for a checkpoint trained on
    /// other sources (`TrainingConfig.dataSources`), the first scenes of its own test split; else the first
    /// FashionMNIST test images in file order, or the first test scenes of the source `options.data`
    /// names, `size × size` pixels.
    static func verificationScenes(_ options: ExportOptions, config: TrainingConfig?, size: Int) throws -> Tensor {
        if let config, !config.dataSources.isEmpty { return try SceneSplits.testScenes(config, count: options.scenes) }
        let source = options.data == IDXFile.fashionMNISTDirectory ? DataSource(.fashionMNIST(directory: options.data))
                                                                   : try DataSource(parsing: options.data)
        if case .fashionMNIST(let directory) = source.kind {
            return try IDXFile.readFashionMNIST(.test, limit: options.scenes, directory: directory)
                .images.tensor(0..<options.scenes)
        }
        return try SceneMixture([source]).splits(SplitCounts(train: 0, validation: 0, test: options.scenes), size: size,
                                                 sceneModel: options.sceneModel ?? config?.sceneModel ?? .standard).test
    }
}

extension ExportJob {
    /// The complex verification scenes `[n, H, W]` of scenes `[n, C, H, W]` under the simulator's scene
    /// model, with the amplitude channel when the scenes have one (`SceneChannels`); refused when the
    /// model's amplitude range would ignore it.
    static func verificationField(_ scenes: Tensor, options: ExportOptions, config: TrainingConfig?,
                                  simulator: Simulator) throws -> ComplexField {
        let amplitude = SceneChannels.amplitude(scenes)
        if amplitude != nil {
            let source = config?.effectiveDataSources.first(where: \.hasAmplitude)?.description ?? options.data
            if let problem = SceneChannels.problem(source: source, model: simulator.sceneModel) {
                throw PipelineError("verification scenes: \(problem); give --amplitude-range A0:A1 with A0 ≠ A1")
            }
        }
        return try simulator.field(.intensity(SceneChannels.phase(scenes)), amplitude: amplitude)
    }
}

/// The mask to export: from a checkpoint (with its system and configuration) or an HDF5 dataset.
struct MaskInput {
    let phi: Tensor
    let system: PhaseRetrievalSystem?
    let history: [EpochRecord]
    /// Conversions made while reading a mask dataset.
    let notes: [String]
    var config: TrainingConfig? { system?.config }

    init(model: String?, mask: String?) throws {
        switch (model, mask) {
        case (let path?, nil):
            let loaded = try Checkpoint.load(path)
            system = loaded.system
            history = loaded.history
            phi = loaded.system.masks.value.copy()
            notes = []
        case (nil, let spec?):
            system = nil
            history = []
            (phi, notes) = try MaskDataset(parsing: spec).load()
        default:
            throw PipelineError("give exactly one of --model CKPT and --mask FILE.h5:/DATASET")
        }
    }

    /// PSNR/SSIM on the first `images` test images with the trained mask and with the quantized one
    /// (the system's mask is restored afterwards). Empty without a checkpoint or with 0 images.
    func metrics(quantized: Tensor, images: Int) throws -> [String: Double] {
        guard let system, images > 0 else { return [:] }
        let test = try SceneSplits.testScenes(system.config, count: images)
        return try Evaluation.continuousAndQuantized(system, quantizedMasks: quantized, images: test,
                                                     batchSize: system.config.batchSize).metrics
    }

    /// `<stem>_recovery.h5`, the checkpoint's recovery network (ψ, θ, batch-norm statistics,
    /// configuration) with the exported quantized mask `quantized` in place of φ, so a lab reconstructs
    /// its captured CDPs with the mask it displays. None for a bare mask dataset.
    func recoveryCompanion(quantized: Tensor) -> [CompanionFile] {
        guard let system else { return [] }
        return [CompanionFile(suffix: RunFolder.recoverySuffix) { path in
            try system.withMasks(quantized) { try Checkpoint.saveRecovery(system, history: history, to: path) }
        }]
    }

    /// The checkpoint's training configuration, the export options and the scene model of the
    /// verification scenes, as one JSON object `{"export": …, "sceneModel": …, "training": …}`.
    func configurationJSON(options: [String: String], sceneModel: SceneModel) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let exportJSON = String(decoding: try encoder.encode(options), as: UTF8.self)
        let modelJSON = String(decoding: try encoder.encode(sceneModel), as: UTF8.self)
        guard let config else { return "{\"export\":\(exportJSON),\"sceneModel\":\(modelJSON)}" }
        let trainingJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        return "{\"export\":\(exportJSON),\"sceneModel\":\(modelJSON),\"training\":\(trainingJSON)}"
    }
}

extension ExportJob {
    /// The scene model a design was made for, from its configuration JSON: the `sceneModel` its export
    /// recorded; for designs exported before that key, the export's `phaseScale` option (range
    /// 0:phaseScale), else the training configuration's model (its `phaseScale` for older ones), else
    /// the standard exp(jπI). Its Δ is the training's, for the record: simulations draw offsets only
    /// when asked.
    public static func sceneModel(ofDesignConfiguration json: String, path: String) throws -> SceneModel {
        struct Recorded: Decodable {
            var sceneModel: SceneModel?
            var export: [String: String]?
            var training: TrainingConfig?
        }
        let recorded: Recorded
        do {
            recorded = try JSONDecoder().decode(Recorded.self, from: Data(json.utf8))
        } catch {
            throw FabricationError(path, "/design configuration_json is not a PhaseMask configuration (\(type(of: error)))")
        }
        if let model = recorded.sceneModel { return model }
        if let text = recorded.export?["phaseScale"] {
            guard let scale = Double(text) else {
                throw FabricationError(path, "/design configuration_json: export phaseScale '\(text)' is not a number")
            }
            return .phaseScale(scale)
        }
        return recorded.training?.sceneModel ?? .standard
    }
}
