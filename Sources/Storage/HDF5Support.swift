import CHDF5
import Foundation

/// Element types of HDF5 datasets that Storage reads and writes (little-endian in the file).
public enum HDF5ElementType: String, Sendable, CustomStringConvertible {
    case float32, float64, int32, int64, uint8, uint16

    public var description: String { rawValue }

    /// The in-memory (native) HDF5 type.
    var memoryType: hid_t {
        switch self {
        case .float32: return phasemask_h5t_native_float()
        case .float64: return phasemask_h5t_native_double()
        case .int32: return phasemask_h5t_native_int32()
        case .int64: return phasemask_h5t_native_int64()
        case .uint8: return phasemask_h5t_native_uint8()
        case .uint16: return phasemask_h5t_native_uint16()
        }
    }

    /// The type written to files.
    var fileType: hid_t {
        switch self {
        case .float32: return phasemask_h5t_ieee_f32le()
        case .float64: return phasemask_h5t_ieee_f64le()
        case .int32: return phasemask_h5t_std_i32le()
        case .int64: return phasemask_h5t_std_i64le()
        case .uint8: return phasemask_h5t_std_u8le()
        case .uint16: return phasemask_h5t_std_u16le()
        }
    }

    /// The element type of a stored HDF5 datatype, or nil for anything else (strings, compounds,
    /// other widths).
    init?(datatype: hid_t) {
        let size = H5Tget_size(datatype)
        switch H5Tget_class(datatype) {
        case H5T_FLOAT where size == 4: self = .float32
        case H5T_FLOAT where size == 8: self = .float64
        case H5T_INTEGER:
            let signed = H5Tget_sign(datatype) == H5T_SGN_2
            switch (size, signed) {
            case (4, true): self = .int32
            case (8, true): self = .int64
            case (1, false): self = .uint8
            case (2, false): self = .uint16
            default: return nil
            }
        default: return nil
        }
    }

    /// A readable name for any stored datatype, for error messages.
    static func describe(_ datatype: hid_t) -> String {
        if let known = HDF5ElementType(datatype: datatype) { return known.rawValue }
        let size = H5Tget_size(datatype)
        switch H5Tget_class(datatype) {
        case H5T_INTEGER: return "\(H5Tget_sign(datatype) == H5T_SGN_2 ? "int" : "uint")\(size * 8)"
        case H5T_FLOAT: return "float\(size * 8)"
        case H5T_STRING: return "string"
        case H5T_COMPOUND: return "compound"
        default: return "unsupported type"
        }
    }
}

/// Swift element types that map to an `HDF5ElementType`.
public protocol HDF5Element {
    static var hdf5ElementType: HDF5ElementType { get }
    init()
}

extension Float: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int32: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension UInt16: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .uint16 } }

/// Process-wide HDF5 state. Every call goes through one recursive lock (HDF5 builds without thread
/// safety exist, and the thread-safe one serialises internally anyway). HDF5's automatic printing of
/// error stacks is switched off on entry every time: in thread-safe builds that setting is per thread.
enum HDF5Library {
    private static let initialized: Void = {
        // No clean-up at exit: after a failed write (a full disk) libhdf5 keeps a half-closed file whose
        // flush at exit crashes; every file PhaseMask opens is closed explicitly anyway.
        _ = H5dont_atexit()
        _ = H5open()
    }()
    nonisolated(unsafe) private static var lock = NSRecursiveLock()

    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        _ = initialized
        lock.lock()
        defer { lock.unlock() }
        _ = H5Eset_auto2(phasemask_h5e_default(), nil, nil)
        return try body()
    }

    /// `fork()` while holding the lock, so that no other thread is inside libhdf5 at that moment and the
    /// child's copy of the library is consistent. The child (one thread, whose lock would still count as
    /// held by a thread that does not exist there) gets a fresh lock; the parent releases its own.
    static func forkHoldingLock() -> pid_t {
        _ = initialized
        lock.lock()
        let pid = fork()
        if pid == 0 {
            lock = NSRecursiveLock()
        } else {
            lock.unlock()
        }
        return pid
    }

    /// The descriptions on HDF5's current error stack (innermost last), then clears the stack.
    static func takeErrorStack() -> String {
        final class Lines { var items: [String] = [] }
        let lines = Lines()
        withExtendedLifetime(lines) {
            _ = H5Ewalk2(phasemask_h5e_default(), H5E_WALK_DOWNWARD, { _, entry, data in
                let lines = Unmanaged<Lines>.fromOpaque(data!).takeUnretainedValue()
                if let text = entry?.pointee.desc.map({ String(cString: $0) }), !text.isEmpty, !lines.items.contains(text) {
                    lines.items.append(text)
                }
                return 0
            }, Unmanaged.passUnretained(lines).toOpaque())
        }
        _ = H5Eclear2(phasemask_h5e_default())
        return summarize(lines.items)
    }

    /// HDF5's stack can run to twenty layers. When a system call failed, its reason ("File too large",
    /// "No space left on device") leads; otherwise the outermost six descriptions are kept.
    static func summarize(_ items: [String]) -> String {
        let marker = "error message = '"
        let reason = items.lazy.compactMap { item -> String? in
            guard let start = item.range(of: marker)?.upperBound, let end = item[start...].firstIndex(of: "'") else { return nil }
            return String(item[start..<end])
        }.first
        let kept = items.prefix(6).joined(separator: "; ") + (items.count > 6 ? "; …" : "")
        return reason.map { "\($0) (HDF5: \(items.prefix(2).joined(separator: "; ")))" } ?? kept
    }
}

/// Closes an HDF5 identifier with the right function when the scope ends.
struct HDF5Handle {
    enum Kind { case file, group, dataset, dataspace, datatype, attribute, plist, object }
    let id: hid_t
    let kind: Kind

    func close() {
        guard id >= 0 else { return }
        switch kind {
        case .file: _ = H5Fclose(id)
        case .group: _ = H5Gclose(id)
        case .dataset: _ = H5Dclose(id)
        case .dataspace: _ = H5Sclose(id)
        case .datatype: _ = H5Tclose(id)
        case .attribute: _ = H5Aclose(id)
        case .plist: _ = H5Pclose(id)
        case .object: _ = H5Oclose(id)
        }
    }
}

/// Checks for NaN/±Inf in float data, throwing an error naming the object, the count and the first
/// offending index.
func requireFiniteValues<T: HDF5Element>(_ values: UnsafeBufferPointer<T>, path: String, object: String) throws {
    var bad = 0, first = -1
    if let floats = values as? UnsafeBufferPointer<Float> {
        for (i, v) in floats.enumerated() where !v.isFinite { bad += 1; if first < 0 { first = i } }
    } else if let doubles = values as? UnsafeBufferPointer<Double> {
        for (i, v) in doubles.enumerated() where !v.isFinite { bad += 1; if first < 0 { first = i } }
    }
    if bad > 0 {
        throw StorageError(.invalidValue, path: path, object: object,
                           "\(bad) of \(values.count) values are NaN or infinite (first at flat index \(first))")
    }
}
