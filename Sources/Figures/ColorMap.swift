import Foundation

/// A colour in the OKLab space in polar form: lightness `L` in [0, 1], chroma `C` (distance from
/// gray, about 0…0.3 inside sRGB) and hue angle `h` in degrees. OKLab (B. Ottosson, 2020) is built
/// so that equal steps look roughly equally different, which makes straight paths in it good colour
/// maps: lightness that rises linearly *looks* like it rises linearly.
public struct OKLCh: Equatable, Sendable {
    public var L: Double
    public var C: Double
    public var h: Double

    public init(L: Double, C: Double, h: Double) {
        self.L = L
        self.C = C
        self.h = h
    }

    /// Linear-light sRGB components (may fall outside [0, 1] for colours out of the sRGB gamut),
    /// through OKLab's published LMS matrices.
    public var linearSRGB: (r: Double, g: Double, b: Double) {
        let a = C * cos(h * .pi / 180), b = C * sin(h * .pi / 180)
        let l = pow(L + 0.3963377774 * a + 0.2158037573 * b, 3)
        let m = pow(L - 0.1055613458 * a - 0.0638541728 * b, 3)
        let s = pow(L - 0.0894841775 * a - 1.2914855480 * b, 3)
        return (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
                -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
                -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)
    }

    /// The 8-bit sRGB colour (components clipped to the gamut, then gamma-encoded).
    public var color: Color {
        let c = linearSRGB
        return Color(red: ColorMap.encodeSRGB(c.r), green: ColorMap.encodeSRGB(c.g), blue: ColorMap.encodeSRGB(c.b))
    }
}

/// A map from a number to a colour, tabulated at 1024 points.
///
/// Sequential maps take t in [0, 1] (values outside are clamped); cyclic maps take t modulo 1, so
/// t and t + 1 give the same colour and a phase map needs no wrapping first. NaN gives `invalid`.
///
/// Built in:
/// - `gray`: black to white, linear in sRGB code values.
/// - `viridisLike`: a sequential map through five OKLCh control points chosen for this project
///   (dark violet → blue → teal → green → yellow), interpolated linearly in L, C and h; lightness
///   rises from 0.27 to 0.92, so luminance increases monotonically and the map prints readably
///   in gray.
/// - `twilightLike`: the cyclic map for phase in [0, 2π). In OKLCh,
///   `L(t) = 0.62 + 0.30 cos 2πt`, `C(t) = 0.15 sin πt`, `h(t) = 210° + 220° t`:
///   near-white at 0 ≡ 2π, blue around π/2, dark purple at π, red around 3π/2. Phases φ and
///   2π − φ share a lightness but differ in hue; the chroma vanishes at t = 0, where the hue jumps,
///   so the map is continuous around the whole circle.
public struct ColorMap: Sendable {
    public let name: String
    public let isCyclic: Bool
    /// Colour for NaN inputs.
    public var invalid: Color = Color(255, 0, 255)
    private let table: [Color]
    private static let resolution = 1024

    /// A map tabulating `formula` on [0, 1] (sequential: t = k / (n − 1)) or [0, 1) (cyclic:
    /// t = k / n).
    public init(name: String, cyclic: Bool, formula: (Double) -> Color) {
        self.name = name
        isCyclic = cyclic
        let n = ColorMap.resolution
        table = (0..<n).map { formula(Double($0) / Double(cyclic ? n : n - 1)) }
    }

    /// A sequential map through `controlPoints` spaced evenly on [0, 1], linear in L, C and h in
    /// between (hue differences are taken as given, not the short way round).
    public static func interpolating(name: String, _ controlPoints: [OKLCh]) -> ColorMap {
        precondition(controlPoints.count >= 2, "a colour map needs at least two control points")
        return ColorMap(name: name, cyclic: false) { t in
            let segments = Double(controlPoints.count - 1)
            let k = min(Int(t * segments), controlPoints.count - 2), u = t * segments - Double(k)
            let p = controlPoints[k], q = controlPoints[k + 1]
            return OKLCh(L: p.L + (q.L - p.L) * u, C: p.C + (q.C - p.C) * u, h: p.h + (q.h - p.h) * u).color
        }
    }

    /// The colour at `t` (clamped to [0, 1], or taken modulo 1 for cyclic maps).
    public func color(at t: Double) -> Color {
        guard !t.isNaN else { return invalid }
        let n = table.count
        if isCyclic {
            let w = t - t.rounded(.down)
            return table[min(Int((w * Double(n)).rounded()), n) % n]
        }
        return table[Int((min(max(t, 0), 1) * Double(n - 1)).rounded())]
    }

    /// The colour of value `v` on the scale `range` (`t = (v − lower) / (upper − lower)`).
    public func color(_ v: Double, in range: ClosedRange<Double>) -> Color {
        let span = range.upperBound - range.lowerBound
        return color(at: span > 0 ? (v - range.lowerBound) / span : 0.5)
    }

    /// The colour of phase `φ` in radians on a cyclic map (`t = φ / 2π`, any φ accepted).
    public func color(phase: Double) -> Color { color(at: phase / (2 * .pi)) }

    public static let gray = ColorMap(name: "gray", cyclic: false) { Color(red: $0, green: $0, blue: $0) }

    public static let viridisLike = ColorMap.interpolating(name: "viridis-like", [
        OKLCh(L: 0.27, C: 0.10, h: 300), OKLCh(L: 0.45, C: 0.10, h: 265), OKLCh(L: 0.60, C: 0.10, h: 200),
        OKLCh(L: 0.75, C: 0.14, h: 145), OKLCh(L: 0.92, C: 0.17, h: 105),
    ])

    public static let twilightLike = ColorMap(name: "twilight-like", cyclic: true) { t in
        OKLCh(L: 0.62 + 0.30 * cos(2 * .pi * t), C: 0.15 * sin(.pi * t), h: 210 + 220 * t).color
    }

    /// sRGB transfer function: linear light in [0, 1] (clipped) to the encoded value in [0, 1].
    public static func encodeSRGB(_ linear: Double) -> Double {
        let c = min(max(linear, 0), 1)
        return c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055
    }

    /// Inverse of `encodeSRGB`.
    public static func decodeSRGB(_ encoded: Double) -> Double {
        encoded <= 0.04045 ? encoded / 12.92 : pow((encoded + 0.055) / 1.055, 2.4)
    }

    /// Relative luminance Y in [0, 1] of an 8-bit sRGB colour (Rec. 709 primaries, linear light).
    public static func luminance(_ c: Color) -> Double {
        0.2126 * decodeSRGB(Double(c.r) / 255) + 0.7152 * decodeSRGB(Double(c.g) / 255)
            + 0.0722 * decodeSRGB(Double(c.b) / 255)
    }
}
