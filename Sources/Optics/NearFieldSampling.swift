import Foundation

/// The sampling numbers of a near-field propagation (`Propagation`) of an `H × W` mask padded by f, and
/// whether the grid holds it (docs/optics.md, "Near-field propagation", has the derivations).
///
/// The transfer-function methods compute a periodic field on the padded `fH × fW` window: light that
/// leaves it on one side enters on the other. A plane wave of spatial frequency (fx, fy) walks sideways
/// by `z·λfx/√(1 − λ²(fx² + fy²))` over the distance z (angular spectrum; `zλfx` for Fresnel, the local
/// frequency of H's chirp), most at the corner of the grid's band, fx = fy = f_c = 1/(2·pitch): that
/// `walk` s. The grid holds the propagation when no light that reaches the recorded sensor (the whole
/// window) has wrapped: `s ≤ d`, the margin `d = (f − 1)·min(H, W)·pitch/2` the padding leaves around
/// the mask. This implies the sampling condition of the transfer function itself (its chirp's local
/// frequency below the Nyquist limit of the frequency grid, `s ≤ f·N·pitch/2`: Matsushima and Shimobaba's
/// band limit for the angular spectrum, `z ≤ fN·pitch²/λ` for Fresnel), so nothing aliases. With f = 2
/// the Fresnel condition is the classic `z ≤ N·pitch²/λ`. Without padding (f = 1) there is no margin:
/// every distance wraps.
///
/// Fresnel is valid when its paraxial phase differs from the angular spectrum's by at most π/2
/// (Rayleigh's quarter wave) at the band's corner, where the difference is largest.
public struct NearFieldSampling: Equatable, Sendable {
    public let propagation: Propagation
    public let height: Int, width: Int, pad: Int
    /// f_c = 1/(2·pitch), cycles per metre.
    public let nyquist: Double
    /// s, metres (infinite when the corner of the band is evanescent).
    public let walk: Double
    /// d, metres.
    public let margin: Double
    /// Fresnel's phase error at the band's corner, radians (0 for the angular spectrum).
    public let fresnelPhaseError: Double

    /// The largest Fresnel phase error accepted, radians: Rayleigh's quarter wave.
    public static let fresnelPhaseLimit = Double.pi / 2
    /// The largest padding factor accepted (as for the far field's oversampling).
    public static let maximumPad = 16

    /// nil for the far field.
    public init?(_ propagation: Propagation, height: Int, width: Int, pad: Int) {
        guard let g = propagation.nearField else { return nil }
        (self.propagation, self.height, self.width, self.pad) = (propagation, height, width, pad)
        nyquist = 1 / (2 * g.pitch)
        margin = Double(max(pad - 1, 0) * min(height, width)) * g.pitch / 2
        let corner = 2 * g.wavelength * g.wavelength * nyquist * nyquist   // λ²(fx² + fy²) at fx = fy = f_c
        switch propagation.model {
        case .fresnel: walk = g.distance * g.wavelength * nyquist
        default: walk = corner < 1 ? g.distance * g.wavelength * nyquist / (1 - corner).squareRoot() : .infinity
        }
        if propagation.model == .fresnel && corner < 1 {
            let rho2 = 2 * nyquist * nyquist, inverse = 1 / g.wavelength
            let exact = -2 * Double.pi * g.distance * rho2 / ((inverse * inverse - rho2).squareRoot() + inverse)
            fresnelPhaseError = abs(exact + Double.pi * g.wavelength * g.distance * rho2)
        } else {
            fresnelPhaseError = propagation.model == .fresnel ? .infinity : 0
        }
    }

    /// The near-field geometry (never nil: the initializer refuses the far field).
    var geometry: NearFieldGeometry { propagation.nearField! }

    /// True when the corner of the band is evanescent (pitch ≤ λ/√2): the angular spectrum's walk is
    /// unbounded there, and Fresnel's paraxial phase meaningless.
    public var cornerIsEvanescent: Bool { 2 * geometry.wavelength * geometry.wavelength * nyquist * nyquist >= 1 }

    /// The smallest padding whose margin holds the walk, `⌈1 + 2s/(min(H, W)·pitch)⌉`; nil when no
    /// padding can (evanescent corner).
    public var smallestPad: Int? {
        guard walk.isFinite, !cornerIsEvanescent else { return nil }
        let needed = 1 + 2 * walk / (Double(min(height, width)) * geometry.pitch)
        return Int((needed * (1 - 1e-12)).rounded(.up))
    }

    /// The largest distance the grid holds with padding `f` (the walk grows in proportion to z), metres.
    public func largestDistance(pad f: Int) -> Double {
        guard walk.isFinite, walk > 0 else { return 0 }
        let d = Double(max(f - 1, 0) * min(height, width)) * geometry.pitch / 2
        return geometry.distance * d / walk
    }

    /// The problems of this geometry, each one sentence naming the numbers; empty when the grid holds it.
    public var problems: [String] {
        let g = geometry, grid = "\(pad * height)×\(pad * width)"
        let name = propagation.model.rawValue
        if cornerIsEvanescent {
            return ["\(name) propagation: the pixel pitch \(um(g.pitch)) µm is at most λ/√2 = \(um(g.wavelength / 2.squareRoot())) µm, "
                    + "so the steepest waves the grid holds are evanescent or graze the mask: use a pitch above λ/√2"]
        }
        var p: [String] = []
        if walk > margin * (1 + 1e-12) {
            var fix = [String]()
            let needed = smallestPad.flatMap { $0 <= Self.maximumPad ? $0 : nil }
            if let f = needed { fix.append("--pad \(f)") }
            if pad > 1 { fix.append("a distance ≤ \(mm(largestDistance(pad: pad))) mm with --pad \(pad)") }
            else if needed != 2 { fix.append("with --pad 2 a distance ≤ \(mm(largestDistance(pad: 2))) mm") }
            p.append("\(name) propagation over z = \(mm(g.distance)) mm aliases on the \(grid) grid: the steepest plane wave "
                     + "at the \(um(g.pitch)) µm pitch (spatial frequency 1/(2·pitch) on both axes) walks \(um(walk)) µm sideways, "
                     + "more than the \(um(margin)) µm margin that padding by \(pad) leaves around the \(height)×\(width) mask, "
                     + "so its light would wrap around the window onto the sensor; give " + fix.joined(separator: ", or "))
        }
        if fresnelPhaseError > Self.fresnelPhaseLimit {
            p.append("Fresnel propagation is not valid here: its paraxial phase differs from the angular spectrum's by "
                     + String(format: "%.3g", fresnelPhaseError) + " rad at the grid's highest spatial frequency (limit π/2, "
                     + "a quarter wave): use --propagation angular-spectrum, a larger pitch or a shorter distance")
        }
        return p
    }

    private func um(_ metres: Double) -> String { NearFieldGeometry.format(metres * 1e6) }
    private func mm(_ metres: Double) -> String { NearFieldGeometry.format(metres * 1e3) }
}

extension Propagation {
    /// The sampling problems of this propagation for an `height × width` mask padded by `pad` (empty for
    /// the far field, which any grid holds).
    public func samplingProblems(height: Int, width: Int, pad: Int) -> [String] {
        NearFieldSampling(self, height: height, width: width, pad: pad)?.problems ?? []
    }
}
