import Foundation
import Optics
import TensorCore

/// A design file's mask as fabrication and display realize it, for `phasemask tolerance`: the quantized
/// phases, the binary lithography layers (when the design was exported for lithography), and the
/// scales that turn physical amplitudes (µm, nm) into the mask units of `MaskPerturbation`.
///
/// λ₀ is the lithography's design wavelength when the file has one, else the SLM's operating
/// wavelength; the pixel pitch is the lithography's (a misalignment is between its masks).
public struct RealizedMask {
    public let path: String
    /// `/mask/phase`, the quantized mask `[L, H, W]` (radians in [0, 2π)).
    public let phases: Tensor
    /// The element's k binary layers (`LithographyPlan`: its level indices and conjugation); nil without
    /// lithography.
    public let layers: BinaryLayers?
    public let scales: MaskPerturbation.Scales
    /// "lithography" or "SLM": where λ₀ came from.
    public let wavelengthSource: String
    /// s, panel pixels per mask pixel on the design's SLM, and the SLM's name.
    public let superpixel: Int
    public let slmName: String

    public init(_ design: StoredDesign) throws {
        path = design.path
        phases = design.quantized.phases
        superpixel = design.layout.superpixel
        slmName = design.profile.name
        if let f = design.fabrication {
            let plan = try LithographyPlan(design.quantized, wavelength: f.wavelength, refractiveIndex: f.refractiveIndex,
                                           pixelPitch: f.pixelPitch, conjugated: f.conjugated)
            layers = try BinaryLayers(levels: plan.levels, shape: plan.shape, etchedLevels: plan.levelIndices,
                                      conjugated: plan.conjugated)
            scales = MaskPerturbation.Scales(pixelPitch: f.pixelPitch, wavelength: f.wavelength)
            wavelengthSource = "lithography"
        } else {
            layers = nil
            scales = MaskPerturbation.Scales(pixelPitch: nil, wavelength: design.chain.wavelength)
            wavelengthSource = "SLM"
        }
    }

    /// Why errors of `kind` cannot be realized on this mask, or nil.
    public func problem(_ kind: MaskPerturbation.Kind) -> String? {
        guard kind.needsLayers else { return nil }
        guard let layers else {
            return "\(path) has no lithography layers (export with --wavelength, --index and --pitch): "
                + "\(kind.rawValue) acts on its binary masks"
        }
        if kind == .misalignment && layers.count < 2 {
            return "\(path) is made of one binary mask (K = \(layers.levels)): there is nothing to misalign"
        }
        return nil
    }

    /// The unit amplitudes of `kind` are shown in for this mask, and that unit per mask unit:
    /// % (depth-scale, layer-depth, lut-gamma), µm (misalignment, with a pitch; else px), px
    /// (crosstalk: mask pixels) and nm (wavelength).
    public func displayUnit(_ kind: MaskPerturbation.Kind) -> (unit: String, perMaskUnit: Double) {
        switch kind {
        case .depthScale, .layerDepth, .lutGamma: return ("%", 100)
        case .misalignment:
            if let pitch = scales.pixelPitch { return ("µm", pitch / 1e-6) }
            return ("px", 1)
        case .crosstalk: return ("px", 1)
        case .wavelength:
            if let lambda = scales.wavelength { return ("nm", lambda / 1e-9) }
            return ("%", 100)
        }
    }

    /// One realization of `error` on this mask (`MaskError.applied`).
    public func realized(_ error: MaskError) throws -> Tensor {
        try error.applied(to: phases, layers: layers)
    }
}
