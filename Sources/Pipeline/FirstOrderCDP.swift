import Optics
import Storage
import TensorCore

extension FirstOrderWindow {
    /// The CDPs of a CDP file: `/cdp` itself, or, when `/cdp` records a first-order window (a sensor
    /// simulated with `simulate --zero-order`), that window taken back out and divided by its divisor.
    static func cdp(in file: HDF5File, path: String) throws -> (cdp: Tensor, window: FirstOrderWindow?) {
        let y = try file.readTensor("/cdp", requireFinite: true)
        guard try file.attributeNames(of: "/cdp").contains(binAttribute) else { return (y, nil) }
        let bin = try ints(file, binAttribute, path), size = try ints(file, sizeAttribute, path)
        let divisor = file.exists(divisorDataset)
            ? try file.read(Float.self, divisorDataset, shape: size, requireFinite: true).values : nil
        do {
            let window = try FirstOrderWindow(row: bin[0], column: bin[1], height: size[0], width: size[1], divisor: divisor)
            return (try window.extract(y), window)
        } catch let error as OpticsError {
            throw StorageError(.mismatch, path: path, object: "/cdp", error.description)
        }
    }

    private static func ints(_ file: HDF5File, _ name: String, _ path: String) throws -> [Int] {
        guard case .ints(let values) = try file.attribute(name, of: "/cdp"), values.count == 2 else {
            throw StorageError(.mismatch, path: path, object: "/cdp", "attribute '\(name)' must be two integers")
        }
        return values
    }
}
