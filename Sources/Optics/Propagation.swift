import Foundation
import TensorCore

/// How the coded field `v = m_ℓ ⊙ x` travels from the mask plane to the sensor: the linear operator P
/// of the sensing model `y_ℓ = |P Pad v|²` (`SensingModel`; Pad is the centred zero padding by f).
///
/// - `farField`: `P = F`, the orthonormal 2-D DFT (a lens, or a sensor in the Fraunhofer zone): the
///   sensor sees spatial frequencies, zero frequency at index (0, 0). PhaseMask's model before 0.4.
/// - `angularSpectrum`: `P = F⁻¹ diag(H) F` with the transfer function of free space
///   `H(fx, fy) = exp(j2πz·√(1/λ² − fx² − fy²))` where the root is real, 0 for the evanescent
///   frequencies (dropped). Exact (Rayleigh–Sommerfeld) for a field sampled at the pitch.
/// - `fresnel`: `P = F⁻¹ diag(H_F) F` with the paraxial transfer function
///   `H_F(fx, fy) = exp(−jπλz(fx² + fy²))`; its constant phase `exp(jkz)`, k = 2π/λ, is dropped (a
///   global phase, which CDPs cannot see).
///
/// In the near field the sensor is the whole padded grid, `fH × fW` pixels at the mask's pitch, centred
/// on the mask (row 0 at the top): a sensor f times wider than the mask. `samplingProblem` says when
/// the grid cannot hold the propagation (docs/optics.md, "Near-field propagation").
public enum Propagation: Equatable, Sendable, CustomStringConvertible {
    case farField
    case angularSpectrum(NearFieldGeometry)
    case fresnel(NearFieldGeometry)

    /// The command-line and file spelling of each model.
    public enum Model: String, CaseIterable, Sendable {
        case farField = "far-field"
        case angularSpectrum = "angular-spectrum"
        case fresnel
    }

    public var model: Model {
        switch self {
        case .farField: return .farField
        case .angularSpectrum: return .angularSpectrum
        case .fresnel: return .fresnel
        }
    }

    /// The geometry of a near-field model, nil for the far field.
    public var nearField: NearFieldGeometry? {
        switch self {
        case .farField: return nil
        case .angularSpectrum(let g), .fresnel(let g): return g
        }
    }

    /// `model` with `geometry` (which the far field ignores).
    public init(_ model: Model, _ geometry: NearFieldGeometry?) throws {
        switch (model, geometry) {
        case (.farField, _): self = .farField
        case (.angularSpectrum, let g?): self = .angularSpectrum(g)
        case (.fresnel, let g?): self = .fresnel(g)
        case (_, nil): throw OpticsError("\(model.rawValue) propagation needs the pixel pitch, the wavelength and the distance")
        }
    }

    public var description: String {
        guard let g = nearField else { return "far field" }
        return "\(model == .fresnel ? "Fresnel" : "angular spectrum"), \(g)"
    }

    /// The transfer function H `[height, width]` (complex, zero frequency at index (0, 0), frequency
    /// `(k < ⌈M/2⌉ ? k : k − M)/(M·pitch)` along an axis of M samples) of a near-field model on a grid of
    /// `height × width` samples at the geometry's pitch; nil for the far field. Phases in Double, the
    /// constant `kz` reduced modulo 2π before it is added.
    public func transferFunction(height: Int, width: Int) -> ComplexField? {
        guard let g = nearField else { return nil }
        let h = ComplexField(uninitialized: [height, width])
        let (fy, fx) = (g.frequencies(count: height), g.frequencies(count: width))
        let inverseLambda = 1 / g.wavelength
        // exp(jkz) with kz = 2π·z/λ taken modulo 2π (z/λ is thousands of cycles).
        let constant = 2 * Double.pi * (g.distance / g.wavelength).truncatingRemainder(dividingBy: 1)
        for r in 0..<height {
            for c in 0..<width {
                let rho2 = fy[r] * fy[r] + fx[c] * fx[c]
                let phase: Double
                switch self {
                case .farField: return nil
                case .fresnel: phase = -Double.pi * g.wavelength * g.distance * rho2
                case .angularSpectrum:
                    let q = inverseLambda * inverseLambda - rho2
                    guard q > 0 else { h[r * width + c] = (0, 0); continue }   // evanescent: dropped
                    // 2πz(√(1/λ² − ρ²) − 1/λ) without cancellation, plus kz.
                    phase = constant - 2 * Double.pi * g.distance * rho2 / (q.squareRoot() + inverseLambda)
                }
                h[r * width + c] = (Float(cos(phase)), Float(sin(phase)))
            }
        }
        return h
    }
}

/// A lensless geometry in SI units: the pixel pitch of the mask (and of the sensor, which the
/// transfer-function methods sample at the same pitch), the wavelength, and the distance z from the
/// mask to the sensor. All three are metres; the command line takes µm, nm and mm.
public struct NearFieldGeometry: Equatable, Sendable, CustomStringConvertible {
    public let pitch: Double
    public let wavelength: Double
    public let distance: Double

    /// Throws unless all three are finite and positive (errors name the quantity and its value).
    public init(pitch: Double, wavelength: Double, distance: Double) throws {
        for (name, value, unit, scale) in [("pixel pitch", pitch, "µm", 1e6), ("wavelength", wavelength, "nm", 1e9),
                                           ("distance", distance, "mm", 1e3)] where !(value > 0 && value.isFinite) {
            throw OpticsError("the \(name) must be positive and finite, got \(Self.format(value * scale)) \(unit)")
        }
        (self.pitch, self.wavelength, self.distance) = (pitch, wavelength, distance)
    }

    public var description: String {
        "pitch \(Self.format(pitch * 1e6)) µm, λ \(Self.format(wavelength * 1e9)) nm, z \(Self.format(distance * 1e3)) mm"
    }

    /// The DFT frequencies of `count` samples at the pitch, in cycles per metre.
    func frequencies(count m: Int) -> [Double] {
        (0..<m).map { k in Double(k < (m + 1) / 2 ? k : k - m) / (Double(m) * pitch) }
    }

    /// A number with up to 4 significant digits and no trailing zeros ("8", "0.633", "12.5").
    static func format(_ value: Double) -> String {
        var text = String(format: "%.4g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
