import Foundation
import Optics
import Storage
import TensorCore

/// Provenance and results stored under `/design`.
public struct DesignMetadata: Equatable {
    public var softwareVersion: String
    /// The training/export configuration as JSON text.
    public var configurationJSON: String
    /// Named metrics, e.g. `psnr_continuous_db`, `ssim_quantized`, `psnr_finetuned_db`: the unit is
    /// part of the name (dB for PSNR; SSIM is dimensionless).
    public var metrics: [String: Double]
    public var created: Date

    public init(softwareVersion: String, configurationJSON: String = "{}", metrics: [String: Double] = [:],
                created: Date = Date()) {
        self.softwareVersion = softwareVersion
        self.configurationJSON = configurationJSON
        self.metrics = metrics
        self.created = created
    }
}

/// Test scenes and the CDPs a design must produce, stored under `/verification`.
public struct VerificationData {
    /// Complex scenes `[B, H, W]` (stored as float32 `[B, H, W, 2]`, last axis real, imaginary).
    public var scenes: ComplexField
    /// CDPs of the quantized mask `/mask/phase`, `[B, L, H', W']`.
    public var cdp: Tensor
    /// CDPs of the phases the panel shows (decoded from `/slm/display`), `[B, L, H', W']`.
    public var displayCDP: Tensor
    /// Zero-padding factor of the sensing model.
    public var oversampling: Int

    public init(scenes: ComplexField, cdp: Tensor, displayCDP: Tensor, oversampling: Int) {
        self.scenes = scenes
        self.cdp = cdp
        self.displayCDP = displayCDP
        self.oversampling = oversampling
    }
}

/// One self-describing HDF5 file per design (format `phasemask-design`, version 1, or 2 when the frames
/// carry a carrier, correction or compression).
///
/// | object | contents |
/// |---|---|
/// | `/` | attrs `format`, `format_version` |
/// | `/mask` | attrs `levels` (K), `stroke_rad`, `measured_levels` (0/1), the quantization report (`rms_phase_error_rad`, `max_phase_error_rad`, `share_beyond_half_step`, `first_order_efficiency_uniform`, `phase_error_efficiency`) |
/// | `/mask/phase` | float32 `[L,H,W]`, quantized level phases wrapped to [0, 2π), `units = "rad"` |
/// | `/mask/phase_continuous` | float32 `[L,H,W]`, the trained mask wrapped to [0, 2π), `units = "rad"` |
/// | `/mask/levels` | int32 `[L,H,W]`, level indices into `/mask/level_phases` |
/// | `/mask/level_phases` | float64 `[n]`, `units = "rad"` |
/// | `/slm/display` | uint16 `[L, rows, columns]`, the exact gray values of each frame (row 0 = top of the panel); attrs: the profile (`profile_name`, `columns`, `rows`, `pixel_pitch_m`, `bit_depth`, `gray_2pi`, `design_wavelength_m`, `inverted`, `profile_json`), the placement (`superpixel`, `margin_top/left/bottom/right`), `mapping` ("linear" or "lookup table") |
/// | `/slm/lut` | float64 `[N, 2]` (gray, phase in rad), only with a lookup table |
/// | `/slm/display` (since 0.3) | attrs of the `DisplayChain`: `composition` (the fixed order), `carrier` (`none`, `blaze:PX,PY`, `lens:F`), `operating_wavelength_m`, `phase_compression`, `phase_error_rms_rad`, `phase_error_max_rad`; at another wavelength `stroke_policy`, `stroke_at_wavelength_rad`, `response_scale`; with a carrier `carrier_efficiency` (and its `_levels`, `_aperture` factors); absent in older files = no carrier, the profile's wavelength, κ = 1 |
/// | `/slm/correction` | float64 `[rows, columns]`, the summed flatness correction at the operating wavelength, `units = "rad"`; attrs `files_json` (per file: `file`, `path`, `sha256`, `kind`, `gray2Pi`, `wavelength`, `phaseScale`), `order`; only with corrections |
/// | `/fabrication/height` | float32 `[L,H,W]`, etch depth, `units = "m"`; attrs `wavelength_m`, `refractive_index`, `pixel_pitch_m`, `levels`, `mask_count`, `conjugated`, `etch_depths_m`, `summary` (only with lithography) |
/// | `/verification/scenes` | float32 `[B,H,W,2]` (re, im); `/verification/cdp`, `/verification/cdp_display` float32 `[B,L,H',W']`; attr `oversampling` on the group |
/// | `/sensing` (since 0.4) | attrs `propagation` (`far-field`, `angular-spectrum`, `fresnel`), `pad` (the zero padding f, = `/verification` `oversampling`), near field `pixel_pitch_m`, `wavelength_m`, `distance_m` (`SensingAttributes`); absent in older files = the far field |
/// | `/design` | attrs `software_version`, `created_utc` (ISO 8601), `configuration_json`, `metrics_json`; `/design/metrics` has one float64 attr per metric |
///
/// Physical datasets carry a `units` attribute (SI); physical scalar attributes carry the unit in
/// their name (`_m`, `_rad`). The file appears only when complete (Storage writes to a temporary name).
public enum DesignFile {
    public static let format = "phasemask-design"
    /// The newest version this build writes and reads: 3 for a design measured in the near field
    /// (`/sensing`), which a reader of version 1 or 2 would take for a far-field design; 2 for a design
    /// whose frames carry a carrier, a correction or a phase compression (`DisplayChain`), which a reader
    /// of version 1 would decode wrongly; every other design is written as version 1, as before.
    public static let formatVersion = 3

    /// The version a design is written as (see `formatVersion`).
    static func version(_ export: DesignExport, sensing: SensingModel) -> Int {
        sensing.propagation != .farField ? 3 : (export.chain.isPlain ? 1 : 2)
    }

    /// Writes `export` (with optional verification data, taken with `sensing`; nil: the far field at the
    /// verification's oversampling) to `path`; on any error no file appears.
    public static func write(_ export: DesignExport, metadata: DesignMetadata, verification: VerificationData? = nil,
                             sensing: SensingModel? = nil, to path: String) throws {
        if let v = verification { try check(v, export, path) }
        let sensing = try sensing ?? SensingModel(oversampling: verification?.oversampling ?? 1)
        if let v = verification, v.oversampling != sensing.oversampling {
            throw FabricationError(path, "verification CDPs at oversampling \(v.oversampling) but a sensing geometry padded by \(sensing.oversampling)")
        }
        let file = try HDF5File.create(path: path)
        do {
            try file.setAttribute("format", .string(format))
            try file.setAttribute("format_version", .int(version(export, sensing: sensing)))
            try writeMask(export, file)
            try writeSLM(export, file)
            if let plan = export.lithography { try writeFabrication(plan, file) }
            if let v = verification { try writeVerification(v, file) }
            try file.createGroup("/sensing")
            try SensingAttributes.write(sensing.propagation, to: file, on: "/sensing")
            try file.setAttribute("pad", .int(sensing.oversampling), on: "/sensing")
            try writeDesign(metadata, file)
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }

    private static func check(_ v: VerificationData, _ export: DesignExport, _ path: String) throws {
        let shape = export.quantized.shape
        let scene = v.scenes.shape
        guard scene.count == 3, scene[1] == shape[1], scene[2] == shape[2], v.oversampling >= 1 else {
            throw FabricationError(path, "verification scenes \(scene) do not match the \(shape[1])×\(shape[2]) mask")
        }
        let expected = [scene[0], shape[0], shape[1] * v.oversampling, shape[2] * v.oversampling]
        guard v.cdp.shape == expected, v.displayCDP.shape == expected else {
            throw FabricationError(path, "verification CDPs \(v.cdp.shape) and \(v.displayCDP.shape) should be \(expected)")
        }
    }

    private static func writeMask(_ export: DesignExport, _ file: HDF5File) throws {
        let q = export.quantized
        try file.write(q.phases, to: "/mask/phase", requireFinite: true)
        try file.setAttribute("units", .string("rad"), on: "/mask/phase")
        try file.setAttribute("description", .string("quantized level phases, wrapped to [0, 2pi)"), on: "/mask/phase")
        try file.write(export.continuousPhase, to: "/mask/phase_continuous", requireFinite: true)
        try file.setAttribute("units", .string("rad"), on: "/mask/phase_continuous")
        try file.setAttribute("description", .string("trained phase before quantization, wrapped to [0, 2pi)"),
                              on: "/mask/phase_continuous")
        try file.write(q.levelIndices.map { Int32($0) }, shape: q.shape, to: "/mask/levels")
        try file.setAttribute("description", .string("level index per pixel into /mask/level_phases"), on: "/mask/levels")
        try file.write(q.levelPhases, shape: [q.levelPhases.count], to: "/mask/level_phases", requireFinite: true)
        try file.setAttribute("units", .string("rad"), on: "/mask/level_phases")
        let r = q.report
        let attributes: [(String, HDF5Attribute)] = [
            ("levels", .int(q.constraints.levels)), ("stroke_rad", .double(q.constraints.stroke)),
            ("measured_levels", .int(q.constraints.levelPhases == nil ? 0 : 1)),
            ("rms_phase_error_rad", .double(r.rmsPhaseError)), ("max_phase_error_rad", .double(r.maxPhaseError)),
            ("share_beyond_half_step", .double(r.shareBeyondHalfStep)),
            ("first_order_efficiency_uniform", .double(r.uniformLevelEfficiency)),
            ("phase_error_efficiency", .double(r.phaseErrorEfficiency)),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value, on: "/mask") }
    }

    private static func writeSLM(_ export: DesignExport, _ file: HDF5File) throws {
        let layout = export.layout, p = layout.profile
        let frames = export.displays.flatMap(\.pixels)
        try file.write(frames, shape: [export.displays.count, p.rows, p.columns], to: "/slm/display")
        let profileJSON = String(decoding: try p.jsonData(), as: UTF8.self)
        var mapping = "linear"
        if case .table(let lut) = export.encoder.mapping {
            mapping = "lookup table"
            try file.write(lut.entries.flatMap { [Double($0.gray), $0.phase] }, shape: [lut.entries.count, 2], to: "/slm/lut")
            try file.setAttribute("units", .string("gray, rad"), on: "/slm/lut")
        }
        let attributes: [(String, HDF5Attribute)] = [
            ("profile_name", .string(p.name)), ("columns", .int(p.columns)), ("rows", .int(p.rows)),
            ("pixel_pitch_m", .double(p.pixelPitch)), ("bit_depth", .int(p.bitDepth)), ("gray_2pi", .int(p.gray2Pi)),
            ("design_wavelength_m", .double(p.designWavelength)), ("inverted", .int(p.inverted ? 1 : 0)),
            ("profile_json", .string(profileJSON)), ("superpixel", .int(layout.superpixel)),
            ("margin_top", .int(layout.top)), ("margin_left", .int(layout.left)),
            ("margin_bottom", .int(layout.bottom)), ("margin_right", .int(layout.right)),
            ("mapping", .string(mapping)),
            ("orientation", .string("array row 0 is the top row of the panel, column 0 its left column")),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value, on: "/slm/display") }
        try writeChain(export, file)
    }

    private static func writeFabrication(_ plan: LithographyPlan, _ file: HDF5File) throws {
        try file.write(plan.heightMap(), to: "/fabrication/height", requireFinite: true)
        let attributes: [(String, HDF5Attribute)] = [
            ("units", .string("m")), ("wavelength_m", .double(plan.wavelength)),
            ("refractive_index", .double(plan.refractiveIndex)), ("pixel_pitch_m", .double(plan.pixelPitch)),
            ("levels", .int(plan.levels)), ("mask_count", .int(plan.maskCount)),
            ("conjugated", .int(plan.conjugated ? 1 : 0)),
            ("etch_depths_m", .doubles((1...plan.maskCount).map { plan.etchDepth(mask: $0) })),
            ("summary", .string(plan.summary())),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value, on: "/fabrication/height") }
    }

    private static func writeVerification(_ v: VerificationData, _ file: HDF5File) throws {
        try file.write(v.scenes.storage, to: "/verification/scenes", requireFinite: true)
        try file.setAttribute("layout", .string("last axis: real, imaginary"), on: "/verification/scenes")
        try file.setAttribute("units", .string("arbitrary (field amplitude)"), on: "/verification/scenes")
        for (name, cdp, source) in [("cdp", v.cdp, "/mask/phase"), ("cdp_display", v.displayCDP, "/slm/display decoded")] {
            try file.write(cdp, to: "/verification/\(name)", requireFinite: true)
            try file.setAttribute("units", .string("arbitrary (|field|^2)"), on: "/verification/\(name)")
            try file.setAttribute("mask", .string(source), on: "/verification/\(name)")
        }
        try file.setAttribute("oversampling", .int(v.oversampling), on: "/verification")
    }

    private static func writeDesign(_ m: DesignMetadata, _ file: HDF5File) throws {
        try file.createGroup("/design")
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metricsJSON = String(decoding: try encoder.encode(m.metrics), as: UTF8.self)
        try file.setAttribute("software_version", .string(m.softwareVersion), on: "/design")
        try file.setAttribute("created_utc", .string(formatter.string(from: m.created)), on: "/design")
        try file.setAttribute("configuration_json", .string(m.configurationJSON), on: "/design")
        try file.setAttribute("metrics_json", .string(metricsJSON), on: "/design")
        try file.createGroup("/design/metrics")
        for (name, value) in m.metrics.sorted(by: { $0.key < $1.key }) {
            try file.setAttribute(name, .double(value), on: "/design/metrics")
        }
    }
}
