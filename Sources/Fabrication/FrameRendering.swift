import Foundation
import Storage
import TensorCore

/// Simulated CDPs as the camera frames a lab would record (`simulate --frame-tiff`): gray TIFF files
/// that `import-frame` and `reconstruct --frame` read back, so the whole camera path can be tested
/// without a camera. The inverse of `FrameImport` up to quantization and the unknown scale.
///
/// Each CDP y `[H', W']` is centred (zero frequency in the middle), each grid pixel spread over a
/// `bin × bin` block of sensor pixels (y/bin² each), the window placed at `offset` (default: centred)
/// on a sensor of `sensor` pixels (default: the window), and recorded as
///
///     counts = round(darkLevel + gain · y / bin²),   gain = peak · (2^bits − 1) · bin² / max y
///
/// with one gain for every frame of the run (one exposure), so the brightest sensor pixel of all reads
/// `peak` of the full scale and, for peak + darkLevel/(2^bits − 1) < 1, nothing saturates. 8- and
/// 16-bit counts fill their samples; 12-bit counts are stored left-justified (× 16) in 16-bit samples,
/// as many cameras write them. With darkLevel > 0 a dark frame holding just the black level is written
/// beside the frames.
public struct FrameRendering {
    /// 8, 12 (left-justified in 16-bit samples) or 16.
    public var bits = 16
    /// Reading of the brightest sensor pixel, as a fraction of the full scale, in (0, 1].
    public var peak = 0.8
    public var bin = 1
    /// Sensor size in pixels; nil: the window (bin·W' × bin·H').
    public var sensor: (width: Int, height: Int)?
    /// The window's top-left sensor pixel; nil: centred on the sensor.
    public var offset: (left: Int, top: Int)?
    /// Counts added to every pixel (the camera's black level), ≥ 0.
    public var darkLevel = 0.0
    /// Far-field CDPs are centred on the sensor (zero frequency in the middle); near-field CDPs are
    /// sensor images and are recorded as they are (`FrameGeometry.centred`).
    public var centred = true

    public init() {}

    var fullScale: Double { Double((1 << bits) - 1) }

    /// The geometry on the sensor for CDPs of `gridHeight × gridWidth`, and the sensor's size; every
    /// setting checked (errors name the option).
    public func layout(gridHeight: Int, gridWidth: Int) throws -> (geometry: FrameGeometry, width: Int, height: Int) {
        guard [8, 12, 16].contains(bits) else { throw FabricationError("--frame-bits", "give 8, 12 or 16, got \(bits)") }
        guard peak > 0, peak <= 1 else { throw FabricationError("--frame-peak", "give a fraction of the full scale in (0, 1], got \(peak)") }
        guard darkLevel >= 0, darkLevel + peak * fullScale <= fullScale else {
            throw FabricationError("--frame-dark", "a black level of \(darkLevel) counts plus the peak (\(peak) of \(Int(fullScale))) "
                                   + "exceeds the \(bits)-bit full scale")
        }
        guard bin >= 1 else { throw FabricationError("--frame-bin", "the bin factor must be ≥ 1, got \(bin)") }
        let (ww, wh) = (bin * gridWidth, bin * gridHeight)
        let (width, height) = sensor ?? (ww, wh)
        guard width >= ww, height >= wh else {
            throw FabricationError("--frame-sensor", "a \(width)×\(height) sensor is smaller than the \(ww)×\(wh) window "
                                   + "(\(gridWidth)×\(gridHeight) grid, bin \(bin))")
        }
        let (left, top) = offset ?? ((width - ww) / 2, (height - wh) / 2)
        guard left >= 0, top >= 0, left + ww <= width, top + wh <= height else {
            throw FabricationError("--frame-offset", "a \(ww)×\(wh) window at (\(left), \(top)) does not fit the \(width)×\(height) sensor")
        }
        return (FrameGeometry(gridHeight: gridHeight, gridWidth: gridWidth, bin: bin, left: left, top: top, centred: centred),
                width, height)
    }

    /// The file names for `scenes × snapshots` frames: `path` itself for one frame, else
    /// `STEM_b<scene>_l<snapshot>.EXT` (0-based, scene-major); the dark frame is `STEM_dark.EXT`.
    public static func names(for path: String, scenes: Int, snapshots: Int) -> (frames: [String], dark: String) {
        let url = URL(fileURLWithPath: path), ext = url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        let frames = scenes * snapshots == 1 ? [url.lastPathComponent]
            : (0..<scenes).flatMap { b in (0..<snapshots).map { "\(stem)_b\(b)_l\($0).\(ext)" } }
        return (frames, "\(stem)_dark.\(ext)")
    }

    /// The frames of `cdp` `[B, L, H', W']` (scene-major), as images, and the gain used.
    public func images(_ cdp: Tensor) throws -> (frames: [RasterImage], dark: RasterImage?, gain: Double) {
        precondition(cdp.rank == 4, "images: CDPs \(cdp.shape) must be [B, L, H', W']")
        let (gh, gw) = (cdp.shape[2], cdp.shape[3])
        let (geometry, width, height) = try layout(gridHeight: gh, gridWidth: gw)
        let largest = Double(cdp.buffer.max() ?? 0)
        guard largest > 0 else { throw FabricationError("CDPs", "are zero everywhere: there is no light to record") }
        let gain = peak * fullScale * Double(bin * bin) / largest
        let n = gh * gw
        let frames = (0..<(cdp.count / n)).map { s -> RasterImage in
            let y = (0..<n).map { Float(gain * Double(cdp.pointer[s * n + $0])) }
            return image(geometry.render(y, width: width, height: height), width: width, height: height)
        }
        let dark = darkLevel > 0 ? image([Float](repeating: 0, count: width * height), width: width, height: height) : nil
        return (frames, dark, gain)
    }

    /// `darkLevel + v` rounded and clamped to the full scale, in the samples of `bits`.
    func image(_ values: [Float], width: Int, height: Int) -> RasterImage {
        let counts = values.map { min(fullScale, max(0, (darkLevel + Double($0)).rounded())) }
        switch bits {
        case 8: return .gray8(counts.map { UInt8($0) }, width: width, height: height)
        case 12: return .gray16(counts.map { UInt16($0) << 4 }, width: width, height: height)
        default: return .gray16(counts.map { UInt16($0) }, width: width, height: height)
        }
    }

    /// Throws unless frames of CDPs `[B, L, H', W']` can be written to `path` with these settings
    /// (`simulate` asks before it writes anything).
    public func check(gridHeight: Int, gridWidth: Int, path: String) throws {
        guard ImageFile.format(of: path) == .tiff else {
            throw FabricationError(path, "camera frames are written as TIFF: name a .tif or .tiff file")
        }
        _ = try layout(gridHeight: gridHeight, gridWidth: gridWidth)
    }

    /// Writes the frames of `cdp` (and the dark frame) beside `path` (`names(for:…)`), all or none
    /// (staged, then renamed into place). Returns the paths written, frames first.
    public func write(_ cdp: Tensor, to path: String) throws -> [String] {
        try check(gridHeight: cdp.shape[2], gridWidth: cdp.shape[3], path: path)
        let (frames, dark, _) = try images(cdp)
        let (frameNames, darkName) = Self.names(for: path, scenes: cdp.shape[0], snapshots: cdp.shape[1])
        var names = frameNames
        let directory = (path as NSString).deletingLastPathComponent
        let group = try AtomicFileGroup(directory: directory.isEmpty ? "." : directory, name: "frames")
        do {
            for (name, image) in zip(names, frames) { try TIFFFile.write(image, to: group.stagingPath(name)) }
            if let dark { try TIFFFile.write(dark, to: group.stagingPath(darkName)); names.append(darkName) }
            try group.commit(order: names)
            return names.map { directory.isEmpty ? $0 : (directory as NSString).appendingPathComponent($0) }
        } catch {
            group.discard()
            throw error
        }
    }
}
