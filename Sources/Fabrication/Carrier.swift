import Foundation
import Optics

/// A phase pattern added to every frame so that the light the mask modulates leaves the panel apart
/// from the unmodulated light (the zero order), which lands as an uncoded far field on the optical axis.
///
/// - `blaze(periodX:periodY:)`: a blazed grating (linear phase ramp) `2π (c'/P_x + r'/P_y)`, periods
///   in SLM pixels, 0 = no ramp along that axis, negative = the ramp runs the other way. `c'`, `r'`
///   count panel columns and rows from the top-left pixel of the design's footprint, so the ramp is 0
///   there. Under the FFT convention (`TensorCore/FFT.swift`) the first order moves by `+M/P` bins
///   on an `M`-bin far-field axis (to the right for `P_x > 0`, downwards for `P_y > 0`). A period must
///   be at least 2 pixels: below that the ramp aliases.
/// - `lens(focalLength:)`: a Fresnel lens `−π (x² + y²)/(λ f)` (metres; x, y measured from the centre
///   of the design's footprint, λ the operating wavelength), converging for `f > 0`. The first order
///   comes to focus at another plane than the zero order; a camera refocused there sees the zero order
///   blurred. Its phase may change by at most π between neighbouring pixels (no aliasing), which
///   bounds `|f|` from below (`minimumFocalLength`).
///
/// The carrier covers the design's footprint only; the margin stays at zero phase (plus any
/// correction), so its light stays in the zero order. Where it enters the gray values is stated once
/// in `DisplayChain`.
public enum Carrier: Equatable, Sendable, CustomStringConvertible {
    case blaze(periodX: Double, periodY: Double)
    case lens(focalLength: Double)

    /// Parses `blaze:PX,PY` (pixels) or `lens:FOCAL_M` (metres); `option` names the source in errors.
    public init(parsing text: String, option: String = "--carrier") throws {
        let parts = text.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            throw FabricationError(option, "'\(text)' is not a carrier; use blaze:PX,PY (periods in SLM pixels) or lens:FOCAL_M (metres)")
        }
        switch parts[0].lowercased() {
        case "blaze":
            let periods = parts[1].split(separator: ",", omittingEmptySubsequences: false)
                .map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard periods.count == 2, let px = periods[0], let py = periods[1] else {
                throw FabricationError(option, "'\(text)': a blaze needs two periods in SLM pixels, blaze:PX,PY (0 = none along that axis)")
            }
            self = .blaze(periodX: px, periodY: py)
        case "lens":
            guard let f = Double(parts[1]) else {
                throw FabricationError(option, "'\(text)': a lens needs its focal length in metres, lens:FOCAL_M")
            }
            self = .lens(focalLength: f)
        default:
            throw FabricationError(option, "'\(text)': unknown carrier '\(parts[0])'; use blaze:PX,PY or lens:FOCAL_M")
        }
        try validate(source: option)
    }

    /// Checks the parameters that do not depend on the panel.
    public func validate(source: String) throws {
        switch self {
        case .blaze(let px, let py):
            for (axis, p) in [("PX", px), ("PY", py)] {
                guard p.isFinite, p == 0 || abs(p) >= 2 else {
                    throw FabricationError(source, "blaze period \(axis) = \(p) pixels is below 2 pixels (it would alias); "
                                           + "use |period| ≥ 2, or 0 for no ramp along that axis")
                }
            }
            guard px != 0 || py != 0 else {
                throw FabricationError(source, "blaze:0,0 is no carrier; give a period along at least one axis")
            }
        case .lens(let f):
            guard f.isFinite, f != 0 else {
                throw FabricationError(source, "lens focal length \(f) m must be a finite non-zero length in metres")
            }
        }
    }

    /// `blaze:PX,PY` or `lens:FOCAL_M`, the spelling the option takes.
    public var description: String {
        switch self {
        case .blaze(let px, let py): return "blaze:\(Self.number(px)),\(Self.number(py))"
        case .lens(let f): return "lens:\(Self.number(f))"
        }
    }

    private static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// Smallest |f| (metres) whose lens phase changes by at most π between neighbouring pixels over
    /// the footprint of `layout` at `wavelength`: `2 · pitch · ρ_max / λ`, ρ_max the largest distance
    /// of a footprint pixel from the centre along one axis.
    public static func minimumFocalLength(layout: SLMLayout, wavelength: Double) -> Double {
        let s = Double(layout.superpixel)
        let half = max(s * Double(layout.designHeight), s * Double(layout.designWidth)) / 2
        return 2 * layout.profile.pixelPitch * half * layout.profile.pixelPitch / wavelength
    }

    /// The carrier's phase (radians, unwrapped) at every panel pixel, `[rows · columns]` row-major,
    /// 0 outside the design's footprint. Throws when a lens would alias on this panel.
    public func phaseMap(layout: SLMLayout, wavelength: Double, source: String = "--carrier") throws -> [Double] {
        let p = layout.profile
        var map = [Double](repeating: 0, count: p.rows * p.columns)
        let s = layout.superpixel
        let rows = layout.top..<(layout.top + s * layout.designHeight)
        let columns = layout.left..<(layout.left + s * layout.designWidth)
        switch self {
        case .blaze(let px, let py):
            let kx = px == 0 ? 0 : 2 * Double.pi / px, ky = py == 0 ? 0 : 2 * Double.pi / py
            for r in rows {
                for c in columns { map[r * p.columns + c] = kx * Double(c - layout.left) + ky * Double(r - layout.top) }
            }
        case .lens(let f):
            let least = Self.minimumFocalLength(layout: layout, wavelength: wavelength)
            guard abs(f) >= least else {
                throw FabricationError(source, String(format: "lens:%@ aliases on %@: its phase changes by more than π between "
                    + "neighbouring pixels at the footprint's edge; |f| must be at least %.4g m at λ = %.4g m",
                    Self.number(f), p.name, least, wavelength))
            }
            let r0 = Double(layout.top) + Double(s * layout.designHeight - 1) / 2
            let c0 = Double(layout.left) + Double(s * layout.designWidth - 1) / 2
            let k = -Double.pi * p.pixelPitch * p.pixelPitch / (wavelength * f)
            for r in rows {
                for c in columns {
                    let (y, x) = (Double(r) - r0, Double(c) - c0)
                    map[r * p.columns + c] = k * (x * x + y * y)
                }
            }
        }
        return map
    }
}

extension Carrier {
    /// Far-field bins `(row, column)` of the first order on a `height × width` far field of the
    /// footprint: `(height/P_y, width/P_x)` rounded to the nearest bin (0 along an axis without ramp;
    /// negative = from the far end). A lens does not displace the first order sideways: (0, 0).
    public func firstOrderBin(height: Int, width: Int) -> (row: Int, column: Int) {
        switch self {
        case .blaze(let px, let py):
            let row = py == 0 ? 0 : Int((Double(height) / py).rounded())
            let column = px == 0 ? 0 : Int((Double(width) / px).rounded())
            return (row, column)
        case .lens:
            return (0, 0)
        }
    }

    /// True when the first order lands at least one CDP width (N far-field bins of the design) away
    /// from the zero order, so their central lobes do not overlap: a blaze needs a superpixel of at
    /// least |P| pixels along some axis with a ramp (the first order sits s·N/P bins out). A lens
    /// separates axially and always counts as separating.
    public func separatesOrders(superpixel s: Int) -> Bool {
        switch self {
        case .blaze(let px, let py):
            return (px != 0 && Double(s) >= abs(px)) || (py != 0 && Double(s) >= abs(py))
        case .lens:
            return true
        }
    }

    /// Share of the light the carrier puts into its first order on this panel (0…1), for the pixel
    /// aperture (100 % fill factor) and the gray levels the device shows:
    ///
    ///     η = |mean_p exp(j(θ_p − c_p))|² · A,
    ///
    /// over the footprint pixels p, with `c_p` the carrier phase, `θ_p = shown(c_p)` what the
    /// panel's levels make of it (`phase(gray(κ · wrap(c_p)))`), and the aperture factor `A = sinc²(1/P_x) sinc²(1/P_y)` for a
    /// blaze (sinc(x) = sin(πx)/(πx), sinc(0) = 1) or the mean of `sinc²(ν_x) sinc²(ν_y)` over the
    /// footprint for a lens, with ν its local frequency in cycles per pixel.
    public func efficiency(map: [Double], layout: SLMLayout, wavelength: Double,
                           shown: (Double) throws -> Double) throws -> (total: Double, levels: Double, aperture: Double) {
        let p = layout.profile, s = layout.superpixel
        var re = 0.0, im = 0.0, aperture = 0.0, n = 0.0
        let r0 = Double(layout.top) + Double(s * layout.designHeight - 1) / 2
        let c0 = Double(layout.left) + Double(s * layout.designWidth - 1) / 2
        for r in layout.top..<(layout.top + s * layout.designHeight) {
            for c in layout.left..<(layout.left + s * layout.designWidth) {
                let carrier = map[r * p.columns + c]
                let theta = try shown(carrier)
                re += cos(theta - carrier)
                im += sin(theta - carrier)
                if case .lens(let f) = self {
                    let scale = p.pixelPitch * p.pixelPitch / (wavelength * f)
                    aperture += sinc2((Double(c) - c0) * scale) * sinc2((Double(r) - r0) * scale)
                }
                n += 1
            }
        }
        let levels = (re * re + im * im) / (n * n)
        switch self {
        case .blaze(let px, let py):
            aperture = sinc2(px == 0 ? 0 : 1 / px) * sinc2(py == 0 ? 0 : 1 / py)
        case .lens:
            aperture /= n
        }
        return (levels * aperture, levels, aperture)
    }
}

/// sinc²(x) = (sin(πx)/(πx))², 1 at 0: the far-field intensity factor of a uniform pixel aperture at x
/// cycles per pixel.
func sinc2(_ x: Double) -> Double {
    guard x != 0 else { return 1 }
    let s = sin(Double.pi * x) / (Double.pi * x)
    return s * s
}
