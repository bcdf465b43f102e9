import Foundation
import Storage
import TensorCore

/// Where a simulation scene comes from, parsed from a command-line spec:
///
/// - `fashion-mnist:test:INDEX` / `fashion-mnist:train:INDEX`: image INDEX of the FashionMNIST file
///   (t10k or train, in file order — not the training code's shuffled split), intensities byte/255;
/// - `FILE.h5:/DATASET` (or `.hdf5`): a complex field stored as float32/64 `[H, W, 2]` or
///   `[B, H, W, 2]` (last axis real, imaginary; `ComplexFieldDataset`, the layout `--data` reads too),
///   e.g. `/verification/scenes` of a design file;
/// - anything else: a PNG, BMP or TIFF image file (`ImageFile`), intensities in [0, 1] (sample /
///   maximum; a float TIFF with values outside [0, 1] is stretched min → 0, max → 1).
///
/// Images become intensities `[1, 1, H, W]` resized to the mask size (bilinear when enlarging, area
/// average when shrinking, as in training); a field must already have the mask's H × W. An image whose
/// aspect ratio differs from the mask's is first centre-cropped to the mask's aspect ratio (never
/// stretched), a colour image is converted to gray with the Rec. 601 luma weights, transparency is
/// composited onto black and a float image is stretched: each with a note (`load`'s `log`), never silently.
public enum SceneSource: Equatable, Sendable {
    case image(path: String)
    case fashionMNIST(split: IDXFile.Split, index: Int, directory: String)
    case field(path: String, dataset: String)

    public init(parsing spec: String, fashionMNISTDirectory: String = IDXFile.fashionMNISTDirectory) throws {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.first?.lowercased() == "fashion-mnist" {
            guard parts.count == 3, let split = ["test": IDXFile.Split.test, "train": .train][parts[1].lowercased()],
                  let index = Int(parts[2]), index >= 0 else {
                throw FabricationError(spec, "expected fashion-mnist:test:INDEX or fashion-mnist:train:INDEX with INDEX ≥ 0")
            }
            self = .fashionMNIST(split: split, index: index, directory: fashionMNISTDirectory)
        } else if let field = ComplexFieldDataset(spec: spec) {
            self = .field(path: field.path, dataset: field.dataset)
        } else {
            self = .image(path: spec)
        }
    }

    /// A scene to simulate: intensities to be turned into a phase object, or a complex field.
    public enum Loaded {
        /// `[1, 1, H, W]`, values in [0, 1].
        case intensity(Tensor)
        /// `[B, H, W]`.
        case field(ComplexField)
    }

    /// Loads the scene for an `height × width` mask; `log` receives a note for every conversion of an
    /// image file (colour, transparency, aspect ratio).
    public func load(height: Int, width: Int, log: (String) -> Void = { _ in }) throws -> Loaded {
        switch self {
        case .image(let path):
            guard ImageFile.format(of: path) != nil else {
                throw FabricationError(path, "a scene image must be a .png, .bmp, .tif or .tiff file")
            }
            let decoded = try ImageFile.read(path: path)
            if decoded.isColour { log("\(path): colour image (\(decoded.sourceLayout)) converted to gray with the Rec. 601 luma weights") }
            if decoded.hadAlpha { log("\(path): transparency composited onto black") }
            if decoded.image.isStretched { log("\(path): float image with values outside [0, 1] stretched to [0, 1]") }
            let image = decoded.image.intensityTensor()
            let crop = SceneSource.centreCrop(image, aspectOf: height, width)
            if crop.shape != image.shape {
                let resize = crop.shape[2] == height && crop.shape[3] == width ? "" : ", then resized to \(width)×\(height)"
                log("\(path): \(image.shape[3])×\(image.shape[2]) pixels (W×H) centre-cropped to \(crop.shape[3])×\(crop.shape[2]), "
                    + "the mask's aspect ratio" + resize)
            }
            return .intensity(resized(crop, height, width))
        case .fashionMNIST(let split, let index, let directory):
            let images = try IDXFile.readFashionMNIST(split, limit: index + 1, directory: directory).images
            guard index < images.count else {
                throw FabricationError("fashion-mnist:\(split == .test ? "test" : "train"):\(index)",
                                       "the file has only \(images.count) images")
            }
            return .intensity(resized(images.tensor(index..<(index + 1)), height, width))
        case .field(let path, let dataset):
            let x = try ComplexFieldDataset(path: path, dataset: dataset).read()
            guard x.shape[1] == height, x.shape[2] == width else {
                throw FabricationError(path, "\(dataset) is \(x.shape[1])×\(x.shape[2]), the mask is \(height)×\(width)")
            }
            return .field(x)
        }
    }

    /// The largest centred window of `image` `[1, 1, h, w]` with the aspect ratio `height : width`
    /// (the image itself when the ratios agree to within one pixel).
    static func centreCrop(_ image: Tensor, aspectOf height: Int, _ width: Int) -> Tensor {
        let h = image.shape[2], w = image.shape[3]
        // Keep the full extent of the limiting side; the other side is rounded to whole pixels.
        var cropH = h, cropW = Int((Double(h) * Double(width) / Double(height)).rounded())
        if cropW > w { cropW = w; cropH = Int((Double(w) * Double(height) / Double(width)).rounded()) }
        cropH = max(1, min(cropH, h)); cropW = max(1, min(cropW, w))
        if abs(cropH - h) <= 1 && abs(cropW - w) <= 1 { return image }
        let top = (h - cropH) / 2, left = (w - cropW) / 2
        let out = Tensor(uninitialized: [1, 1, cropH, cropW])
        for y in 0..<cropH {
            for x in 0..<cropW { out.pointer[y * cropW + x] = image.pointer[(top + y) * w + left + x] }
        }
        return out
    }

    private func resized(_ x: Tensor, _ height: Int, _ width: Int) -> Tensor {
        x.shape[2] == height && x.shape[3] == width ? x : Resize.resize(x, height: height, width: width)
    }
}
