import Autodiff
import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask reconstruct` beyond the U-Net on a CDP file (`Reconstruction.run`): CDPs from camera
/// frames (`--frame`, through `FrameImport`), a reference scene (`--scene`), and the classical methods.
///
/// Methods: `unet` (the learned recovery: the checkpoint's spectral initialization and U-Net),
/// `spectral` (the filtered spectral initialization z* alone), `er`, `hio`, `wf` (`ClassicalRecovery`,
/// started from z*). A classical estimate is a complex field; it is aligned to the global-phase
/// convention (Σx real ≥ 0, docs/optics.md "Global phase") and mapped to I by the scene model
/// (`SceneModel.normalizedPhase`), then scored with the same PSNR/SSIM as the U-Net.
public enum ReconstructJob {
    public enum Method: String, CaseIterable, Sendable {
        case unet, spectral, er, hio, wf

        /// The default number of iterations of a classical method (none for the others).
        public var defaultIterations: Int? {
            switch self {
            case .er, .hio: return 200
            case .wf: return 500
            case .unet, .spectral: return nil
            }
        }

        var classical: ClassicalRecovery.Method? {
            switch self {
            case .er: return .errorReduction
            case .hio: return .hybridInputOutput
            case .wf: return .wirtingerFlow
            case .unet, .spectral: return nil
            }
        }
    }

    public enum Measurements {
        /// A CDP file as `simulate` or `import-frame` writes it.
        case cdp(String)
        /// Camera frames of one scene, one per snapshot.
        case frames(FrameImport.Options)
    }

    public struct Options {
        public var method: Method = .unet
        public var measurements: Measurements
        public var model: String?
        public var mask: String?
        /// Reference scene (see `ReconstructionReference.load`); nil: the CDP file's, if any.
        public var scene: String?
        public var iterations: Int?
        /// Iterations of error reduction that refine the U-Net's estimate (`EstimateRefinement`); nil: none.
        public var refine: Int?
        /// The propagation options, when given (`SensingChoice`; nil: the design's or checkpoint's).
        public var sensing: SensingModel?
        public var png: String
        public var hdf5: String
        public var log: (String) -> Void = { _ in }

        public init(measurements: Measurements, png: String, hdf5: String) {
            self.measurements = measurements
            self.png = png
            self.hdf5 = hdf5
        }
    }

    public struct Result {
        /// `[B, 1, H, W]` in [0, 1].
        public let estimates: Tensor
        public let psnr: Double?, ssim: Double?
        /// A classical method's PSNR with the global phase taken from the reference scene
        /// (`Recovery.alignGlobalPhase(_:to:)`, the scene model's field of the reference image): how
        /// much of its error is the global phase no method can know. Nil for the U-Net.
        public let oraclePSNR: Double?
        /// What the scores are against: "the stored scene" or the `--scene` spec.
        public let reference: String?
        /// ρ of the classical estimate (`ClassicalRecovery`), else nil.
        public let residual: Double?
        /// The frames' import, when the CDPs came from frames.
        public let frames: FrameImport.Measurement?
    }

    public static func run(_ o: Options) throws -> Result {
        let setup = try MeasurementSetup.load(mask: o.mask, model: o.model ?? companionModel(o), sensing: o.sensing, log: o.log)
        if o.method == .unet && setup.system == nil {
            throw FabricationError("--method unet", "needs --model (a checkpoint or recovery file), or a design with its "
                                   + "STEM_recovery.h5 beside it")
        }
        if o.method.classical == nil, o.iterations != nil {
            throw FabricationError("--iterations", "applies to er, hio and wf, not \(o.method.rawValue)")
        }
        if let n = o.iterations, n < 1 { throw FabricationError("--iterations", "must be ≥ 1, got \(n)") }
        if o.refine != nil, o.method != .unet {
            throw FabricationError("--refine", "refines the U-Net's estimate (--method unet); \(o.method.rawValue) has --iterations")
        }
        if let n = o.refine, n < 1 { throw FabricationError("--refine", "must be ≥ 1 iterations, got \(n)") }
        if let system = setup.system, o.mask != nil, o.method == .unet {
            warnOnMaskMismatch(setup.masks, system.masks.value, source: setup.maskSource, log: o.log)
        }
        let (y, saturated, stored, frames) = try measurements(o, setup)
        var reference = stored
        if let scene = o.scene {
            reference = (try ReconstructionReference.load(scene, height: setup.height, width: setup.width,
                                                          model: setup.sceneModel), scene)
        }
        let recovered = try recover(o, setup, y: y, saturated: saturated)
        var psnr: Double?, ssim: Double?, oraclePSNR: Double?
        if let (image, label) = reference, o.scene != nil, image.shape != recovered.estimates.shape {
            throw FabricationError(label, "holds scene images \(image.shape); the estimates are \(recovered.estimates.shape)")
        }
        if let (image, _) = reference, image.shape == recovered.estimates.shape {   // a CDP file's odd scene is skipped
            psnr = ImageMetrics.psnr(estimate: recovered.estimates, reference: image)
            if setup.height >= 11 && setup.width >= 11 { ssim = ImageMetrics.ssim(estimate: recovered.estimates, reference: image) }
            if o.method != .unet {
                oraclePSNR = try ClassicalBaseline.oraclePSNR(recovered.field, reference: image,
                                                              sceneModel: setup.sceneModel)
            }
        }
        try write(o, setup, recovered)
        return Result(estimates: recovered.estimates, psnr: psnr, ssim: ssim, oraclePSNR: oraclePSNR, reference: reference?.1,
                      residual: recovered.residual, frames: frames)
    }

    /// For the U-Net without `--model`: the recovery file `export` writes beside the design
    /// (`STEM_recovery.h5`), when it is there (noted in the log).
    static func companionModel(_ o: Options) -> String? {
        guard o.method == .unet, let mask = o.mask, ComplexFieldDataset(spec: mask) == nil else { return nil }
        let path = (mask as NSString).deletingPathExtension + "_recovery.h5"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        o.log("note: --model \(path), the recovery file beside the design")
        return path
    }

    /// The CDPs `[B, L, H', W']`, their saturation flags, the reference stored with them and the import.
    static func measurements(_ o: Options, _ setup: MeasurementSetup) throws
        -> (Tensor, [UInt8]?, (Tensor, String)?, FrameImport.Measurement?) {
        let grid = [setup.snapshots, setup.oversampling * setup.height, setup.oversampling * setup.width]
        switch o.measurements {
        case .frames(let f):
            guard f.frames.count == setup.snapshots else {
                throw FabricationError(f.frames.first ?? "--frame", "\(f.frames.count) frame(s) given; the masks of "
                                       + "\(setup.maskSource) have \(setup.snapshots) snapshot(s): give one frame per snapshot")
            }
            let m = try FrameImport.measure(f, sceneHeight: setup.height, sceneWidth: setup.width, oversampling: setup.oversampling,
                                            centred: setup.sensing.propagation == .farField)
            return (m.cdp, m.saturated, nil, m)
        case .cdp(let path):
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            try SensingChoice.checkCDPFile(file, expected: setup.sensing, masks: setup.maskSource)
            let y = try file.readTensor("/cdp", requireFinite: true)
            guard y.rank == 4, Array(y.shape.dropFirst()) == grid else {
                throw StorageError(.mismatch, path: path, object: "/cdp", "holds CDPs of shape \(y.shape); the masks of "
                                   + "\(setup.maskSource) need [B, \(grid.map(String.init).joined(separator: ", "))]")
            }
            let saturated = file.exists("/saturated") ? try file.read(UInt8.self, "/saturated", shape: y.shape).values : nil
            let stored = try ReconstructionReference.fromCDPFile(file, model: setup.sceneModel)
            return (y, saturated, stored.map { ($0, "the stored scene") }, nil)
        }
    }

    struct Recovered {
        let estimates: Tensor
        /// The complex field behind the estimate (aligned), `[B, H, W]`.
        let field: ComplexField
        let initialization: ComplexField
        let residual: Double?
        let iterations: Int?
    }

    static func recover(_ o: Options, _ setup: MeasurementSetup, y: Tensor, saturated: [UInt8]?) throws -> Recovered {
        let tape = Tape(recording: false)
        if o.method == .unet, let system = setup.system {
            guard SensingChoice.agree(setup.sensing, system.sensing) else {
                throw FabricationError(setup.maskSource, "was measured with the sensing geometry \(setup.sensing); the U-Net of "
                                       + "\(setup.model ?? "the checkpoint") was trained with \(system.sensing)")
            }
            let out = try system.recover(tape.constant(y), masks: tape.constant(system.masks.value), training: false)
            let z = out.initialization.field
            guard let n = o.refine else {
                return Recovered(estimates: out.estimate.value.clipped(to: 0...1), field: z, initialization: z, residual: nil, iterations: nil)
            }
            // Refined on the masks the CDPs were taken with (the design's, when given).
            let problem = try PhaseRetrievalProblem(measurements: y, operator: try CodedDiffractionOperator(
                masks: setup.masks, oversampling: setup.oversampling, propagation: setup.sensing.propagation),
                                                    saturated: saturated)
            let r = try EstimateRefinement.refine(out.estimate.value, problem: problem, sceneModel: system.config.sceneModel,
                                                  iterations: n)
            return Recovered(estimates: r.images, field: alignGlobalPhase(tape.constant(r.field)).field, initialization: z,
                             residual: r.residualAfter, iterations: n)
        }
        let (spectral, kernel) = try setup.spectralInitialization()
        let iterations = o.method.classical == nil ? nil : o.iterations ?? o.method.defaultIterations
        let e = try ClassicalBaseline.recover(y, masks: setup.masks, initialization: spectral, kernel: kernel,
                                              method: o.method.classical, iterations: iterations ?? 0,
                                              sceneModel: setup.sceneModel,
                                              saturated: saturated)
        return Recovered(estimates: e.images, field: e.field, initialization: e.initialization, residual: e.residual,
                         iterations: iterations)
    }

    static var sortedJSON: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Logs a warning when `masks` (the design's) differ from the system's by more than 1e-3 rad.
    static func warnOnMaskMismatch(_ masks: Tensor, _ own: Tensor, source: String, log: (String) -> Void) {
        guard masks.shape == own.shape else {
            log("warning: the masks of \(source) are \(masks.shape); the checkpoint's are \(own.shape)")
            return
        }
        var worst = 0.0
        for i in 0..<masks.count { worst = max(worst, circularDistance(Double(masks.pointer[i]), Double(own.pointer[i]))) }
        if worst > 1e-3 { log(String(format: "warning: the masks of %@ differ from the checkpoint's by up to %.3f rad", source, worst)) }
    }

    /// The estimates as PNG (side by side) and HDF5: `/estimate` `[B, 1, H, W]`, `/field` `[B, H, W, 2]`
    /// (the recovered complex field; the U-Net's: its spectral initialization), `/initialization`.
    static func write(_ o: Options, _ setup: MeasurementSetup, _ r: Recovered) throws {
        try Reconstruction.writePNG(r.estimates, to: o.png)
        let model = setup.sceneModel
        let source: String
        switch o.measurements {
        case .cdp(let path): source = path
        case .frames(let f): source = f.frames.joined(separator: ",")
        }
        var attributes: [(String, String, HDF5Attribute)] = [
            ("/estimate", "units", .string("normalized phase image I (dimensionless, [0, 1]; phase = φmin + I·(φmax − φmin))")),
            ("/estimate", "phase_range_rad", .doubles([model.phaseMin, model.phaseMax])),
            ("/estimate", "scene_model", .string(String(decoding: try sortedJSON.encode(model), as: UTF8.self))),
            ("/field", "layout", .string("last axis: real, imaginary; global phase aligned (Σx real ≥ 0)")),
            ("/initialization", "layout", .string("last axis: real, imaginary")),
            ("/", "method", .string(o.method.rawValue + (o.refine.map { " refined by \($0) iterations of er" } ?? ""))), ("/", "mask_source", .string(setup.maskSource)),
            ("/", "measurements", .string(source)),
        ]
        if let model = setup.model { attributes.append(("/", "checkpoint", .string(model))) }
        attributes.append(("/", "oversampling", .int(setup.oversampling)))
        if let n = r.iterations { attributes.append(("/", "iterations", .int(n))) }
        if let rho = r.residual { attributes.append(("/", "residual", .double(rho))) }
        let file = try HDF5File.create(path: o.hdf5)
        do {
            try file.write(r.estimates, to: "/estimate")
            try file.write(r.field.storage, to: "/field")
            try file.write(r.initialization.storage, to: "/initialization")
            for (object, name, value) in attributes { try file.setAttribute(name, value, on: object) }
            try SensingAttributes.write(setup.sensing.propagation, to: file, on: "/")
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }
}
