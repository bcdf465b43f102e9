import ArgumentParser
import Fabrication

/// `simulate --frame-tiff`: the CDPs also as camera frames (`FrameRendering`).
struct FrameRenderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write each CDP as a gray TIFF camera frame (FILE, or FILE_b<scene>_l<snapshot>.tif for several).",
                               valueName: "file.tif"))
    var frameTiff: String?
    @Option(help: "Frame depth: 16, 12 (stored left-justified in 16-bit samples) or 8.") var frameBits = 16
    @Option(help: "Brightest sensor pixel of the run, as a fraction of the full scale.") var framePeak = 0.8
    @Option(help: "Sensor pixels per CDP pixel, each way.") var frameBin = 1
    @Option(help: ArgumentHelp("Sensor size (default: the binned CDP).", valueName: "WxH")) var frameSensor: String?
    @Option(help: ArgumentHelp("Top-left sensor pixel of the CDP window (default: centred).", valueName: "x,y")) var frameOffset: String?
    @Option(help: "Black level in counts added to every pixel; a dark frame FILE_dark.tif is written beside.") var frameDark = 0.0

    func validate() throws { _ = try rendering() }

    /// The rendering asked for, or nil without --frame-tiff.
    func rendering() throws -> FrameRendering? {
        guard frameTiff != nil else { return nil }
        var r = FrameRendering()
        (r.bits, r.peak, r.bin, r.darkLevel) = (frameBits, framePeak, frameBin, frameDark)
        if let frameSensor {
            let d = frameSensor.lowercased().split(separator: "x").compactMap { Int($0) }
            guard d.count == 2, d.allSatisfy({ $0 > 0 }) else { throw ValidationError("--frame-sensor must be WxH, got '\(frameSensor)'") }
            r.sensor = (d[0], d[1])
        }
        if let frameOffset {
            let d = frameOffset.split(separator: ",").compactMap { Int($0) }
            guard d.count == 2, d.allSatisfy({ $0 >= 0 }) else { throw ValidationError("--frame-offset must be X,Y, got '\(frameOffset)'") }
            r.offset = (d[0], d[1])
        }
        return r
    }
}
