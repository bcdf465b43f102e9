import Figures
import Foundation
import Optics
import Storage
import TensorCore

/// Forward simulation of exported masks with the optics of training: `SensingModel` (same
/// oversampling and propagation), `SceneModel` (same phase range and amplitude) and `NoiseModel` (same
/// statistics).
public struct Simulator {
    public let sensing: SensingModel
    public let noise: NoiseModel
    /// How an image becomes the complex scene (default: the pure-phase object exp(jπI)).
    public let sceneModel: SceneModel

    public init(oversampling: Int = 1, noise: NoiseModel = .none, sceneModel: SceneModel = .standard,
                propagation: Propagation = .farField) throws {
        do {
            sensing = try SensingModel(oversampling: oversampling, propagation: propagation)
            try noise.validate()
            try sceneModel.validate()
        } catch let error as OpticsError {
            throw FabricationError("simulator", error.description)
        }
        self.noise = noise
        self.sceneModel = sceneModel
    }

    /// The noise-free CDP function of this simulator (for verification data and `DesignVerifier`).
    public var measure: CDPFunction {
        let sensing = self.sensing
        return { scenes, masks in sensing.measure(scenes, masks: masks) }
    }

    /// The complex scene `[B, H, W]`: an image I becomes the object of `sceneModel` (with the amplitude
    /// image `amplitude` of the same shape, else A = I, and background offsets `offsets`, one per image
    /// or none); a complex field passes through unchanged and takes neither.
    public func field(_ scene: SceneSource.Loaded, amplitude: Tensor? = nil, offsets: [Float] = []) throws -> ComplexField {
        switch scene {
        case .field(let x):
            guard amplitude == nil && offsets.isEmpty else {
                throw FabricationError("scene", "a complex field is used as it is: an amplitude image or background offsets apply to image scenes only")
            }
            return x
        case .intensity(let image):
            do { return try sceneModel.field(image, amplitude: amplitude, offsets: offsets) } catch let error as OpticsError {
                throw FabricationError("scene", error.description)
            }
        }
    }

    /// Throws when the sensing geometry cannot hold a mask of `height × width` (`SensingModel.check`),
    /// naming the option that sets it.
    public func checkSampling(height: Int, width: Int) throws {
        if let problem = sensing.samplingProblems(height: height, width: width).first {
            throw FabricationError("--propagation", problem)
        }
    }

    /// CDPs `[B, L, H', W']` of `scene` under `masks` `[L, H, W]` (radians), noise drawn from `generator`.
    public func simulate(masks: Tensor, scene: ComplexField, generator: inout SeededGenerator) throws -> Tensor {
        try validateMask(masks, source: "mask")
        try checkSampling(height: masks.shape[1], width: masks.shape[2])
        guard scene.shape.count == 3, scene.shape[1] == masks.shape[1], scene.shape[2] == masks.shape[2] else {
            throw FabricationError("scene", "scene \(scene.shape) does not match the \(masks.shape[1])×\(masks.shape[2]) mask")
        }
        return addNoise(sensing.measure(scene, masks: masks), generator: &generator)
    }

    /// Noise-free intensities `y` with this simulator's noise drawn from `generator` (y itself without noise).
    public func addNoise(_ y: Tensor, generator: inout SeededGenerator) -> Tensor {
        noise == .none ? y : noise.sample(y, generator: &generator)
    }

    /// What became of an image scene: its normalized phase image and the scene model applied to it.
    public struct ImageScene {
        /// I `[B, 1, H, W]`, the target a reconstruction is scored against.
        public var intensity: Tensor
        /// Background-phase offsets applied, radians (empty: none).
        public var offsets: [Float]
        /// Where the amplitude image came from (nil: A = I).
        public var amplitudeSource: String?
        public init(intensity: Tensor, offsets: [Float] = [], amplitudeSource: String? = nil) {
            self.intensity = intensity
            self.offsets = offsets
            self.amplitudeSource = amplitudeSource
        }
    }

    /// Writes a simulation to HDF5: `/cdp` float32 `[B, L, H', W']`, `/scene` float32 `[B, H, W, 2]`
    /// (re, im), `/mask` float32 `[L, H, W]` (rad), with the settings as attributes of `/cdp` (the
    /// propagation as `SensingAttributes`, the padding as `oversampling`). For an
    /// image scene also `/scene_intensity` float32 `[B, 1, H, W]` (I) and the scene model as attributes
    /// of `/cdp`: `scene_model` (JSON), `phase_range_rad`, `background_offsets_rad` (when drawn) and
    /// `amplitude_source` (when given). With a first-order `window`, `/cdp` is the whole sensor
    /// `[B, L, M_h, M_w]` and records the window (`FirstOrderWindow.write`).
    public func write(cdp: Tensor, scene: ComplexField, masks: Tensor, maskSource: String, sceneSource: String,
                      seed: UInt64, image: ImageScene? = nil, window: FirstOrderWindow? = nil, to path: String) throws {
        let file = try HDF5File.create(path: path)
        do {
            try file.write(cdp, to: "/cdp", requireFinite: true)
            try file.write(scene.storage, to: "/scene", requireFinite: true)
            try file.write(masks, to: "/mask", requireFinite: true)
            var attributes: [(String, String, HDF5Attribute)] = [
                ("/cdp", "units", .string("arbitrary (|field|^2)")), ("/cdp", "oversampling", .int(sensing.oversampling)),
                ("/cdp", "noise", .string(noise.description)), ("/cdp", "seed", .int(Int(truncatingIfNeeded: seed))),
                ("/cdp", "phase_scale_rad", .double(sceneModel.phaseSpan)),
                ("/cdp", "mask_source", .string(maskSource)), ("/cdp", "scene_source", .string(sceneSource)),
                ("/scene", "layout", .string("last axis: real, imaginary")), ("/mask", "units", .string("rad")),
            ]
            if let image {
                try file.write(image.intensity, to: "/scene_intensity", requireFinite: true)
                let json = String(decoding: try JSONEncoder.sorted.encode(sceneModel), as: UTF8.self)
                attributes += [
                    ("/scene_intensity", "units", .string("normalized phase image I (phase = φmin + I·(φmax − φmin))")),
                    ("/cdp", "scene_model", .string(json)),
                    ("/cdp", "phase_range_rad", .doubles([sceneModel.phaseMin, sceneModel.phaseMax])),
                ]
                if !image.offsets.isEmpty { attributes.append(("/cdp", "background_offsets_rad", .floats(image.offsets))) }
                if let source = image.amplitudeSource { attributes.append(("/cdp", "amplitude_source", .string(source))) }
            }
            for (object, name, value) in attributes { try file.setAttribute(name, value, on: object) }
            try SensingAttributes.write(sensing.propagation, to: file, on: "/cdp")
            if let window { try window.write(to: file) }
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }

    /// A PNG figure of the CDPs (rows: scenes, columns: snapshots; log scale; far-field CDPs with the
    /// zero frequency centred, near-field sensor images as they lie on the sensor: `centred` false).
    public static func writeFigure(cdp: Tensor, centred: Bool = true, to path: String) throws {
        let (b, l, h, w) = (cdp.shape[0], cdp.shape[1], cdp.shape[2], cdp.shape[3])
        let upscale = max(1, 192 / max(h, w))
        let panels = (0..<b).map { s in
            (0..<l).map { m -> ImagePanel? in
                let start = (s * l + m) * h * w
                let slice = Tensor(Array(cdp.buffer[start..<(start + h * w)]), shape: [h, w])
                return ImagePanel.intensity(slice, centred: centred, upscale: upscale, showsColorBar: m == l - 1)
            }
        }
        let grid = FigureGrid(title: "Simulated CDPs", rowTitles: (0..<b).map { "scene \($0)" },
                              columnTitles: (0..<l).map { "snapshot \($0)" }, panels: panels)
        try grid.writePNG(to: path)
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys (stable text for attributes).
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
