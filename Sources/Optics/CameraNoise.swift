import Foundation
import TensorCore

/// A camera's sensor noise (`NoiseModel.camera`): Poisson shot noise, Gaussian read noise, saturation
/// at the full well and an ADC, all in electrons (e⁻) with a quantum efficiency of 1 (one
/// photoelectron per photon). docs/optics.md, *Noise*, gives the order of operations.
///
/// For each sample b (all its CDPs, m pixels) with `c_b = photonsPerPixel / mean(y_b)` electrons per
/// unit intensity, every pixel's electrons are
/// 1. `e = Poisson(c_b·y)` (mean `photonsPerPixel` per pixel over the sample),
/// 2. `e = min(e, fullWell)` when a full well is given (the well saturates before readout),
/// 3. `e = e + readNoise·n`, `n ~ N(0, 1)`, when `readNoise > 0`,
/// 4. with `bits`: `DN = clamp(round(e / g), 0, 2^bits − 1)` and `e = g·DN`, the gain
///    `g = fullWell / (2^bits − 1)` e⁻/DN mapping the full well to full scale (no offset, no bias),
/// then `ỹ = e / c_b`, back in the CDP's units. Without an ADC ỹ may be negative (read noise around
/// zero) and exceed the full well by the read noise. A sample with `mean(y_b) = 0` is returned
/// unchanged, as by the Poisson model. With `readNoise = 0` and neither full well nor ADC the draws and
/// values are exactly those of `NoiseModel.poisson`.
public struct CameraNoise: Equatable, Codable, Sendable, CustomStringConvertible {
    /// Mean photons (= electrons) per detector pixel over a sample, > 0.
    public var photonsPerPixel: Double
    /// Read noise, electrons rms, ≥ 0.
    public var readNoise: Double
    /// Full-well capacity in electrons, above `photonsPerPixel`; nil: no saturation.
    public var fullWell: Double?
    /// ADC bit depth, 1…32; needs `fullWell` (its full scale); nil: no quantization.
    public var bits: Int?

    public init(photonsPerPixel: Double, readNoise: Double, fullWell: Double? = nil, bits: Int? = nil) {
        self.photonsPerPixel = photonsPerPixel
        self.readNoise = readNoise
        self.fullWell = fullWell
        self.bits = bits
    }

    /// The ADC's gain g = fullWell / (2^bits − 1), electrons per digital number; nil without an ADC.
    public var gain: Double? {
        guard let fullWell, let bits else { return nil }
        return fullWell / (pow(2, Double(bits)) - 1)
    }

    /// The one text form, `photons=N,read=E[,well=E][,bits=B]` (after `camera:`).
    public var syntax: String {
        var fields = ["photons=\(Self.number(photonsPerPixel))", "read=\(Self.number(readNoise))"]
        if let fullWell { fields.append("well=\(Self.number(fullWell))") }
        if let bits { fields.append("bits=\(bits)") }
        return fields.joined(separator: ",")
    }

    /// One line for logs and the simulator's `noise` attribute, ending with the `--noise` text.
    public var description: String {
        var text = "camera noise: \(Self.number(photonsPerPixel)) photons per pixel on average, "
            + "read noise \(Self.number(readNoise)) e⁻ rms"
        if let fullWell { text += ", full well \(Self.number(fullWell)) e⁻" }
        if let bits, let gain { text += ", \(bits)-bit ADC at " + String(format: "%.4g", gain) + " e⁻/DN" }
        return text + " (camera:\(syntax))"
    }

    /// Rejects values no sensor has; each message is one line naming the field.
    public func validate() throws {
        guard photonsPerPixel.isFinite, photonsPerPixel > 0 else {
            throw OpticsError("camera noise needs a positive mean photon count per pixel, got photons=\(Self.number(photonsPerPixel))")
        }
        guard readNoise.isFinite, readNoise >= 0 else {
            throw OpticsError("camera read noise must be a finite number of electrons ≥ 0, got read=\(Self.number(readNoise))")
        }
        if let fullWell, !(fullWell.isFinite && fullWell > photonsPerPixel) {
            throw OpticsError("camera full well must exceed the mean signal of \(Self.number(photonsPerPixel)) e⁻ per pixel, "
                              + "got well=\(Self.number(fullWell))")
        }
        if let bits {
            guard (1...32).contains(bits) else { throw OpticsError("camera ADC bits must be in 1…32, got bits=\(bits)") }
            guard fullWell != nil else {
                throw OpticsError("camera ADC bits=\(bits) needs the full well (well=E): the ADC maps the full well to full scale")
            }
        }
    }

    /// Adds the noise to one sample's `m` intensities at `p`, in place (see the type's documentation).
    func apply(to p: UnsafeMutablePointer<Float>, count m: Int, generator: inout SeededGenerator) {
        var total = 0.0
        for i in 0..<m { total += Double(p[i]) }
        guard total > 0 else { return }
        let c = photonsPerPixel * Double(m) / total
        let gain = self.gain, top = bits.map { pow(2, Double($0)) - 1 } ?? 0
        for i in 0..<m {
            var e = Double(poissonSample(max(c * Double(p[i]), 0), &generator))
            if let fullWell { e = min(e, fullWell) }
            if readNoise > 0 { e += readNoise * Double(generator.normal()) }
            if let gain { e = gain * min(max((e / gain).rounded(), 0), top) }
            p[i] = Float(e / c)
        }
    }

    /// Parses `photons=N,read=E[,well=E][,bits=B]` (fields in any order, each once). Validated.
    public init(parsing text: String) throws {
        var values: [String: String] = [:]
        for field in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard pair.count == 2, ["photons", "read", "well", "bits"].contains(pair[0]) else {
                throw OpticsError("camera noise fields are photons=N,read=E[,well=E][,bits=B], got '\(field)'")
            }
            guard values.updateValue(pair[1], forKey: pair[0]) == nil else {
                throw OpticsError("camera noise field \(pair[0]) is given twice")
            }
        }
        func value(_ key: String) throws -> Double? {
            guard let text = values[key] else { return nil }
            guard let value = Double(text) else { throw OpticsError("camera noise \(key)=\(text) is not a number") }
            return value
        }
        guard let photons = try value("photons"), let read = try value("read") else {
            throw OpticsError("camera noise needs photons=N and read=E, e.g. camera:photons=1000,read=3,well=10000,bits=12")
        }
        var bits: Int?
        if let text = values["bits"] {
            guard let b = Int(text) else { throw OpticsError("camera ADC bits must be a whole number in 1…32, got bits=\(text)") }
            bits = b
        }
        self.init(photonsPerPixel: photons, readNoise: read, fullWell: try value("well"), bits: bits)
        try validate()
    }

    /// Whole numbers without a fraction (1000, not 1000.0); others as Swift prints them.
    static func number(_ x: Double) -> String {
        x.isFinite && x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}
