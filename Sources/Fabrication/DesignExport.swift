import Foundation
import Optics
import Storage
import TensorCore

/// Settings of one export: the device levels, the SLM, and optionally the lithography.
public struct ExportSettings {
    /// Levels and stroke: the same `PhaseConstraints` the regularizer R(φ) used in training.
    public var constraints: PhaseConstraints
    public var profile: SLMProfile
    /// SLM pixels per design pixel along each axis; nil = the largest that fits.
    public var superpixel: Int?
    /// A measured gray → phase table; nil = the profile's linear mapping.
    public var lut: PhaseLUT?
    /// Lithography (needs K = 2^k uniform full-stroke levels); nil = no fabrication files.
    public var fabrication: FabricationSettings?
    /// A blazed grating or lens added to every frame (`DisplayChain`); nil = none.
    public var carrier: Carrier?
    /// Flatness corrections added to every frame (`DisplayChain`); nil = none.
    public var correction: PanelCorrection?
    /// The response at an operating wavelength other than the profile's (`PhaseResponse`, built from
    /// the profile and `lut`); nil = the profile's wavelength.
    public var response: PhaseResponse?

    public init(constraints: PhaseConstraints, profile: SLMProfile, superpixel: Int? = nil, lut: PhaseLUT? = nil,
                fabrication: FabricationSettings? = nil, carrier: Carrier? = nil, correction: PanelCorrection? = nil) {
        self.constraints = constraints
        self.profile = profile
        self.superpixel = superpixel
        self.lut = lut
        self.fabrication = fabrication
        self.carrier = carrier
        self.correction = correction
    }
}

/// Optics of a fabricated element.
public struct FabricationSettings: Codable, Equatable, Sendable {
    /// Design wavelength, metres.
    public var wavelength: Double
    /// Substrate refractive index at the wavelength.
    public var refractiveIndex: Double
    /// Pixel pitch of the element, metres (a whole number of nanometres).
    public var pixelPitch: Double
    /// Etch levels (K − ℓ) mod K instead of ℓ; see `LithographyPlan`.
    public var conjugated: Bool

    public init(wavelength: Double, refractiveIndex: Double, pixelPitch: Double, conjugated: Bool = false) {
        self.wavelength = wavelength
        self.refractiveIndex = refractiveIndex
        self.pixelPitch = pixelPitch
        self.conjugated = conjugated
    }
}

/// Everything one design export contains, computed once so that the HDF5 file, the SLM bitmaps
/// and the lithography files all describe the same mask.
///
/// The SLM shows the *quantized* mask: each snapshot's level phases go through the gray mapping, so
/// the displayed phase differs from the level phase by at most `encoder.worstCaseError` (half a gray
/// step for a linear mapping) unless gray2Pi is a multiple of K.
public struct DesignExport {
    /// The trained mask wrapped to [0, 2π), `[L, H, W]` radians.
    public let continuousPhase: Tensor
    public let quantized: QuantizedMask
    public let layout: SLMLayout
    public let encoder: GrayEncoder
    /// gray = LUT(κ · wrap(φ + carrier + correction)) (`DisplayChain`).
    public let chain: DisplayChain
    /// One panel image per snapshot (row 0 = top of the panel).
    public let displays: [GrayImage]
    /// The carrier's first-order efficiency with the panel's levels (`Carrier.efficiency`), with a carrier.
    public let carrierEfficiency: (total: Double, levels: Double, aperture: Double)?
    /// The response at the operating wavelength, when it differs from the profile's.
    public let response: PhaseResponse?
    /// RMS and largest phase error of the frames against the chain's targets (`DisplayChain.phaseError`).
    public let displayPhaseError: (rms: Double, max: Double)
    public let lithography: LithographyPlan?

    /// `mask` is the trained φ `[L, H, W]` in radians (any real values).
    public init(mask: Tensor, settings: ExportSettings, source: String = "mask") throws {
        try validateMask(mask, source: source)
        let wrapped = Tensor(uninitialized: mask.shape)
        for i in 0..<mask.count { wrapped.pointer[i] = wrapPhaseToFloat(Double(mask.pointer[i])) }
        continuousPhase = wrapped
        quantized = try PhaseQuantizer(settings.constraints).quantize(mask, source: source)
        layout = try SLMLayout(designHeight: mask.shape[1], designWidth: mask.shape[2], profile: settings.profile,
                               superpixel: settings.superpixel)
        let encoder = try settings.response?.encoder ?? settings.lut.map { try GrayEncoder(profile: settings.profile, lut: $0) }
            ?? GrayEncoder(profile: settings.profile)
        self.encoder = encoder
        response = settings.response
        chain = try DisplayChain(layout: layout, encoder: encoder, carrier: settings.carrier, correction: settings.correction,
                                 wavelength: settings.response?.wavelength, compression: settings.response?.compression ?? 1)
        displays = try chain.encode(quantized.phases, source: source)
        displayPhaseError = try chain.phaseError(quantized.phases, displays: displays)
        carrierEfficiency = try chain.carrierEfficiency()
        if let f = settings.fabrication {
            lithography = try LithographyPlan(quantized, wavelength: f.wavelength, refractiveIndex: f.refractiveIndex,
                                              pixelPitch: f.pixelPitch, conjugated: f.conjugated)
        } else {
            lithography = nil
        }
    }

    /// The phases the panel actually shows, decoded from `displays`, `[L, H, W]` radians.
    public func displayedPhase() throws -> Tensor {
        try chain.decode(displays)
    }
}

extension DesignExport {
    /// Bitmap formats written for this panel: 8-bit BMP and PNG up to 8 bits, 16-bit PNG and CSV beyond.
    public var frameFormats: [SLMBitmapFormat] { SLMBitmapFormat.exportFormats(for: layout.profile) }

    /// The frame file of snapshot `l`: `<stem>_slm.<ext>`, or `<stem>_slm_S<l>.<ext>` when L > 1.
    public func framePath(directory: URL, stem: String, snapshot l: Int, format: SLMBitmapFormat) -> String {
        SLMBitmapFormat.framePath(directory: directory, stem: stem, snapshot: l, of: displays.count, format: format)
    }

    /// Writes everything into `directory` and returns the paths: `<stem>.h5` (see `DesignFile`), one
    /// frame file per snapshot and format (`frameFormats`), and with lithography the mask PNGs, the
    /// GDSII file and the text summary (see `LithographyPlan.writeFiles`).
    ///
    /// All or nothing: the files are written into a hidden staging folder (`AtomicFileGroup`) and moved
    /// into `directory` only when every one is complete, the HDF5 file last; if anything fails (or the
    /// process dies) before that, `directory` keeps exactly what it held. `afterEachFile` is called with
    /// the final path of each file once it is staged; throwing from it abandons the export (tests use it
    /// to interrupt an export part-way).
    public func writeAll(to directory: URL, stem: String, metadata: DesignMetadata,
                         verification: VerificationData? = nil, sensing: SensingModel? = nil,
                         companions: [CompanionFile] = [],
                         afterEachFile: ((String) throws -> Void)? = nil) throws -> [String] {
        let group = try AtomicFileGroup(directory: directory.path, name: stem)
        let staging = URL(fileURLWithPath: group.stagingDirectory)
        var names: [String] = []
        func staged(_ path: String) throws {
            let name = URL(fileURLWithPath: path).lastPathComponent
            names.append(name)
            TestStopPoint.reached(.exportFile)
            try afterEachFile?(directory.appendingPathComponent(name).path)
        }
        do {
            let h5 = staging.appendingPathComponent("\(stem).h5").path
            try DesignFile.write(self, metadata: metadata, verification: verification, sensing: sensing, to: h5)
            try staged(h5)
            for (l, frame) in displays.enumerated() {
                for format in frameFormats {
                    let path = framePath(directory: staging, stem: stem, snapshot: l, format: format)
                    try SLMBitmap.write(frame, profile: layout.profile, format: format, to: path)
                    try staged(path)
                }
            }
            if let plan = lithography {
                for path in try plan.writeFiles(to: staging, stem: stem, date: metadata.created) { try staged(path) }
            }
            for companion in companions {
                let path = staging.appendingPathComponent("\(stem)\(companion.suffix)").path
                try companion.write(path)
                try staged(path)
            }
            let order = Array(names.dropFirst()) + [names[0]]   // the design file last
            let finals = try group.commit(order: order)
            return [finals[finals.count - 1]] + finals.dropLast()
        } catch {
            group.discard()
            throw error
        }
    }
}

/// A file written beside a design by a layer that Fabrication does not know (the recovery network,
/// written by Pipeline): named `<stem><suffix>`, staged and moved into place with the design's files.
public struct CompanionFile {
    public let suffix: String
    public let write: (String) throws -> Void

    public init(suffix: String, write: @escaping (String) throws -> Void) {
        self.suffix = suffix
        self.write = write
    }
}
