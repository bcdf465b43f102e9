import Figures
import Foundation
import Optics
import Storage
import TensorCore

/// Forward simulation of exported masks with the optics of training: `SensingModel` (same
/// oversampling), `Scene.phaseObject` (same phase scale) and `NoiseModel` (same statistics).
public struct Simulator {
    public let sensing: SensingModel
    public let noise: NoiseModel
    /// Radians per unit intensity when an image becomes the phase object exp(j·s·I).
    public let phaseScale: Float

    public init(oversampling: Int = 1, noise: NoiseModel = .none, phaseScale: Float = Scene.defaultPhaseScale) throws {
        do {
            sensing = try SensingModel(oversampling: oversampling)
            try noise.validate()
        } catch let error as OpticsError {
            throw FabricationError("simulator", error.description)
        }
        guard phaseScale.isFinite else { throw FabricationError("simulator", "phase scale must be finite, got \(phaseScale)") }
        self.noise = noise
        self.phaseScale = phaseScale
    }

    /// The noise-free CDP function of this simulator (for verification data and `DesignVerifier`).
    public var measure: CDPFunction {
        let sensing = self.sensing
        return { scenes, masks in sensing.measure(scenes, masks: masks) }
    }

    /// The complex scene `[B, H, W]`: intensities become the phase object exp(j·s·I); fields pass through.
    public func field(_ scene: SceneSource.Loaded) throws -> ComplexField {
        switch scene {
        case .field(let x): return x
        case .intensity(let image):
            do { return try Scene.phaseObject(image, phaseScale: phaseScale) } catch let error as OpticsError {
                throw FabricationError("scene", error.description)
            }
        }
    }

    /// CDPs `[B, L, H', W']` of `scene` under `masks` `[L, H, W]` (radians), noise drawn from `generator`.
    public func simulate(masks: Tensor, scene: ComplexField, generator: inout SeededGenerator) throws -> Tensor {
        try validateMask(masks, source: "mask")
        guard scene.shape.count == 3, scene.shape[1] == masks.shape[1], scene.shape[2] == masks.shape[2] else {
            throw FabricationError("scene", "scene \(scene.shape) does not match the \(masks.shape[1])×\(masks.shape[2]) mask")
        }
        let y = sensing.measure(scene, masks: masks)
        return noise == .none ? y : noise.sample(y, generator: &generator)
    }

    /// Writes a simulation to HDF5: `/cdp` float32 `[B, L, H', W']`, `/scene` float32 `[B, H, W, 2]`
    /// (re, im), `/mask` float32 `[L, H, W]` (rad), with the settings as attributes of `/cdp`.
    public func write(cdp: Tensor, scene: ComplexField, masks: Tensor, maskSource: String, sceneSource: String,
                      seed: UInt64, to path: String) throws {
        let file = try HDF5File.create(path: path)
        do {
            try file.write(cdp, to: "/cdp", requireFinite: true)
            try file.write(scene.storage, to: "/scene", requireFinite: true)
            try file.write(masks, to: "/mask", requireFinite: true)
            let attributes: [(String, String, HDF5Attribute)] = [
                ("/cdp", "units", .string("arbitrary (|field|^2)")), ("/cdp", "oversampling", .int(sensing.oversampling)),
                ("/cdp", "noise", .string(noise.description)), ("/cdp", "seed", .int(Int(truncatingIfNeeded: seed))),
                ("/cdp", "phase_scale_rad", .double(Double(phaseScale))),
                ("/cdp", "mask_source", .string(maskSource)), ("/cdp", "scene_source", .string(sceneSource)),
                ("/scene", "layout", .string("last axis: real, imaginary")), ("/mask", "units", .string("rad")),
            ]
            for (object, name, value) in attributes { try file.setAttribute(name, value, on: object) }
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }

    /// A PNG figure of the CDPs (rows: scenes, columns: snapshots; log scale, zero frequency centred).
    public static func writeFigure(cdp: Tensor, to path: String) throws {
        let (b, l, h, w) = (cdp.shape[0], cdp.shape[1], cdp.shape[2], cdp.shape[3])
        let upscale = max(1, 192 / max(h, w))
        let panels = (0..<b).map { s in
            (0..<l).map { m -> ImagePanel? in
                let start = (s * l + m) * h * w
                let slice = Tensor(Array(cdp.buffer[start..<(start + h * w)]), shape: [h, w])
                return ImagePanel.intensity(slice, upscale: upscale, showsColorBar: m == l - 1)
            }
        }
        let grid = FigureGrid(title: "Simulated CDPs", rowTitles: (0..<b).map { "scene \($0)" },
                              columnTitles: (0..<l).map { "snapshot \($0)" }, panels: panels)
        try grid.writePNG(to: path)
    }
}
