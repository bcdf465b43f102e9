import ArgumentParser
import Fabrication
import Storage

/// How camera frames become CDPs: the options `import-frame` and `reconstruct --frame` share
/// (`FrameImport`, docs/formats.md "Camera frames").
struct FrameOptions: ParsableArguments {
    @Option(help: "Dark frame (TIFF/PNG, light blocked, same exposure): subtracted from every frame.") var dark: String?
    @Option(help: "Flat field (TIFF/PNG, uniform light): every frame is divided by each pixel's relative gain.")
    var flat: String?
    @Option(help: "Significant bits of 16-bit frames: auto (12-bit left-justified data is detected) or 8…16.")
    var bits: String = "auto"
    @Option(help: "Sensor pixels per grid pixel, each way (default: frame size / grid size, when a whole multiple).")
    var bin: Int?
    @Option(help: ArgumentHelp("The grid's window on the sensor (default: where the most light falls).", valueName: "x,y,width,height"))
    var crop: String?
    @Option(help: "Scale of each CDP: parseval (sum = H·W, a pure-phase scene), a scene energy ‖x‖², or none.")
    var normalize: String = "parseval"

    func validate() throws { _ = try options(frames: []) }

    /// True when any option was given (they need frames to apply to).
    var isUsed: Bool { dark != nil || flat != nil || bits != "auto" || bin != nil || crop != nil || normalize != "parseval" }

    func options(frames: [String]) throws -> FrameImport.Options {
        var o = FrameImport.Options(frames: frames)
        (o.dark, o.flat, o.bin) = (dark, flat, bin)
        guard let b = CameraFrameFile.SignificantBits(bits) else { throw ValidationError("--bits must be auto or 8…16, got '\(bits)'") }
        o.bits = b
        guard let n = FrameImport.Normalization(normalize) else {
            throw ValidationError("--normalize must be parseval, none or a positive energy, got '\(normalize)'")
        }
        o.normalization = n
        if let crop {
            let parts = crop.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--crop must be X,Y,WIDTH,HEIGHT in sensor pixels, got '\(crop)'")
            }
            o.crop = parts.map { $0! }
        }
        if let bin, bin < 1 { throw ValidationError("--bin must be ≥ 1, got \(bin)") }
        return o
    }
}
