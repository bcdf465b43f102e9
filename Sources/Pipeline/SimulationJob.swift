import Fabrication
import Foundation
import Optics
import TensorCore

/// `phasemask simulate`: the CDPs an exported mask gives for a scene, with the optics of training.
public enum SimulationJob {
    /// Where the mask comes from: an exported design file, or SLM frame files with what is needed to
    /// decode them.
    public enum MaskInput {
        /// `displayed`: simulate the phases the SLM shows (decoded `/slm/display`), not `/mask/phase`.
        case design(path: String, displayed: Bool)
        /// A mask another tool wrote as `FILE.h5:/DATASET` (see `MaskDataset`).
        case dataset(String)
        /// One frame file per snapshot; `size` is the design's height and width in pixels.
        case frames(paths: [String], profile: String, size: (height: Int, width: Int), superpixel: Int?, lut: String?)
    }

    public struct Options {
        public var mask: MaskInput
        /// A PNG/BMP/TIFF image, `fashion-mnist:test:INDEX`, or `FILE.h5:/DATASET` (complex `[B, H, W, 2]`).
        public var scene: String
        public var out: String
        public var figure: String?
        /// Zero-padding factor of the far field; nil: the design's verification setting, else 1.
        public var oversampling: Int?
        /// The propagation options (`--propagation` … `--pad`), nil when not given: a design's geometry
        /// (`StoredDesign.sensing`, which given ones must equal: `SensingChoice`), else the far field.
        public var sensing: SensingModel?
        public var noise: NoiseModel = .none
        public var seed: UInt64 = 0
        /// Scene model of image scenes: phase range (radians) and amplitude range replace the design's
        /// (`ExportJob.sceneModel(ofDesignConfiguration:)`; the standard exp(jπI) for frames) when given.
        public var phaseRange: (low: Double, high: Double)?
        public var amplitudeRange: (atZero: Double, atOne: Double)?
        /// An amplitude image A (PNG/BMP/TIFF or `fashion-mnist:SPLIT:INDEX`) for image scenes; nil: A = I.
        public var amplitude: String?
        /// Background-phase offsets Δ (radians) of image scenes, drawn with `seed` before the noise;
        /// 0: none, whatever the design was trained with.
        public var backgroundOffset = 0.0
        /// Camera frames of the CDPs (`FrameRendering`) and the TIFF path they are named after; nil: none.
        public var frames: (rendering: FrameRendering, path: String)?
        /// With a design file: model a panel that leaves this share of the light unmodulated, at panel
        /// resolution with the design's carrier (`PanelSimulator`); `/cdp` is then the whole sensor
        /// and records its first-order window. nil: the sensing model on the design pixels.
        public var zeroOrder: Double?
        /// Receives a note for every conversion of the inputs (mask units or rank, scene colour or shape).
        public var log: (String) -> Void = { _ in }

        public init(mask: MaskInput, scene: String, out: String) {
            self.mask = mask
            self.scene = scene
            self.out = out
        }
    }

    /// Simulates and writes the CDP file (and the figure and camera frames when asked); returns the CDPs
    /// `[B, L, H', W']`, the simulator used and the frame files written. Image scenes use the design's scene model (phase range,
    /// amplitude range) unless the options replace it; every check happens before the file is written.
    @discardableResult
    public static func run(_ o: Options) throws -> (cdp: Tensor, simulator: Simulator, frames: [String]) {
        let source: MaskSource
        var stored: SensingModel?
        var designModel: SceneModel?
        let description: String
        var panelDesign: StoredDesign?
        switch o.mask {
        case .design(let path, let displayed):
            source = .design(path: path, displayed: displayed || o.zeroOrder != nil)
            let design = try DesignFile.read(path: path)
            panelDesign = design
            stored = try SensingChoice.resolve(o.sensing, recorded: design.sensing, by: path)
            designModel = try ExportJob.sceneModel(ofDesignConfiguration: design.metadata.configurationJSON, path: path)
            description = path
        case .dataset(let spec):
            source = .dataset(try MaskDataset(parsing: spec))
            description = spec
        case .frames(let paths, let profileName, let size, let superpixel, let lutPath):
            let profile = try SLMCatalog.resolve(profileName)
            source = .frames(paths: paths, profile: profile, height: size.height, width: size.width,
                             superpixel: superpixel,
                             lut: try lutPath.map { try PhaseLUT.load(path: $0, maxGray: profile.maxGray) })
            description = paths.joined(separator: ",")
        }
        if o.zeroOrder != nil && panelDesign == nil {
            throw FabricationError("--zero-order", "models the panel of an exported design; give --mask DESIGN.h5")
        }
        let sensing = try sensingModel(o, stored: stored)
        if o.zeroOrder != nil && sensing.propagation != .farField {
            throw FabricationError("--zero-order", "models a panel's zero order in the far field; this design is measured in the "
                                   + "near field (\(sensing))")
        }
        var model = designModel ?? .standard
        if let (low, high) = o.phaseRange { (model.phaseMin, model.phaseMax) = (low, high) }
        if let (a0, a1) = o.amplitudeRange { (model.amplitudeAtZero, model.amplitudeAtOne) = (a0, a1) }
        model.backgroundOffset = o.backgroundOffset
        let masks = try source.load(log: o.log)
        let simulator = try Simulator(oversampling: sensing.oversampling, noise: o.noise, sceneModel: model,
                                      propagation: sensing.propagation)
        let (height, width) = (masks.shape[1], masks.shape[2])
        try simulator.checkSampling(height: height, width: width)
        let scene = try SceneSource(parsing: o.scene).load(height: height, width: width, log: o.log)
        var amplitude: Tensor?
        if let spec = o.amplitude {
            guard case .intensity(let a) = try SceneSource(parsing: spec).load(height: height, width: width, log: o.log) else {
                throw FabricationError(spec, "an amplitude image must be a PNG/BMP/TIFF image or fashion-mnist:SPLIT:INDEX")
            }
            amplitude = a
        }
        var generator = SeededGenerator(seed: o.seed)
        var image: Simulator.ImageScene?
        if case .intensity(let i) = scene {
            image = Simulator.ImageScene(intensity: i, offsets: model.drawOffsets(count: i.shape[0], generator: &generator),
                                         amplitudeSource: o.amplitude)
        } else if o.backgroundOffset > 0 {
            throw FabricationError(o.scene, "a complex field is used as it is: background offsets apply to image scenes only")
        }
        let field = try simulator.field(scene, amplitude: amplitude, offsets: image?.offsets ?? [])
        var cdp: Tensor, window: FirstOrderWindow?
        if let eta = o.zeroOrder, let design = panelDesign {
            let panel = try PanelSimulator(chain: design.chain, zeroOrder: eta, oversampling: simulator.sensing.oversampling)
            cdp = simulator.addNoise(try panel.sensor(scenes: field, displays: design.displays), generator: &generator)
            let w = try panel.window(), size = panel.sensorSize
            o.log("sensor \(size.height)×\(size.width) bins at panel resolution; zero order at bin (0, 0), first order at "
                  + "(\(w.row), \(w.column)); reconstruct takes the \(w.height)×\(w.width) window around it")
            window = w
        } else {
            cdp = try simulator.simulate(masks: masks, scene: field, generator: &generator)
        }
        var frames = o.frames
        frames?.rendering.centred = sensing.propagation == .farField
        try frames.map { try $0.rendering.check(gridHeight: cdp.shape[2], gridWidth: cdp.shape[3], path: $0.path) }
        try simulator.write(cdp: cdp, scene: field, masks: masks, maskSource: description,
                            sceneSource: o.scene, seed: o.seed, image: image, window: window, to: o.out)
        if let figure = o.figure {
            if let window { try Simulator.writeSensorFigure(sensor: cdp, window: window, to: figure) }
            else { try Simulator.writeFigure(cdp: cdp, centred: sensing.propagation == .farField, to: figure) }
        }
        return (cdp, simulator, try frames.map { try $0.rendering.write(cdp, to: $0.path) } ?? [])
    }

    /// The geometry of this simulation: the design's (`stored`, already checked against the options),
    /// else the options', else the far field; `--oversampling` sets the far field's padding only.
    static func sensingModel(_ o: Options, stored: SensingModel?) throws -> SensingModel {
        let base = stored ?? o.sensing ?? .farField
        guard let f = o.oversampling, f != base.oversampling else { return base }
        guard base.propagation == .farField else {
            throw FabricationError("--oversampling", "sets the far field's zero padding; this simulation propagates to the near "
                                   + "field (\(base)), whose padding is --pad")
        }
        return try SensingModel(oversampling: f)
    }
}
