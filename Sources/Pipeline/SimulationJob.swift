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
        /// A PNG/BMP image, `fashion-mnist:test:INDEX`, or `FILE.h5:/DATASET` (complex `[B, H, W, 2]`).
        public var scene: String
        public var out: String
        public var figure: String?
        /// Zero-padding factor; nil: the design's verification setting, else 1.
        public var oversampling: Int?
        public var noise: NoiseModel = .none
        public var seed: UInt64 = 0
        /// Phase scale of image scenes, radians.
        public var phaseScale = Double.pi
        /// Receives a note for every conversion of the inputs (mask units or rank, scene colour or shape).
        public var log: (String) -> Void = { _ in }

        public init(mask: MaskInput, scene: String, out: String) {
            self.mask = mask
            self.scene = scene
            self.out = out
        }
    }

    /// Simulates and writes the CDP file (and the figure when asked); returns the CDPs
    /// `[B, L, H', W']` and the simulator used.
    @discardableResult
    public static func run(_ o: Options) throws -> (cdp: Tensor, simulator: Simulator) {
        let source: MaskSource
        var storedOversampling: Int?
        let description: String
        switch o.mask {
        case .design(let path, let displayed):
            source = .design(path: path, displayed: displayed)
            storedOversampling = try DesignFile.read(path: path).verification?.oversampling
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
        let masks = try source.load(log: o.log)
        let simulator = try Simulator(oversampling: o.oversampling ?? storedOversampling ?? 1, noise: o.noise,
                                      phaseScale: Float(o.phaseScale))
        let field = try simulator.field(try SceneSource(parsing: o.scene).load(height: masks.shape[1], width: masks.shape[2],
                                                                                 log: o.log))
        var generator = SeededGenerator(seed: o.seed)
        let cdp = try simulator.simulate(masks: masks, scene: field, generator: &generator)
        try simulator.write(cdp: cdp, scene: field, masks: masks, maskSource: description,
                            sceneSource: o.scene, seed: o.seed, to: o.out)
        if let figure = o.figure { try Simulator.writeFigure(cdp: cdp, to: figure) }
        return (cdp, simulator)
    }
}
