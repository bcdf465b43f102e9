import Foundation
import Storage

/// Dark-frame subtraction and flat-field division of camera frames.
///
///     corrected = (raw − dark) / g,      g = (flat − dark) / mean(flat − dark)
///
/// `dark` is a frame taken with the light blocked (same exposure and gain as the data); `flat` a frame
/// of uniform illumination, so g is each pixel's relative gain (mean 1 over the sensor: the division
/// corrects pixel-to-pixel response without changing the overall scale). Without a dark frame, dark = 0;
/// without a flat, g = 1. Values after subtraction may be negative (read noise around a zero signal):
/// they are kept, not clipped, so the correction adds no bias. Refused, naming the file: a dark or flat
/// of another size or depth than the frame, a flat whose mean is not above the dark, a pixel where it is not.
public struct FrameCorrection {
    public let dark: CameraFrame?
    public let flat: CameraFrame?
    /// g per sensor pixel, or nil without a flat.
    let gain: [Float]?

    public init(dark: CameraFrame? = nil, flat: CameraFrame? = nil) throws {
        if let dark, let flat { try Self.checkSize(dark, like: flat) }
        self.dark = dark
        self.flat = flat
        guard let flat else { gain = nil; return }
        var g = flat.counts
        if let dark { for i in 0..<g.count { g[i] -= dark.counts[i] } }
        let mean = g.reduce(0.0) { $0 + Double($1) } / Double(g.count)
        guard mean > 0 else {
            throw StorageError(.invalidValue, path: flat.path, "the flat field's mean (\(mean) counts) is not above the dark frame's: "
                               + "no light to measure the pixels' gain with")
        }
        if let bad = g.firstIndex(where: { !($0 > 0) }) {
            throw StorageError(.invalidValue, path: flat.path, "the flat field at row \(bad / flat.width), column "
                               + "\(bad % flat.width) (\(flat.counts[bad]) counts) is not above the dark frame: a dead pixel "
                               + "cannot be gain-corrected")
        }
        gain = g.map { Float(Double($0) / mean) }
    }

    /// `(raw − dark) / g` of `frame`, `[height, width]`.
    public func apply(_ frame: CameraFrame) throws -> [Float] {
        var out = frame.counts
        if let dark {
            try Self.checkSize(dark, like: frame)
            for i in 0..<out.count { out[i] -= dark.counts[i] }
        }
        if let gain, let flat {
            try Self.checkSize(flat, like: frame)
            for i in 0..<out.count { out[i] /= gain[i] }
        }
        return out
    }

    /// Throws, naming `calibration`'s file, unless it has `frame`'s size and depth (counts of another
    /// depth are not comparable).
    static func checkSize(_ calibration: CameraFrame, like frame: CameraFrame) throws {
        guard calibration.width == frame.width, calibration.height == frame.height else {
            throw StorageError(.mismatch, path: calibration.path, "is \(calibration.width)×\(calibration.height) pixels; the frame "
                               + "\(frame.path) is \(frame.width)×\(frame.height)")
        }
        guard calibration.bits == frame.bits else {
            throw StorageError(.mismatch, path: calibration.path, "holds \(calibration.bits)-bit data (\(calibration.storage)); the "
                               + "frame \(frame.path) holds \(frame.bits)-bit data (\(frame.storage))")
        }
    }
}
