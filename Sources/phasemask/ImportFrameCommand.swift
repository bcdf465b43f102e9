import ArgumentParser
import Foundation
import Pipeline

/// `phasemask import-frame`: camera frames → a CDP file.
struct ImportFrame: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-frame",
        abstract: "Turn camera frames (8/12/16-bit TIFF or PNG, one per snapshot) into a CDP file for `reconstruct --cdp`.")

    @Argument(help: "Camera frames of one scene, one per snapshot, in the masks' order.") var frames: [String]
    @Option(help: "The exported design (.h5) the frames were taken with, or a mask dataset FILE.h5:/DATASET: its grid and masks.")
    var mask: String?
    @Option(help: "A checkpoint or recovery file, whose grid and masks are used when --mask is not given.") var model: String?
    @OptionGroup(title: "Frames") var frameOptions: FrameOptions
    @OptionGroup(title: "Propagation (default: the design's or checkpoint's, else far field)") var optics: PropagationOptions
    @Option(help: "Output CDP file (HDF5, the layout `simulate` writes, plus /saturated).") var out: String

    func run() throws {
        guard !frames.isEmpty else { throw ValidationError("give the camera frames, one per snapshot") }
        let m = try FrameImportJob.run(try frameOptions.options(frames: frames), mask: mask, model: model, out: out,
                                       sensing: try optics.sensing(), log: { print("note: \($0)") })
        print("wrote \(out): CDPs \(m.cdp.shape) from " + FrameImportJob.summary(m))
        print("normalization: \(m.rule)")
    }
}
