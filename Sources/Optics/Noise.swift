import Autodiff
import Foundation
import TensorCore

/// Measurement noise ω_ℓ added to the CDPs (Eq. (1)), shared by training and the simulator so both
/// see the same statistics. Every draw comes from the `SeededGenerator` passed in.
///
/// Statistics are per sample: for `y` of shape `[B, ...]`, each sample `b` (all its L CDPs) gets its own
/// noise level.
/// - `none`: `ỹ = y`.
/// - `gaussian(snrDB:)`: `ỹ = y + σ_b·n`, `n ~ N(0, 1)` i.i.d., with `σ_b² = mean(y_b²) / 10^{SNR/10}`
///   (SNR in dB, signal power = mean squared intensity). ỹ may be negative.
/// - `poisson(photonsPerPixel:)`: shot noise with a mean of N photons per detector pixel. With
///   `c_b = N / mean(y_b)` (photons per unit intensity), `ỹ = Poisson(c_b·y) / c_b`: the counts are
///   scaled back to intensity units, so `E[ỹ] = y` and `Var[ỹ] = y / c_b`. A sample with `mean(y_b) = 0`
///   is returned unchanged (no light, no counts).
/// - `camera(_:)`: a sensor's Poisson–Gaussian noise in electrons with saturation at the full well and an
///   ADC (`CameraNoise`).
///
/// On the tape the noise is a constant offset `ỹ − y` drawn from the forward values: `∂ỹ/∂y = I`
/// (for Poisson and the camera this is the straight-through estimator, also through the camera's
/// clipping and quantization; σ_b and c_b are not differentiated).
public enum NoiseModel: Equatable, Codable, Sendable, CustomStringConvertible {
    case none
    case gaussian(snrDB: Double)
    case poisson(photonsPerPixel: Double)
    case camera(CameraNoise)

    /// Rejects non-finite SNRs, non-positive photon counts and impossible sensors (`CameraNoise.validate`).
    public func validate() throws {
        switch self {
        case .none: return
        case .gaussian(let snr):
            guard snr.isFinite else { throw OpticsError("Gaussian noise SNR must be a finite number of dB, got \(snr)") }
        case .poisson(let photons):
            guard photons.isFinite, photons > 0 else {
                throw OpticsError("Poisson noise needs a positive mean photon count per pixel, got \(photons)")
            }
        case .camera(let sensor): try sensor.validate()
        }
    }

    public var description: String {
        switch self {
        case .none: return "no noise"
        case .gaussian(let snr): return "Gaussian noise at \(snr) dB SNR"
        case .poisson(let photons): return "Poisson noise, \(photons) photons per pixel on average"
        case .camera(let sensor): return sensor.description
        }
    }

    /// A noisy copy of `y` (`[B, ...]`); `y` itself is unchanged.
    public func sample(_ y: Tensor, generator: inout SeededGenerator) -> Tensor {
        let out = y.copy()
        let batch = max(y.shape.first ?? 1, 1), m = y.count / batch
        for b in 0..<batch {
            let p = out.pointer + b * m
            switch self {
            case .none:
                break
            case .gaussian(let snr):
                var power = 0.0
                for i in 0..<m { power += Double(p[i]) * Double(p[i]) }
                let sigma = Float((power / Double(max(m, 1)) / pow(10, snr / 10)).squareRoot())
                for i in 0..<m { p[i] += sigma * generator.normal() }
            case .poisson(let photons):
                var total = 0.0
                for i in 0..<m { total += Double(p[i]) }
                guard total > 0 else { continue }
                let c = photons * Double(m) / total
                for i in 0..<m { p[i] = Float(Double(poissonSample(max(c * Double(p[i]), 0), &generator)) / c) }
            case .camera(let sensor):
                sensor.apply(to: p, count: m, generator: &generator)
            }
        }
        return out
    }

    /// `ỹ = y + ω` on the tape (gradient passes straight through, see the type's documentation).
    public func apply(_ y: Variable, generator: inout SeededGenerator) -> Variable {
        if self == .none { return y }
        return Self.replaced(y, by: sample(y.value, generator: &generator))
    }

    /// `y` on the tape with the value `noisy` (same shape), drawn elsewhere: data-parallel training draws
    /// the noise of the whole batch and gives each process its part. The gradient passes straight through.
    public static func replaced(_ y: Variable, by noisy: Tensor) -> Variable {
        precondition(noisy.shape == y.shape, "noisy values \(noisy.shape) for measurements \(y.shape)")
        let node = y.tape.record(noisy, op: OpticsOp.noise, inputs: [y.node], readsInputValues: false) { g, inputs in
            inputs[0].gradient?.accumulate(g)
        }
        return Variable(node: node, tape: y.tape)
    }
}

/// One draw from Poisson(λ), λ ≥ 0.
///
/// λ < 10: Knuth's multiplication method (count uniforms until their product drops below e^{−λ}).
/// λ ≥ 10: Hörmann's transformed rejection with squeeze (PTRS, 1993), exact and O(1) expected time.
public func poissonSample(_ lambda: Double, _ g: inout SeededGenerator) -> Int {
    if lambda <= 0 { return 0 }
    if lambda < 10 {
        let limit = exp(-lambda)
        var k = 0, product = g.uniformDouble()
        while product > limit { k += 1; product *= g.uniformDouble() }
        return k
    }
    let root = lambda.squareRoot(), logLambda = log(lambda)
    let b = 0.931 + 2.53 * root
    let a = -0.059 + 0.02483 * b
    let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
    let vr = 0.9277 - 3.6224 / (b - 2)
    while true {
        let u = g.uniformDouble() - 0.5, v = g.uniformDouble()
        let us = 0.5 - abs(u)
        let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
        if us >= 0.07 && v <= vr { return Int(k) }
        if k < 0 || (us < 0.013 && v > us) { continue }
        let lhs = log(v) + log(inverseAlpha) - log(a / (us * us) + b)
        if lhs <= -lambda + k * logLambda - lgamma(k + 1) { return Int(k) }
    }
}

extension NoiseModel {
    /// The one command-line syntax for noise, on every command: `none`, `gaussian:SNR_DB`,
    /// `poisson:PHOTONS` (mean photons per detector pixel) or `camera:photons=N,read=E[,well=E][,bits=B]`
    /// (`CameraNoise`). Validated.
    public init(parsing text: String) throws {
        let lowered = text.lowercased()
        if lowered == "camera" {
            throw OpticsError("camera noise needs its sensor: camera:photons=N,read=E[,well=E][,bits=B], "
                              + "e.g. camera:photons=1000,read=3,well=10000,bits=12")
        }
        if lowered.hasPrefix("camera:") {
            self = .camera(try CameraNoise(parsing: String(lowered.dropFirst("camera:".count))))
            return
        }
        let parts = lowered.split(separator: ":", omittingEmptySubsequences: false)
        var parsed: NoiseModel?
        switch (parts.first.map(String.init), parts.count) {
        case ("none"?, 1): parsed = NoiseModel.none
        case ("gaussian"?, 2): parsed = Double(parts[1]).map { .gaussian(snrDB: $0) }
        case ("poisson"?, 2): parsed = Double(parts[1]).map { .poisson(photonsPerPixel: $0) }
        default: break
        }
        guard let parsed else { throw OpticsError("noise must be none, gaussian:SNR_DB, poisson:PHOTONS or "
                                            + "camera:photons=N,read=E[,well=E][,bits=B], got '\(text)'") }
        try parsed.validate()
        self = parsed
    }
}
