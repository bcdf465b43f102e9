import Foundation
import Optics
import Storage
import TensorCore

/// A design read back from its HDF5 file (see `DesignFile` for the layout), checked for internal
/// consistency: the level indices reproduce `/mask/phase`, the profile is valid, the placement
/// attributes match the profile and superpixel, every gray value is within the panel's range.
public struct StoredDesign {
    public let path: String
    /// The quantized mask rebuilt from `/mask/levels` and the stored constraints.
    public let quantized: QuantizedMask
    /// `/mask/phase_continuous`, `[L, H, W]` radians.
    public let continuousPhase: Tensor
    public let layout: SLMLayout
    public let encoder: GrayEncoder
    /// The chain the frames were composed with (carrier, corrections; `DisplayChain`).
    public let chain: DisplayChain
    /// `/slm/display`, one frame per snapshot.
    public let displays: [GrayImage]
    /// `/fabrication/height` in metres and its settings, when the export had lithography.
    public let height: Tensor?
    public let fabrication: FabricationSettings?
    public let verification: VerificationData?
    public let metadata: DesignMetadata
    /// `/sensing`: the propagation and zero padding the design was measured with (far field, padded as
    /// `/verification`, in files older than 0.4).
    public let sensing: SensingModel

    public var profile: SLMProfile { layout.profile }
}

extension DesignFile {
    /// Reads and checks a design file. Errors name the file and the object.
    public static func read(path: String) throws -> StoredDesign {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let found = (try? file.stringAttribute("format")) ?? "nothing"
        guard found == format else {
            throw FabricationError(path, "not a \(format) file (format attribute: \(found))")
        }
        let version = try file.intAttribute("format_version")
        guard version >= 1, version <= formatVersion else {
            throw FabricationError(path, "format version \(version) is not supported (this build reads 1…\(formatVersion))")
        }
        let (quantized, continuous) = try readMask(file, path)
        let (layout, encoder, displays) = try readSLM(file, path, maskShape: quantized.shape)
        let chain = try readChain(file, path, layout: layout, encoder: encoder)
        var height: Tensor? = nil, fabrication: FabricationSettings? = nil
        if file.exists("/fabrication/height") {
            (height, fabrication) = try readFabrication(file, shape: quantized.shape)
        }
        let verification = file.exists("/verification") ? try readVerification(file, maskShape: quantized.shape) : nil
        let sensing = try readSensing(file, maskShape: quantized.shape, verification: verification)
        return StoredDesign(path: path, quantized: quantized, continuousPhase: continuous, layout: layout, encoder: encoder,
                            chain: chain, displays: displays, height: height, fabrication: fabrication, verification: verification,
                            metadata: try readMetadata(file), sensing: sensing)
    }

    /// `/sensing`, checked against the verification's oversampling and the mask's grid; the far field
    /// (padded as the verification data) when the file has none.
    private static func readSensing(_ file: HDF5File, maskShape: [Int], verification: VerificationData?) throws -> SensingModel {
        guard file.exists("/sensing") else { return try SensingModel(oversampling: verification?.oversampling ?? 1) }
        guard let propagation = try SensingAttributes.read(from: file, on: "/sensing") else {
            throw FabricationError(file.path, "/sensing has no propagation attribute")
        }
        let pad = try file.intAttribute("pad", of: "/sensing")
        guard (1...maximumOversampling).contains(pad) else {
            throw FabricationError(file.path, "/sensing pad \(pad) must be in 1…\(maximumOversampling)")
        }
        if let v = verification, v.oversampling != pad {
            throw FabricationError(file.path, "/sensing pad \(pad) disagrees with the /verification oversampling \(v.oversampling)")
        }
        let sensing = try SensingModel(oversampling: pad, propagation: propagation)
        if let problem = sensing.samplingProblems(height: maskShape[1], width: maskShape[2]).first {
            throw FabricationError(file.path, "/sensing: \(problem)")
        }
        return sensing
    }

    private static func readMask(_ file: HDF5File, _ path: String) throws -> (QuantizedMask, Tensor) {
        let phase = try file.readTensor("/mask/phase", requireFinite: true)
        guard phase.rank == 3, phase.shape.allSatisfy({ $0 > 0 }) else {
            throw FabricationError(path, "/mask/phase has shape \(phase.shape), expected [L, H, W]")
        }
        let continuous = try file.readTensor("/mask/phase_continuous", shape: phase.shape, requireFinite: true)
        let levels = try file.read(Int32.self, "/mask/levels", shape: phase.shape).values.map(Int.init)
        let levelPhases = try file.read(Double.self, "/mask/level_phases", requireFinite: true).values
        let constraints: PhaseConstraints
        do {
            constraints = try PhaseConstraints(levels: try file.intAttribute("levels", of: "/mask"),
                                               stroke: try file.doubleAttribute("stroke_rad", of: "/mask"),
                                               levelPhases: try file.intAttribute("measured_levels", of: "/mask") == 1
                                                   ? levelPhases : nil)
        } catch let invalid as PhaseConstraints.Invalid {
            throw FabricationError(path, "/mask: \(invalid)")
        }
        let quantizer = PhaseQuantizer(constraints)
        guard quantizer.levelPhases.count == levelPhases.count,
              zip(quantizer.levelPhases, levelPhases).allSatisfy({ abs($0 - $1) < 1e-9 }) else {
            throw FabricationError(path, "/mask/level_phases disagrees with the stored levels and stroke")
        }
        let rebuilt = try quantizer.mask(levelIndices: levels, shape: phase.shape, source: "\(path): /mask/levels")
        let report = QuantizationReport(levels: constraints.levels,
                                        rmsPhaseError: try file.doubleAttribute("rms_phase_error_rad", of: "/mask"),
                                        maxPhaseError: try file.doubleAttribute("max_phase_error_rad", of: "/mask"),
                                        shareBeyondHalfStep: try file.doubleAttribute("share_beyond_half_step", of: "/mask"),
                                        phaseErrorEfficiency: try file.doubleAttribute("phase_error_efficiency", of: "/mask"))
        let quantized = QuantizedMask(shape: rebuilt.shape, levelIndices: levels, phases: rebuilt.phases,
                                      levelPhases: rebuilt.levelPhases, constraints: constraints, report: report)
        for i in 0..<phase.count where abs(phase.pointer[i] - quantized.phases.pointer[i]) > 1e-5 {
            throw FabricationError(path, "/mask/phase element \(i) (\(phase.pointer[i])) disagrees with its level "
                                   + "\(levels[i]) (\(quantized.phases.pointer[i]) rad)")
        }
        return (quantized, continuous)
    }

    private static func readSLM(_ file: HDF5File, _ path: String, maskShape: [Int]) throws
        -> (SLMLayout, GrayEncoder, [GrayImage]) {
        let object = "/slm/display"
        let profile = try SLMProfile.parse(json: Data(try file.stringAttribute("profile_json", of: object).utf8),
                                           source: "\(path): \(object) profile_json")
        let layout: SLMLayout
        do {
            layout = try SLMLayout(designHeight: maskShape[1], designWidth: maskShape[2], profile: profile,
                                   superpixel: try file.intAttribute("superpixel", of: object))
        } catch let error as FabricationError {
            throw FabricationError(path, "\(object): \(error.problem)")
        }
        let stored = try ["margin_top", "margin_left", "margin_bottom", "margin_right"].map { try file.intAttribute($0, of: object) }
        guard stored == [layout.top, layout.left, layout.bottom, layout.right] else {
            throw FabricationError(path, "\(object) margins \(stored) do not match the profile and superpixel")
        }
        let encoder: GrayEncoder
        switch try file.stringAttribute("mapping", of: object) {
        case "linear":
            encoder = GrayEncoder(profile: profile)
        case "lookup table":
            let table = try file.read(Double.self, "/slm/lut", requireFinite: true)
            guard table.shape.count == 2, table.shape[1] == 2 else {
                throw FabricationError(path, "/slm/lut has shape \(table.shape), expected [N, 2]")
            }
            var pairs: [(gray: Int, phase: Double)] = []
            for r in 0..<table.shape[0] {
                guard let gray = Int(exactly: table.values[2 * r]) else {
                    throw FabricationError(path, "/slm/lut row \(r): gray \(table.values[2 * r]) is not an integer")
                }
                pairs.append((gray, table.values[2 * r + 1]))
            }
            encoder = try GrayEncoder(profile: profile, lut: try PhaseLUT(pairs: pairs, maxGray: profile.maxGray,
                                                                            source: "\(path): /slm/lut"))
        case let other:
            throw FabricationError(path, "\(object) has unknown mapping '\(other)'")
        }
        let frames = try file.read(UInt16.self, object, shape: [maskShape[0], profile.rows, profile.columns]).values
        let n = profile.rows * profile.columns
        if let bad = frames.firstIndex(where: { Int($0) > profile.maxGray }) {
            throw FabricationError(path, "\(object) element \(bad) holds gray \(frames[bad]) above \(profile.maxGray)")
        }
        let displays = (0..<maskShape[0]).map {
            GrayImage(width: profile.columns, height: profile.rows, pixels: Array(frames[($0 * n)..<(($0 + 1) * n)]))
        }
        return (layout, encoder, displays)
    }

    private static func readFabrication(_ file: HDF5File, shape: [Int]) throws -> (Tensor, FabricationSettings) {
        let object = "/fabrication/height"
        let height = try file.readTensor(object, shape: shape, requireFinite: true)
        let settings = FabricationSettings(wavelength: try file.doubleAttribute("wavelength_m", of: object),
                                           refractiveIndex: try file.doubleAttribute("refractive_index", of: object),
                                           pixelPitch: try file.doubleAttribute("pixel_pitch_m", of: object),
                                           conjugated: try file.intAttribute("conjugated", of: object) == 1)
        return (height, settings)
    }

    /// Largest zero-padding factor a design file may record (the optics use 1 or 2).
    public static let maximumOversampling = 16

    private static func readVerification(_ file: HDF5File, maskShape: [Int]) throws -> VerificationData {
        let scenes = try file.readTensor("/verification/scenes", requireFinite: true)
        guard scenes.rank == 4, scenes.shape[3] == 2, scenes.shape[1] == maskShape[1], scenes.shape[2] == maskShape[2] else {
            throw FabricationError(file.path, "/verification/scenes has shape \(scenes.shape), expected "
                                   + "[B, \(maskShape[1]), \(maskShape[2]), 2]")
        }
        let f = try file.intAttribute("oversampling", of: "/verification")
        guard (1...maximumOversampling).contains(f) else {
            throw FabricationError(file.path, "/verification oversampling \(f) must be in 1…\(maximumOversampling)")
        }
        let expected = [scenes.shape[0], maskShape[0], maskShape[1] * f, maskShape[2] * f]
        return VerificationData(scenes: ComplexField(storage: scenes),
                                cdp: try file.readTensor("/verification/cdp", shape: expected, requireFinite: true),
                                displayCDP: try file.readTensor("/verification/cdp_display", shape: expected, requireFinite: true),
                                oversampling: f)
    }

    private static func readMetadata(_ file: HDF5File) throws -> DesignMetadata {
        var metrics: [String: Double] = [:]
        for name in try file.attributeNames(of: "/design/metrics") {
            metrics[name] = try file.doubleAttribute(name, of: "/design/metrics")
        }
        let stamp = try file.stringAttribute("created_utc", of: "/design")
        guard let created = ISO8601DateFormatter().date(from: stamp) else {
            throw FabricationError(file.path, "/design created_utc '\(stamp)' is not an ISO 8601 time")
        }
        return DesignMetadata(softwareVersion: try file.stringAttribute("software_version", of: "/design"),
                              configurationJSON: try file.stringAttribute("configuration_json", of: "/design"),
                              metrics: metrics, created: created)
    }
}
