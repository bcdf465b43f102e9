import CHDF5
import TensorCore

/// Datasets: n-dimensional arrays of one `HDF5ElementType`, row-major (h5py/NumPy order).
extension HDF5File {
    /// Element type and shape of the dataset at `object`.
    public func datasetInfo(_ object: String) throws -> (type: HDF5ElementType, shape: [Int]) {
        try withDataset(object) { dataset, type, shape in
            guard let element = HDF5ElementType(datatype: type) else {
                throw StorageError(.unsupported, path: path, object: object,
                                   "dataset has element type \(HDF5ElementType.describe(type)), which Storage does not read")
            }
            return (element, shape)
        }
    }

    /// Writes `values` (row-major, `shape.reduce(1, *)` elements; `[]` is a scalar) as a new dataset.
    /// With `requireFinite`, float data containing NaN or ±Inf is refused before anything is written.
    public func write<T: HDF5Element>(_ values: [T], shape: [Int], to object: String, requireFinite: Bool = false) throws {
        try checkWritable(object)
        _ = try components(object)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw StorageError(.mismatch, path: path, object: object, "\(values.count) values do not fill shape \(shape)")
        }
        try values.withUnsafeBufferPointer { buffer in
            if requireFinite { try requireFiniteValues(buffer, path: path, object: object) }
            try writeDataset(UnsafeRawPointer(buffer.baseAddress), count: buffer.count, type: T.hdf5ElementType,
                             shape: shape, object: object)
        }
    }

    /// Writes a tensor as a float32 dataset of the same shape.
    public func write(_ tensor: Tensor, to object: String, requireFinite: Bool = false) throws {
        try checkWritable(object)
        _ = try components(object)
        let buffer = UnsafeBufferPointer(tensor.buffer)
        if requireFinite { try requireFiniteValues(buffer, path: path, object: object) }
        try writeDataset(UnsafeRawPointer(buffer.baseAddress), count: buffer.count, type: .float32, shape: tensor.shape,
                         object: object)
    }

    /// Reads the dataset at `object`, whose element type must be exactly `T` and whose shape must
    /// equal `shape` when given. Returns the values (row-major) and the shape.
    public func read<T: HDF5Element>(_: T.Type, _ object: String, shape expected: [Int]? = nil,
                                     requireFinite: Bool = false) throws -> (values: [T], shape: [Int]) {
        try withDataset(object) { dataset, type, shape in
            let stored = HDF5ElementType(datatype: type)
            guard stored == T.hdf5ElementType else {
                throw StorageError(.mismatch, path: path, object: object,
                                   "dataset holds \(HDF5ElementType.describe(type)), expected \(T.hdf5ElementType)")
            }
            try checkShape(shape, expected, object)
            let count = try plausibleElementCount(dataset, type, shape, object)
            var values = [T](repeating: T(), count: count)
            try values.withUnsafeMutableBytes { raw in
                try readDataset(dataset, into: raw.baseAddress, count: count, type: T.hdf5ElementType, object: object)
            }
            if requireFinite { try values.withUnsafeBufferPointer { try requireFiniteValues($0, path: path, object: object) } }
            return (values, shape)
        }
    }

    /// Reads a float32 or float64 dataset as a tensor of its shape (float64 is converted by HDF5).
    public func readTensor(_ object: String, shape expected: [Int]? = nil, requireFinite: Bool = false) throws -> Tensor {
        try withDataset(object) { dataset, type, shape in
            guard H5Tget_class(type) == H5T_FLOAT else {
                throw StorageError(.mismatch, path: path, object: object,
                                   "dataset holds \(HDF5ElementType.describe(type)), expected floating point")
            }
            try checkShape(shape, expected, object)
            _ = try plausibleElementCount(dataset, type, shape, object)
            let tensor = Tensor(uninitialized: shape)
            try readDataset(dataset, into: tensor.pointer, count: tensor.count, type: .float32, object: object)
            if requireFinite { try requireFiniteValues(UnsafeBufferPointer(tensor.buffer), path: path, object: object) }
            return tensor
        }
    }

    // MARK: Implementation

    private func checkShape(_ shape: [Int], _ expected: [Int]?, _ object: String) throws {
        if let expected, expected != shape {
            throw StorageError(.mismatch, path: path, object: object, "dataset has shape \(shape), expected \(expected)")
        }
    }

    /// Opens the dataset at `object` and passes its id, stored datatype and shape to `body`.
    func withDataset<R>(_ object: String, _ body: (hid_t, hid_t, [Int]) throws -> R) throws -> R {
        try checkOpen(object)
        switch try kind(of: object) {
        case .dataset: break
        case .group: throw StorageError(.mismatch, path: path, object: object, "is a group, not a dataset")
        case nil: throw StorageError(.notFound, path: path, object: object, "no such dataset")
        }
        return try HDF5Library.locked {
            let dataset = H5Dopen2(file, object, phasemask_h5p_default())
            guard dataset >= 0 else { throw failure(.corrupt, object, "cannot open the dataset") }
            defer { _ = H5Dclose(dataset) }
            let type = H5Dget_type(dataset), space = H5Dget_space(dataset)
            defer { HDF5Handle(id: type, kind: .datatype).close(); HDF5Handle(id: space, kind: .dataspace).close() }
            guard type >= 0, space >= 0 else { throw failure(.corrupt, object, "cannot read the dataset's type or shape") }
            let shape = try dataspaceShape(space, object)
            return try body(dataset, type, shape)
        }
    }

    /// The dimensions of a simple or scalar dataspace; their product must fit an `Int`.
    func dataspaceShape(_ space: hid_t, _ object: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw failure(.corrupt, object, "cannot read the dataspace") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw failure(.corrupt, object, "cannot read the dimensions") }
        let shape = try dims.map { d -> Int in
            guard let n = Int(exactly: d) else { throw StorageError(.corrupt, path: path, object: object, "dimension \(d) is impossible") }
            return n
        }
        _ = try elementCount(shape, object)
        return shape
    }

    /// The number of elements of `shape`, or an error when the product overflows.
    func elementCount(_ shape: [Int], _ object: String) throws -> Int {
        try shape.reduce(1) { product, n in
            let (p, overflow) = product.multipliedReportingOverflow(by: n)
            guard !overflow else { throw StorageError(.corrupt, path: path, object: object, "shape \(shape) is impossibly large") }
            return p
        }
    }

    /// The element count of a dataset about to be read into memory, after checking that the file really
    /// holds that much data: a damaged header can announce terabytes in a small file, and the buffer is
    /// allocated before HDF5 reads. Allowed: the bytes stored (times 1032, deflate's largest ratio, for
    /// compressed datasets) plus 1 MiB for fill values.
    func plausibleElementCount(_ dataset: hid_t, _ type: hid_t, _ shape: [Int], _ object: String) throws -> Int {
        let count = try elementCount(shape, object)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(H5Tget_size(type), 1))
        let stored = Int(clamping: H5Dget_storage_size(dataset))
        guard !overflow, bytes <= stored.multipliedReportingOverflow(by: 1032).partialValue + (1 << 20) else {
            throw StorageError(.truncated, path: path, object: object,
                               "dataset of shape \(shape) needs \(overflow ? "more than Int.max" : "\(bytes)") bytes "
                               + "but the file stores \(stored) (truncated or damaged)")
        }
        return count
    }

    /// A dataspace for `shape` (`[]` is scalar).
    func makeDataspace(_ shape: [Int], _ object: String) throws -> HDF5Handle {
        let id: hid_t
        if shape.isEmpty {
            id = H5Screate(H5S_SCALAR)
        } else {
            let dims = shape.map { hsize_t($0) }
            id = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        guard id >= 0 else { throw failure(object, "cannot create a dataspace of shape \(shape)") }
        return HDF5Handle(id: id, kind: .dataspace)
    }

    private func writeDataset(_ data: UnsafeRawPointer?, count: Int, type: HDF5ElementType, shape: [Int], object: String) throws {
        if let existing = try kind(of: object) {
            throw StorageError(.mismatch, path: path, object: object, "a \(existing) already exists at this path")
        }
        try HDF5Library.locked {
            let space = try makeDataspace(shape, object)
            defer { space.close() }
            let lcpl = try linkCreationList(object)
            defer { lcpl.close() }
            let dataset = H5Dcreate2(file, object, type.fileType, space.id, lcpl.id, phasemask_h5p_default(), phasemask_h5p_default())
            guard dataset >= 0 else { throw failure(object, "cannot create the dataset") }
            defer { _ = H5Dclose(dataset) }
            if count > 0, let data {
                guard H5Dwrite(dataset, type.memoryType, phasemask_h5s_all(), phasemask_h5s_all(), phasemask_h5p_default(), data) >= 0 else {
                    throw failure(object, "cannot write the dataset")
                }
            }
        }
    }

    private func readDataset(_ dataset: hid_t, into data: UnsafeMutableRawPointer?, count: Int, type: HDF5ElementType,
                             object: String) throws {
        guard count > 0, let data else { return }
        guard H5Dread(dataset, type.memoryType, phasemask_h5s_all(), phasemask_h5s_all(), phasemask_h5p_default(), data) >= 0 else {
            throw failure(.corrupt, object, "cannot read the dataset")
        }
    }
}
