import Foundation
import TensorCore

/// How a normalized scene image becomes the complex object the masks see (docs/optics.md, "Scene model").
///
///     x = a(A) · exp(j·(φmin + (φmax − φmin)·I + δ·[I = 0]))      a(A) = a₀ + (a₁ − a₀)·A
///
/// - `I ∈ [0, 1]`: the normalized phase image, the network's target in every mode;
/// - `[φmin, φmax]`: the phase range in radians (`phaseMin < phaseMax`, width at most 2π);
/// - `δ`: the background-phase offset of one scene, uniform in `[−Δ, Δ]` with `Δ = backgroundOffset`,
///   added to the background pixels only (those with `I = 0` exactly); drawn only when asked (training);
/// - `a(A)`: the amplitude, linear in an amplitude image `A ∈ [0, 1]` between `amplitudeAtZero` (a₀) and
///   `amplitudeAtOne` (a₁); without a separate amplitude image `A = I` (absorption that follows the
///   phase, e.g. `a₀ = 1, a₁ = 0.6`); `a₀ = a₁ = 1` is a pure-phase object.
///
/// The default (`[0, π]`, no offset, unit amplitude) is PhaseMask's original model `x = exp(jπI)` and
/// reproduces its fields bit for bit.
public struct SceneModel: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Phase of `I = 0` and of `I = 1`, radians.
    public var phaseMin: Double
    public var phaseMax: Double
    /// Half-width Δ (radians) of the uniform background-phase offset; 0: none.
    public var backgroundOffset: Double
    /// Amplitude where the amplitude image is 0 and where it is 1 (either order), in [0, 1].
    public var amplitudeAtZero: Double
    public var amplitudeAtOne: Double

    public init(phaseMin: Double = 0, phaseMax: Double = .pi, backgroundOffset: Double = 0,
                amplitudeAtZero: Double = 1, amplitudeAtOne: Double = 1) {
        self.phaseMin = phaseMin
        self.phaseMax = phaseMax
        self.backgroundOffset = backgroundOffset
        self.amplitudeAtZero = amplitudeAtZero
        self.amplitudeAtOne = amplitudeAtOne
    }

    /// PhaseMask's original model: `x = exp(jπI)`.
    public static let standard = SceneModel()

    /// The pure-phase model `x = exp(j·scale·I)` of files that only record a phase scale.
    public static func phaseScale(_ scale: Double) -> SceneModel { SceneModel(phaseMax: scale) }

    /// `φmax − φmin`, radians per unit of I.
    public var phaseSpan: Double { phaseMax - phaseMin }
    /// Whether every pixel has |x| = 1.
    public var isPurePhase: Bool { amplitudeAtZero == 1 && amplitudeAtOne == 1 }

    /// Widest accepted phase range: a wider one would map two values of I to the same phase.
    public static let maximumPhaseSpan = 2 * Double.pi
    /// Largest accepted Δ: offsets beyond ±π wrap onto each other.
    public static let maximumBackgroundOffset = Double.pi

    /// Problems with this model, one sentence each; empty when valid.
    public func problems() -> [String] {
        var p: [String] = []
        if let problem = Self.rangeProblem(phaseMin, phaseMax) { p.append(problem) }
        if !(backgroundOffset.isFinite && backgroundOffset >= 0 && backgroundOffset <= Self.maximumBackgroundOffset) {
            p.append("background-phase offset Δ must be in [0, π] radians, got \(Self.format(backgroundOffset))")
        }
        let a = [amplitudeAtZero, amplitudeAtOne]
        if !a.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) || a.allSatisfy({ $0 == 0 }) {
            p.append("amplitude range must lie in [0, 1] and not be 0:0, got \(Self.format(amplitudeAtZero)):\(Self.format(amplitudeAtOne))")
        }
        return p
    }

    /// Throws `OpticsError` with the first problem.
    public func validate() throws {
        if let first = problems().first { throw OpticsError(first) }
    }

    /// Why `[low, high]` is not an accepted phase range, or nil.
    static func rangeProblem(_ low: Double, _ high: Double) -> String? {
        guard low.isFinite && high.isFinite else {
            return "phase range must be finite, got \(format(low)):\(format(high))"
        }
        guard low < high else { return "phase range MIN:MAX needs MIN < MAX, got \(format(low)):\(format(high))" }
        guard high - low <= maximumPhaseSpan + 1e-12 else {
            return "phase range \(format(low)):\(format(high)) is \(format(high - low)) rad wide, more than 2π (use at most 0:2pi)"
        }
        return nil
    }

    static func format(_ x: Double) -> String { String(format: "%g", x) }

    public var description: String {
        var text = "phase \(Self.format(phaseMin)):\(Self.format(phaseMax)) rad"
        if backgroundOffset > 0 { text += ", background offset ±\(Self.format(backgroundOffset)) rad" }
        if !isPurePhase { text += ", amplitude \(Self.format(amplitudeAtZero)):\(Self.format(amplitudeAtOne))" }
        return text
    }

    // MARK: Codable: {"phaseRange": [min, max], "backgroundOffset": Δ, "amplitudeRange": [a0, a1]}

    enum CodingKeys: String, CodingKey { case phaseRange, backgroundOffset, amplitudeRange }

    /// Missing keys keep the defaults; each pair must have two numbers.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func pair(_ key: CodingKeys) throws -> (Double, Double)? {
            guard let values = try c.decodeIfPresent([Double].self, forKey: key) else { return nil }
            guard values.count == 2 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected [low, high], got \(values.count) numbers")
            }
            return (values[0], values[1])
        }
        if let (low, high) = try pair(.phaseRange) { (phaseMin, phaseMax) = (low, high) }
        if let offset = try c.decodeIfPresent(Double.self, forKey: .backgroundOffset) { backgroundOffset = offset }
        if let (a0, a1) = try pair(.amplitudeRange) { (amplitudeAtZero, amplitudeAtOne) = (a0, a1) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([phaseMin, phaseMax], forKey: .phaseRange)
        try c.encode(backgroundOffset, forKey: .backgroundOffset)
        try c.encode([amplitudeAtZero, amplitudeAtOne], forKey: .amplitudeRange)
    }
}

extension SceneModel {
    /// Background-phase offsets δ_b for `count` scenes, uniform in `[−Δ, Δ)`, one draw from `generator`
    /// per scene. Without an offset (Δ = 0) nothing is drawn and the result is empty, so the generator's
    /// later draws (noise) are those of a model without offsets.
    public func drawOffsets(count: Int, generator: inout SeededGenerator) -> [Float] {
        guard backgroundOffset > 0 else { return [] }
        return (0..<count).map { _ in Float(backgroundOffset * (2 * generator.uniformDouble() - 1)) }
    }

    /// The complex scenes `[B, H, W]` of images `I` `[B, 1, H, W]` or `[B, H, W]` (values in [0, 1], not
    /// clamped): `x = a(A)·exp(j(φmin + (φmax − φmin)·I + δ_b·[I = 0]))`.
    ///
    /// - Parameters:
    ///   - amplitude: the amplitude image A, same shape as `image`; nil: `A = I`.
    ///   - offsets: δ_b per scene (`drawOffsets`), or empty for none.
    /// - Throws: `OpticsError` for a bad shape, a non-finite value, a wrong number of offsets or an invalid model.
    public func field(_ image: Tensor, amplitude: Tensor? = nil, offsets: [Float] = []) throws -> ComplexField {
        let s = image.shape
        let spatial = try Scene.spatialShape(of: image)
        try validate()
        guard image.isFinite else { throw OpticsError("scene image \(s) contains NaN or infinite values") }
        if let amplitude {
            guard amplitude.shape == s else { throw OpticsError("amplitude image \(amplitude.shape) does not match the scene image \(s)") }
            guard amplitude.isFinite else { throw OpticsError("amplitude image \(s) contains NaN or infinite values") }
        }
        guard offsets.isEmpty || offsets.count == spatial[0] else {
            throw OpticsError("\(offsets.count) background offsets for \(spatial[0]) scenes")
        }
        let x = ComplexField(uninitialized: spatial)
        let p = image.pointer, q = x.pointer
        let low = Float(phaseMin), span = Float(phaseSpan)
        let plane = spatial[1] * spatial[2]
        for k in 0..<image.count {
            // φmin = 0 skips the addition, so I = −0 keeps the sign of zero that exp(j·s·I) gave it.
            var phase = phaseMin == 0 ? span * p[k] : low + span * p[k]
            if !offsets.isEmpty && p[k] == 0 { phase += offsets[k / plane] }
            q[2 * k] = Foundation.cos(phase)
            q[2 * k + 1] = Foundation.sin(phase)
        }
        if !isPurePhase {
            let a0 = Float(amplitudeAtZero), slope = Float(amplitudeAtOne - amplitudeAtZero)
            let a = (amplitude ?? image).pointer
            for k in 0..<image.count {
                let magnitude = a0 + slope * a[k]
                q[2 * k] *= magnitude
                q[2 * k + 1] *= magnitude
            }
        }
        return x
    }

    /// The normalized phase image I `[B, 1, H, W]` of scenes `[B, H, W]`, in [0, 1]: with
    /// `t = wrap(arg x − φmin)` ∈ [0, 2π), `I = t/(φmax − φmin)` where `t ≤ φmax − φmin`; a phase outside
    /// the range goes to the end nearer on the circle (I = 1 when `t − (φmax − φmin) ≤ 2π − t`, else 0).
    /// The inverse of `field` for pure-phase scenes without offsets; the reference `reconstruct` scores
    /// against when a CDP file stores only the complex scene, and the I of `--data FILE.h5:/DATASET`.
    /// A pixel with x = 0 has no phase and gets I = 0. `outside` counts the pixels more than
    /// `outsideTolerance` radians outside the range.
    public func normalizedPhase(of scenes: ComplexField, outside: inout Int) -> Tensor {
        let shape = scenes.shape
        let out = Tensor(uninitialized: [shape[0], 1] + shape.dropFirst())
        let span = phaseSpan
        for k in 0..<scenes.count {
            let (re, im) = scenes[k]
            let t = wrapPhase(Double(atan2(im, re)) - phaseMin)
            if re == 0 && im == 0 {
                out.pointer[k] = 0
            } else if t <= span {
                out.pointer[k] = Float(t / span)
            } else {
                if t - span > Self.outsideTolerance && 2 * Double.pi - t > Self.outsideTolerance { outside += 1 }
                out.pointer[k] = t - span <= 2 * Double.pi - t ? 1 : 0
            }
        }
        return out
    }

    /// As `normalizedPhase(of:outside:)`, without the count.
    public func normalizedPhase(of scenes: ComplexField) -> Tensor {
        var outside = 0
        return normalizedPhase(of: scenes, outside: &outside)
    }

    /// Radians a phase may lie outside [φmin, φmax] (rounding of stored fields) before it is counted.
    public static let outsideTolerance = 1e-4

    /// The amplitude image A = |x| / max|x| `[B, 1, H, W]` of scenes `[B, H, W]`, each scene divided by
    /// its own largest modulus, so A ∈ [0, 1] with 1 at the brightest pixel. Throws `OpticsError` naming
    /// the first scene that is zero everywhere.
    public static func normalizedAmplitude(of scenes: ComplexField) throws -> Tensor {
        let shape = scenes.shape
        let out = Tensor(uninitialized: [shape[0], 1] + shape.dropFirst())
        let plane = scenes.count / max(shape[0], 1)
        for b in 0..<shape[0] {
            var largest: Float = 0
            for k in (b * plane)..<((b + 1) * plane) {
                let (re, im) = scenes[k]
                out.pointer[k] = (re * re + im * im).squareRoot()
                largest = max(largest, out.pointer[k])
            }
            guard largest > 0 else { throw OpticsError("complex scene \(b) is zero everywhere: it has no amplitude to normalize") }
            for k in (b * plane)..<((b + 1) * plane) { out.pointer[k] /= largest }
        }
        return out
    }
}

extension SceneModel {
    /// Parses `MIN:MAX` in radians; each end is a number or a multiple or fraction of π (`pi`, `2pi`,
    /// `-pi/2`, `0.5π`, `3*pi/4`). Throws `OpticsError` naming the text for anything else and for a range
    /// that `problems()` would refuse (MIN ≥ MAX, non-finite, wider than 2π).
    public static func parsePhaseRange(_ text: String) throws -> (low: Double, high: Double) {
        let (low, high) = try parsePair(text, what: "phase range")
        if let problem = rangeProblem(low, high) { throw OpticsError(problem) }
        return (low, high)
    }

    /// Parses `A0:A1`, the amplitudes at A = 0 and A = 1, each in [0, 1].
    public static func parseAmplitudeRange(_ text: String) throws -> (atZero: Double, atOne: Double) {
        let (a0, a1) = try parsePair(text, what: "amplitude range") { part in
            guard let x = Double(part.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                throw OpticsError("'\(part)' is not a finite number")
            }
            return x
        }
        let problems = SceneModel(amplitudeAtZero: a0, amplitudeAtOne: a1).problems()
        if let first = problems.first { throw OpticsError(first) }
        return (a0, a1)
    }

    /// Parses an angle in radians: a number, or a multiple or fraction of π as in `parsePhaseRange`.
    public static func parseAngle(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "π", with: "pi")
        guard !t.isEmpty else { throw OpticsError("'\(text)' is not an angle in radians") }
        if let x = Double(t) {
            guard x.isFinite else { throw OpticsError("'\(text)' is not a finite number of radians") }
            return x
        }
        // [sign][coefficient[*]]pi[/divisor]
        var rest = Substring(t)
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        guard let piAt = rest.range(of: "pi") else { throw OpticsError("'\(text)' is not an angle in radians (a number or a multiple of pi)") }
        var coefficientText = rest[..<piAt.lowerBound]
        if coefficientText.hasSuffix("*") { coefficientText = coefficientText.dropLast() }
        var divisorText = rest[piAt.upperBound...]
        var divisor = 1.0
        if !divisorText.isEmpty {
            guard divisorText.hasPrefix("/") else { throw OpticsError("'\(text)' is not an angle in radians (a number or a multiple of pi)") }
            divisorText = divisorText.dropFirst()
            guard let d = Double(divisorText), d.isFinite, d != 0 else { throw OpticsError("'\(text)': the divisor of pi must be a non-zero number") }
            divisor = d
        }
        var coefficient = 1.0
        if !coefficientText.isEmpty {
            guard let c = Double(coefficientText), c.isFinite, !coefficientText.hasPrefix("-"), !coefficientText.hasPrefix("+") else {
                throw OpticsError("'\(text)' is not an angle in radians (a number or a multiple of pi)")
            }
            coefficient = c
        }
        return sign * coefficient * Double.pi / divisor
    }

    static func parsePair(_ text: String, what: String,
                          _ parse: (String) throws -> Double = parseAngle) throws -> (Double, Double) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty,
              !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw OpticsError("\(what) must be MIN:MAX, got '\(text)'")
        }
        do {
            return (try parse(String(parts[0])), try parse(String(parts[1])))
        } catch let error as OpticsError {
            throw OpticsError("\(what) '\(text)': \(error.description)")
        }
    }
}
