import CHDF5

/// The value of an HDF5 attribute. Strings are stored as variable-length UTF-8 scalars (h5py reads
/// them as `str`), numbers as little-endian scalars or 1-D arrays.
public enum HDF5Attribute: Equatable, Sendable {
    case string(String)
    case double(Double)
    case int(Int)
    case doubles([Double])
    case floats([Float])
    case ints([Int])
}

extension HDF5File {
    /// Sets attribute `name` on the group or dataset `object`, replacing any attribute of that name.
    public func setAttribute(_ name: String, _ value: HDF5Attribute, on object: String = "/") throws {
        try checkWritable(object)
        try withObject(object, name) { id in
            if H5Aexists(id, name) > 0, H5Adelete(id, name) < 0 {
                throw failure(attributeLabel(object, name), "cannot replace the attribute")
            }
            switch value {
            case .string(let text): try writeString(text, on: id, object, name)
            case .double(let x): try writeNumbers([x], scalar: true, .float64, on: id, object, name)
            case .int(let x): try writeNumbers([Int64(x)], scalar: true, .int64, on: id, object, name)
            case .doubles(let xs): try writeNumbers(xs, scalar: false, .float64, on: id, object, name)
            case .floats(let xs): try writeNumbers(xs, scalar: false, .float32, on: id, object, name)
            case .ints(let xs): try writeNumbers(xs.map(Int64.init), scalar: false, .int64, on: id, object, name)
            }
        }
    }

    /// Reads attribute `name` of `object`.
    public func attribute(_ name: String, of object: String = "/") throws -> HDF5Attribute {
        try checkOpen(object)
        let label = attributeLabel(object, name)
        return try withObject(object, name) { id in
            guard H5Aexists(id, name) > 0 else { throw StorageError(.notFound, path: path, object: label, "no such attribute") }
            let attr = H5Aopen(id, name, phasemask_h5p_default())
            guard attr >= 0 else { throw failure(.corrupt, label, "cannot open the attribute") }
            defer { _ = H5Aclose(attr) }
            let type = H5Aget_type(attr), space = H5Aget_space(attr)
            defer { HDF5Handle(id: type, kind: .datatype).close(); HDF5Handle(id: space, kind: .dataspace).close() }
            guard type >= 0, space >= 0 else { throw failure(.corrupt, label, "cannot read the attribute's type") }
            let shape = try dataspaceShape(space, label)
            let count = try elementCount(shape, label)
            let stored = Int(clamping: H5Aget_storage_size(attr)), width = max(H5Tget_size(type), 1)
            guard count <= stored / width + 1 else {
                throw StorageError(.corrupt, path: path, object: label,
                                   "attribute of shape \(shape) does not fit its \(stored) stored bytes (damaged)")
            }
            switch H5Tget_class(type) {
            case H5T_STRING where count == 1: return .string(try readString(attr, type, label))
            case H5T_FLOAT:
                let xs: [Double] = try readNumbers(attr, count, .float64, label)
                if shape.isEmpty { return .double(xs[0]) }
                return H5Tget_size(type) == 4 ? .floats(xs.map(Float.init)) : .doubles(xs)
            case H5T_INTEGER:
                let xs: [Int64] = try readNumbers(attr, count, .int64, label)
                return shape.isEmpty ? .int(Int(xs[0])) : .ints(xs.map(Int.init))
            default:
                throw StorageError(.unsupported, path: path, object: label,
                                   "attribute of type \(HDF5ElementType.describe(type)) with shape \(shape) is not supported")
            }
        }
    }

    /// A string attribute; any other type is a `mismatch` error.
    public func stringAttribute(_ name: String, of object: String = "/") throws -> String {
        guard case .string(let s) = try attribute(name, of: object) else { throw attributeMismatch(object, name, "a string") }
        return s
    }

    /// A scalar numeric attribute as Double (integers are converted).
    public func doubleAttribute(_ name: String, of object: String = "/") throws -> Double {
        switch try attribute(name, of: object) {
        case .double(let x): return x
        case .int(let x): return Double(x)
        default: throw attributeMismatch(object, name, "a scalar number")
        }
    }

    /// A scalar integer attribute.
    public func intAttribute(_ name: String, of object: String = "/") throws -> Int {
        guard case .int(let x) = try attribute(name, of: object) else { throw attributeMismatch(object, name, "a scalar integer") }
        return x
    }

    /// The names of the attributes of `object`, in name order.
    public func attributeNames(of object: String = "/") throws -> [String] {
        try checkOpen(object)
        final class Names { var items: [String] = [] }
        let names = Names()
        try withObject(object, nil) { id in
            let status = withExtendedLifetime(names) {
                H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                    Unmanaged<Names>.fromOpaque(data!).takeUnretainedValue().items.append(String(cString: name!))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque())
            }
            guard status >= 0 else { throw failure(.corrupt, object, "cannot list the attributes") }
        }
        return names.items
    }

    // MARK: Implementation

    private func attributeLabel(_ object: String, _ name: String) -> String { "\(object) attribute '\(name)'" }

    private func attributeMismatch(_ object: String, _ name: String, _ expected: String) -> StorageError {
        StorageError(.mismatch, path: path, object: attributeLabel(object, name), "is not \(expected)")
    }

    /// Opens the group or dataset `object` (which must exist) for attribute access.
    private func withObject<R>(_ object: String, _ name: String?, _ body: (hid_t) throws -> R) throws -> R {
        guard try kind(of: object) != nil else {
            throw StorageError(.notFound, path: path, object: name.map { attributeLabel(object, $0) } ?? object,
                               "no group or dataset at \(object)")
        }
        return try HDF5Library.locked {
            let id = H5Oopen(file, object, phasemask_h5p_default())
            guard id >= 0 else { throw failure(.corrupt, object, "cannot open the object") }
            defer { _ = H5Oclose(id) }
            return try body(id)
        }
    }

    private func createAttribute(_ id: hid_t, _ name: String, type: hid_t, shape: [Int], _ label: String) throws -> HDF5Handle {
        let space = try makeDataspace(shape, label)
        defer { space.close() }
        let attr = H5Acreate2(id, name, type, space.id, phasemask_h5p_default(), phasemask_h5p_default())
        guard attr >= 0 else { throw failure(label, "cannot create the attribute") }
        return HDF5Handle(id: attr, kind: .attribute)
    }

    /// A variable-length string type with the given character set.
    private func variableStringType(_ cset: H5T_cset_t, _ label: String) throws -> HDF5Handle {
        let type = H5Tcopy(phasemask_h5t_c_s1())
        guard type >= 0, H5Tset_size(type, phasemask_h5t_variable()) >= 0, H5Tset_cset(type, cset) >= 0 else {
            throw failure(label, "cannot make a string type")
        }
        return HDF5Handle(id: type, kind: .datatype)
    }

    private func writeString(_ text: String, on id: hid_t, _ object: String, _ name: String) throws {
        let label = attributeLabel(object, name)
        let type = try variableStringType(H5T_CSET_UTF8, label)
        defer { type.close() }
        let attr = try createAttribute(id, name, type: type.id, shape: [], label)
        defer { attr.close() }
        let status = text.withCString { chars -> herr_t in
            var pointer: UnsafePointer<CChar>? = chars
            return H5Awrite(attr.id, type.id, &pointer)
        }
        guard status >= 0 else { throw failure(label, "cannot write the attribute") }
    }

    private func readString(_ attr: hid_t, _ stored: hid_t, _ label: String) throws -> String {
        if H5Tis_variable_str(stored) > 0 {
            let type = try variableStringType(H5Tget_cset(stored), label)
            defer { type.close() }
            var pointer: UnsafeMutablePointer<CChar>? = nil
            guard H5Aread(attr, type.id, &pointer) >= 0 else { throw failure(.corrupt, label, "cannot read the attribute") }
            defer { if let pointer { _ = H5free_memory(pointer) } }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(stored)
        var bytes = [CChar](repeating: 0, count: size + 1)
        guard H5Aread(attr, stored, &bytes) >= 0 else { throw failure(.corrupt, label, "cannot read the attribute") }
        return String(cString: bytes)
    }

    private func writeNumbers<T: HDF5Element>(_ values: [T], scalar: Bool, _ type: HDF5ElementType, on id: hid_t,
                                              _ object: String, _ name: String) throws {
        let label = attributeLabel(object, name)
        let attr = try createAttribute(id, name, type: type.fileType, shape: scalar ? [] : [values.count], label)
        defer { attr.close() }
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBytes { H5Awrite(attr.id, type.memoryType, $0.baseAddress) }
        guard status >= 0 else { throw failure(label, "cannot write the attribute") }
    }

    private func readNumbers<T: HDF5Element>(_ attr: hid_t, _ count: Int, _ type: HDF5ElementType, _ label: String) throws -> [T] {
        var values = [T](repeating: T(), count: count)
        guard count > 0 else { return values }
        let status = values.withUnsafeMutableBytes { H5Aread(attr, type.memoryType, $0.baseAddress) }
        guard status >= 0 else { throw failure(.corrupt, label, "cannot read the attribute") }
        return values
    }
}
