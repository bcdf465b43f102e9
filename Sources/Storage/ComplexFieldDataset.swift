import Foundation
import TensorCore

/// A stack of complex fields in an HDF5 file, named `FILE.h5:/DATASET` (or `.hdf5`): float32 or
/// float64 `[H, W, 2]` (one field) or `[B, H, W, 2]`, last axis real, imaginary. The layout of `/scene`
/// in `phasemask simulate`'s output and of `/verification/scenes` in design files; read by `simulate
/// --scene` and by the `--data` scene source of complex fields, so both parse and check it one way.
public struct ComplexFieldDataset: Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let dataset: String

    public init(path: String, dataset: String) {
        self.path = path
        self.dataset = dataset
    }

    /// `FILE.h5:/DATASET` split at the first `:/` after a name ending in `.h5` or `.hdf5` (any case);
    /// nil for any other text.
    public init?(spec: String) {
        guard let range = spec.range(of: ":/"),
              [".h5", ".hdf5"].contains(where: { spec[..<range.lowerBound].lowercased().hasSuffix($0) }) else { return nil }
        self.init(path: String(spec[..<range.lowerBound]), dataset: String(spec[spec.index(after: range.lowerBound)...]))
    }

    public var description: String { "\(path):\(dataset)" }

    /// The number of fields B and their height and width, from the dataset's header alone. Throws a
    /// `StorageError` naming the file and dataset for a missing file or dataset, a type that is not
    /// floating point, or a shape other than `[H, W, 2]` / `[B, H, W, 2]` with B ≥ 1.
    public func shape() throws -> (count: Int, height: Int, width: Int) {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let info = try file.datasetInfo(dataset)
        guard info.type == .float32 || info.type == .float64 else {
            throw StorageError(.mismatch, path: path, object: dataset, "holds \(info.type), expected float32 or float64 re/im pairs")
        }
        return try fieldShape(info.shape)
    }

    /// The fields `[B, H, W]` (finite values only).
    public func read() throws -> ComplexField {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let t = try file.readTensor(dataset, requireFinite: true)
        let s = try fieldShape(t.shape)
        return ComplexField(storage: t.reshaped([s.count, s.height, s.width, 2]))
    }

    /// `[H, W, 2]` → (1, H, W); `[B, H, W, 2]` → (B, H, W); anything else is an error.
    func fieldShape(_ shape: [Int]) throws -> (count: Int, height: Int, width: Int) {
        let full = shape.count == 3 ? [1] + shape : shape
        guard full.count == 4, full[3] == 2, full[0] >= 1 else {
            throw StorageError(.mismatch, path: path, object: dataset,
                               "has shape \(shape), expected a complex field [H, W, 2] or a stack [B, H, W, 2] (last axis: real, imaginary)")
        }
        return (full[0], full[1], full[2])
    }
}
