import Foundation
import Optics
import TensorCore

/// The panel's phase response at an operating wavelength λ other than the one it was calibrated at (λc,
/// the profile's `designWavelength`; a lookup table is taken as measured there too).
///
/// Scaling: a gray value's phase is an optical path difference, so at λ it shows `φc(g) · λc/λ`
/// (the liquid crystal's dispersion is ignored, as slmsuite does; measure a table at λ with
/// `calibrate-lut` when that matters). The calibrated response is first put in order along the grays
/// (linear: g' = 0…maxGray un-inverted, written `maxGray − g'` on inverted panels; a table: by gray,
/// unwrapped with steps below π, reversed if it falls) and measured from its first gray (phase 0).
/// The stroke at λ is `S = (φ(last) − φ(first) + δ) · λc/λ`, δ the median step (for a linear panel
/// `S = 2π (maxGray + 1)/gray2Pi · λc/λ`).
///
/// - S ≥ 2π: the **2π sub-range** — only the grays from the first up to the last whose phase is below
///   2π − δ/2 are used (the rest repeat phases one turn up).
/// - S < 2π, policy `truncate`: every gray is used with its phase at λ; a phase in [S, 2π) is out of
///   reach and goes to the nearer (on the circle) of the highest gray and the first (the quantizer's
///   stroke rule): exact where reachable, up to half the gap off in it.
/// - S < 2π, policy `compress`: the wrapped target is scaled by κ = S/2π before the table (the κ of
///   `DisplayChain`), so all of [0, 2π) lands on the stroke; every phase is off by (1 − κ)·φ.
///
/// The result is a table mapping (`GrayEncoder`, `/slm/lut`) with the phases at λ, and κ.
public struct PhaseResponse: Sendable {
    public enum Policy: String, CaseIterable, Codable, Sendable {
        case truncate, compress
    }

    /// Operating wavelength λ, metres.
    public let wavelength: Double
    public let policy: Policy
    /// λc/λ.
    public let scale: Double
    /// S, radians.
    public let stroke: Double
    public let encoder: GrayEncoder
    /// κ: S/2π under `compress` with S < 2π, else 1.
    public let compression: Double
    /// Written gray values the encoder uses, in order of increasing phase.
    public let grays: [Int]

    public init(profile: SLMProfile, lut: PhaseLUT?, wavelength: Double, policy: Policy = .truncate) throws {
        guard wavelength.isFinite, wavelength > 0 else {
            throw FabricationError("--operating-wavelength", "must be a positive length in metres, got \(wavelength)")
        }
        self.wavelength = wavelength
        self.policy = policy
        let scale = profile.designWavelength / wavelength
        self.scale = scale
        let (order, unwrapped, step) = Self.calibratedResponse(profile: profile, lut: lut)
        let phases = unwrapped.map { ($0 - unwrapped[0]) * scale }
        let delta = step * scale
        let stroke = phases[phases.count - 1] + delta
        self.stroke = stroke
        var used = Array(order.indices)
        if stroke >= 2 * Double.pi - 1e-12 {
            used = used.filter { phases[$0] < 2 * Double.pi - delta / 2 }
        }
        guard used.count >= 2 else {
            throw FabricationError("--operating-wavelength", "at \(wavelength) m fewer than 2 gray values of \(profile.name) lie below 2π")
        }
        compression = stroke < 2 * Double.pi && policy == .compress ? stroke / (2 * Double.pi) : 1
        grays = used.map { order[$0] }
        let table = try PhaseLUT(pairs: used.map { (gray: order[$0], phase: phases[$0]) }, maxGray: profile.maxGray,
                                 source: "\(profile.name) at \(wavelength) m")
        encoder = try GrayEncoder(profile: profile, lut: table)
    }

    /// The calibrated response in gray order: written grays, unwrapped phases (rising), median step.
    static func calibratedResponse(profile p: SLMProfile, lut: PhaseLUT?) -> ([Int], [Double], Double) {
        guard let lut else {
            let order = (0...p.maxGray).map { p.inverted ? p.maxGray - $0 : $0 }
            return (order, (0...p.maxGray).map { 2 * Double.pi * Double($0) / Double(p.gray2Pi) }, 2 * Double.pi / Double(p.gray2Pi))
        }
        var order = lut.entries.map(\.gray)
        var phases = [lut.entries[0].phase]
        for (a, b) in zip(lut.entries, lut.entries.dropFirst()) { phases.append(phases[phases.count - 1] + wrapToPi(b.phase - a.phase)) }
        if phases[phases.count - 1] < phases[0] {
            order.reverse()
            phases = phases.reversed().map { -$0 }
        }
        let steps = zip(phases, phases.dropFirst()).map { abs($1 - $0) }.sorted()
        return (order, phases, steps[steps.count / 2])
    }

    /// One line: λ, scale, stroke, what is used and how.
    public var summary: String {
        var line = String(format: "operating wavelength %.4g m: phase response × %.4f, stroke %.3fπ", wavelength, scale, stroke / Double.pi)
        if stroke >= 2 * Double.pi - 1e-12 {
            line += " ≥ 2π: the 2π sub-range, grays \(grays[0])…\(grays[grays.count - 1]) (\(grays.count) values)"
        } else if policy == .truncate {
            line += String(format: " < 2π: truncate (phases in [%.3fπ, 2π) go to the nearer of gray %d and gray %d)",
                           stroke / Double.pi, grays[grays.count - 1], grays[0])
        } else {
            line += String(format: " < 2π: compress (κ = %.4f, every phase × κ before the table)", compression)
        }
        return line
    }
}

extension DisplayChain {
    /// Circular error between what the frames show and what the chain asks for, over the design's
    /// footprint: per panel pixel `phase(gray) − wrap(φ + carrier + correction)` (radians), its RMS and
    /// largest magnitude — the phase error the gray levels, a stroke below 2π and κ leave.
    public func phaseError(_ mask: Tensor, displays: [GrayImage]) throws -> (rms: Double, max: Double) {
        let p = layout.profile, s = layout.superpixel, w = layout.designWidth
        var sum = 0.0, worst = 0.0, n = 0.0
        for (l, image) in displays.enumerated() {
            let plane = mask.pointer + l * layout.designHeight * w
            for r in layout.top..<(layout.top + s * layout.designHeight) {
                for c in layout.left..<(layout.left + s * w) {
                    let k = r * p.columns + c
                    let target = Double(plane[((r - layout.top) / s) * w + (c - layout.left) / s]) + (offset?[k] ?? 0)
                    let e = abs(wrapToPi(try encoder.phase(forGray: Int(image.pixels[k])) - target))
                    sum += e * e
                    worst = Swift.max(worst, e)
                    n += 1
                }
            }
        }
        return ((sum / n).squareRoot(), worst)
    }
}
