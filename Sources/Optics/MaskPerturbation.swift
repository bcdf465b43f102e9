import Foundation
import TensorCore

/// A model of how a realized mask departs from its design: one kind of fabrication or display error
/// and its amplitude. `draw` turns it into one random realization (`MaskError`), whose `applied(to:)`
/// is a pure function on the phase φ `[L, H, W]` (radians). `phasemask tolerance` scores a design
/// under many draws; training can apply one draw per step to the masks that make the measurements
/// (`--perturb KIND:AMPLITUDE`, `TrainingConfig.perturbation`), so a design becomes robust to it.
///
/// Every kind acts on the wrapped phase w = wrap(φ) ∈ [0, 2π), the phase the element or panel
/// realizes (docs/tolerance.md has the maths). `amplitude` is in mask units,
/// the same for every command:
///
/// | kind | realization (g, g_i standard normal draws) | amplitude a |
/// |---|---|---|
/// | `depth-scale` | w → s·w, s = 1 + a·g (all etch depths, or the SLM's phase range 2π·s) | rms of s − 1 |
/// | `layer-depth` | layer i's depth × (1 + a·g_i), i = 1…k (K = 2^k lithography levels) | rms of each layer's relative error |
/// | `misalignment` | layers 2…k shifted by (a/√2)(g_i, g_i′) pixels against layer 1 | rms length of a shift, pixels |
/// | `crosstalk` | w blurred by a Gaussian of σ = a pixels (SLM fringing); no draws | σ, pixels |
/// | `lut-gamma` | w → 2π·(w/2π)^γ, γ = exp(a·g) (a panel's gray-to-phase curve) | rms of ln γ |
/// | `wavelength` | w → w·λ₀/λ, λ = λ₀(1 + a·g) (fixed etch depth or LUT; dispersion ignored) | rms of Δλ/λ₀ |
///
/// Zero amplitude realizes the nominal mask exactly (`MaskError.isIdentity`). Draws take the same
/// numbers from the generator whatever the amplitude, so draw d of two amplitudes differs only in scale.
public struct MaskPerturbation: Equatable, Codable, Sendable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case depthScale = "depth-scale"
        case layerDepth = "layer-depth"
        case misalignment
        case crosstalk
        case lutGamma = "lut-gamma"
        case wavelength

        /// Whether the kind needs the binary lithography layers (K = 2^k uniform levels).
        public var needsLayers: Bool { self == .layerDepth || self == .misalignment }
        /// Whether draws differ (every kind but the deterministic crosstalk).
        public var isRandom: Bool { self != .crosstalk }
        /// Units an amplitude of this kind may be written in (`parseAmplitude`).
        public var units: [String] {
            switch self {
            case .depthScale, .layerDepth, .lutGamma: return ["%"]
            case .misalignment: return ["px", "um"]
            case .crosstalk: return ["px"]
            case .wavelength: return ["%", "nm"]
            }
        }
        /// The largest amplitude accepted, in mask units.
        public var maximumAmplitude: Double {
            switch self {
            case .depthScale, .layerDepth: return 0.5
            case .lutGamma: return 1
            case .wavelength: return 0.1
            case .misalignment, .crosstalk: return 16
            }
        }
    }

    public var kind: Kind
    /// In mask units (see the type's table): a fraction for depth-scale, layer-depth, lut-gamma and
    /// wavelength, pixels for misalignment and crosstalk.
    public var amplitude: Double

    public init(_ kind: Kind, amplitude: Double) {
        self.kind = kind
        self.amplitude = amplitude
    }

    /// A problem with the amplitude, or nil.
    public var problem: String? {
        guard amplitude.isFinite, amplitude >= 0, amplitude <= kind.maximumAmplitude else {
            return "perturbation \(kind.rawValue): amplitude \(amplitude) must be in 0…\(kind.maximumAmplitude) (mask units)"
        }
        return nil
    }

    public var description: String {
        switch kind {
        case .misalignment, .crosstalk: return "\(kind.rawValue):\(format(amplitude))px"
        default: return "\(kind.rawValue):\(format(100 * amplitude))%"
        }
    }

    private func format(_ v: Double) -> String { String(format: "%g", v) }

    /// One realization, drawn from `generator`. `layerCount` is k, the binary layers of the element
    /// (`BinaryLayers.count`; only layer-depth and misalignment use it, and draw k or 2(k − 1) normals).
    public func draw(layerCount k: Int, generator: inout SeededGenerator) -> MaskError {
        let a = amplitude
        func normal() -> Double { Double(generator.normal()) }
        switch kind {
        case .depthScale: return .depthScale(1 + a * normal())
        case .layerDepth: return .layerDepth((0..<max(k, 0)).map { _ in a * normal() })
        case .misalignment:
            let sigma = a / 2.squareRoot()
            let shifts = (0..<max(k, 0)).map { i -> LayerShift in
                guard i > 0 else { return LayerShift(rows: 0, columns: 0) }
                let (dy, dx) = (normal(), normal())
                return LayerShift(rows: sigma * dy, columns: sigma * dx)
            }
            return .misalignment(shifts)
        case .crosstalk: return .crosstalk(sigma: a)
        case .lutGamma: return .lutGamma(exp(a * normal()))
        case .wavelength:
            // λ/λ₀ = 1 + a·g; kept above 0.01 (|g| > 9.9 at the largest amplitude: never in practice).
            return .depthScale(1 / max(1 + a * normal(), 0.01))
        }
    }
}

extension MaskPerturbation {
    /// What converts physical amplitudes into mask units: the element's pixel pitch (for µm) and its
    /// design wavelength λ₀ (for nm), both in metres; nil where unknown (training from a checkpoint).
    public struct Scales: Equatable, Sendable {
        public var pixelPitch: Double?
        public var wavelength: Double?
        public init(pixelPitch: Double? = nil, wavelength: Double? = nil) {
            self.pixelPitch = pixelPitch
            self.wavelength = wavelength
        }
    }

    /// The one command-line syntax, on every command: `KIND:AMPLITUDE` with the amplitude's unit
    /// written out (`depth-scale:5%`, `misalignment:0.1px`, `crosstalk:0.5px`, `wavelength:1%`);
    /// µm and nm need `scales`. Validated.
    public init(parsing text: String, scales: Scales = Scales()) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0].lowercased()) else {
            throw OpticsError("perturbation must be KIND:AMPLITUDE with KIND one of "
                              + Kind.allCases.map(\.rawValue).joined(separator: ", ") + ", got '\(text)'")
        }
        self.init(kind, amplitude: try Self.parseAmplitude(parts[1], kind: kind, scales: scales))
        if let problem { throw OpticsError(problem) }
    }

    /// An amplitude of `kind` written with its unit (`Kind.units`), in mask units: `%` → fraction,
    /// `px` → pixels, `um` (or `µm`) → pixels through `scales.pixelPitch`, `nm` → Δλ/λ₀ through
    /// `scales.wavelength`. A bare number is refused: it would have to guess the unit.
    public static func parseAmplitude(_ text: String, kind: Kind, scales: Scales = Scales()) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "µm", with: "um")
        let unit = kind.units.first { trimmed.hasSuffix($0) }
        let accepted = kind.units.joined(separator: " or ")
        guard let unit, let value = Double(trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)),
              value.isFinite, value >= 0 else {
            throw OpticsError("\(kind.rawValue) amplitude '\(text)' must be a number ≥ 0 with its unit, \(accepted) "
                              + "(e.g. \(kind.rawValue):\(example(kind)))")
        }
        switch unit {
        case "%": return value / 100
        case "um":
            guard let pitch = scales.pixelPitch, pitch > 0 else {
                throw OpticsError("\(kind.rawValue) amplitude '\(text)' in µm needs the element's pixel pitch; give it in px (mask pixels)")
            }
            return value * 1e-6 / pitch
        case "nm":
            guard let lambda = scales.wavelength, lambda > 0 else {
                throw OpticsError("\(kind.rawValue) amplitude '\(text)' in nm needs the design wavelength; give Δλ/λ₀ in %")
            }
            return value * 1e-9 / lambda
        default: return value
        }
    }

    private static func example(_ kind: Kind) -> String {
        switch kind {
        case .misalignment: return "0.1px"
        case .crosstalk: return "0.5px"
        default: return "5%"
        }
    }
}
