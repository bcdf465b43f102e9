import Foundation
import Storage
import TensorCore

/// Where a simulation scene comes from, parsed from a command-line spec:
///
/// - `fashion-mnist:test:INDEX` / `fashion-mnist:train:INDEX`: image INDEX of the FashionMNIST file
///   (t10k or train, in file order — not the training code's shuffled split), intensities byte/255;
/// - `FILE.h5:/DATASET` (or `.hdf5`): a complex field stored as float32/64 `[H, W, 2]` or
///   `[B, H, W, 2]` (last axis real, imaginary), e.g. `/verification/scenes` of a design file;
/// - anything else: a grayscale PNG or BMP image file, intensities in [0, 1] (sample / maximum).
///
/// Images become intensities `[1, 1, H, W]` resized to the mask size (bilinear when enlarging, area
/// average when shrinking, as in training); a field must already have the mask's H × W.
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
        } else if let range = spec.range(of: ":/"),
                  [".h5", ".hdf5"].contains(where: { spec[..<range.lowerBound].lowercased().hasSuffix($0) }) {
            self = .field(path: String(spec[..<range.lowerBound]), dataset: String(spec[spec.index(after: range.lowerBound)...]))
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

    /// Loads the scene for an `height × width` mask.
    public func load(height: Int, width: Int) throws -> Loaded {
        switch self {
        case .image(let path):
            let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
            guard ext == "png" || ext == "bmp" else {
                throw FabricationError(path, "a scene image must be a .png or .bmp file")
            }
            let decoded = ext == "png" ? try PNGFile.read(path: path) : try BMPFile.read(path: path)
            return .intensity(resized(decoded.image.intensityTensor(), height, width))
        case .fashionMNIST(let split, let index, let directory):
            let images = try IDXFile.readFashionMNIST(split, limit: index + 1, directory: directory).images
            guard index < images.count else {
                throw FabricationError("fashion-mnist:\(split == .test ? "test" : "train"):\(index)",
                                       "the file has only \(images.count) images")
            }
            return .intensity(resized(images.tensor(index..<(index + 1)), height, width))
        case .field(let path, let dataset):
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            let t = try file.readTensor(dataset, requireFinite: true)
            let shape = t.rank == 3 ? [1] + t.shape : t.shape
            guard shape.count == 4, shape[3] == 2, shape[0] >= 1 else {
                throw FabricationError(path, "\(dataset) has shape \(t.shape), expected [H, W, 2] or [B, H, W, 2]")
            }
            guard shape[1] == height, shape[2] == width else {
                throw FabricationError(path, "\(dataset) is \(shape[1])×\(shape[2]), the mask is \(height)×\(width)")
            }
            return .field(ComplexField(storage: t.reshaped(shape)))
        }
    }

    private func resized(_ x: Tensor, _ height: Int, _ width: Int) -> Tensor {
        x.shape[2] == height && x.shape[3] == width ? x : Resize.resize(x, height: height, width: width)
    }
}
