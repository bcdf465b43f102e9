import Foundation
import TensorCore

/// Where the masks of a simulation come from.
///
/// - `design`: an exported HDF5 design file; `displayed: false` takes the quantized mask
///   `/mask/phase`, `displayed: true` the phases decoded from `/slm/display` (what the panel shows).
/// - `dataset`: a mask another tool wrote as one HDF5 dataset (`MaskDataset`: `[L, H, W]` or `[H, W]`,
///   `units` rad, deg or waves).
/// - `frames`: SLM frame files (BMP/PNG/CSV, one per snapshot, in order) with the panel's profile;
///   each frame is decoded (gray → phase, circular mean of each superpixel, centred crop) for a
///   design of `height × width` pixels, with the given superpixel (nil: the largest that fits, as
///   on export) and optional lookup table.
public enum MaskSource {
    case design(path: String, displayed: Bool)
    case dataset(MaskDataset)
    case frames(paths: [String], profile: SLMProfile, height: Int, width: Int, superpixel: Int?, lut: PhaseLUT?)

    /// The masks `[L, H, W]` in radians; `log` receives a note for every conversion made.
    public func load(log: (String) -> Void = { _ in }) throws -> Tensor {
        switch self {
        case .dataset(let source):
            let (phases, notes) = try source.load()
            notes.forEach(log)
            return phases
        case .design(let path, let displayed):
            let design = try DesignFile.read(path: path)
            return displayed ? try design.chain.decode(design.displays, source: path)
                             : design.quantized.phases
        case .frames(let paths, let profile, let height, let width, let superpixel, let lut):
            guard !paths.isEmpty else { throw FabricationError("frames", "no SLM frame files given") }
            let layout = try SLMLayout(designHeight: height, designWidth: width, profile: profile, superpixel: superpixel)
            let encoder = try lut.map { try GrayEncoder(profile: profile, lut: $0) } ?? GrayEncoder(profile: profile)
            let images = try paths.map { try SLMBitmap.read(path: $0, profile: profile) }
            return try layout.decode(images, with: encoder, source: paths[0])
        }
    }
}
