import CHDF5
import Foundation

/// An HDF5 file opened read-only or being created.
///
/// A created file is written to a temporary name beside the destination (see `AtomicFile`) and only
/// appears under its real name when `close()` succeeds; a file that is dropped without `close()`, or
/// whose `close()` fails, leaves nothing behind. Object paths are absolute ("/mask/phase"); writing a
/// dataset or group creates the missing groups above it. Every failure is a `StorageError` naming the
/// file and the object path. All HDF5 calls are serialised by one process-wide lock.
public final class HDF5File {
    /// The file's final path.
    public let path: String
    public let isWritable: Bool
    let file: hid_t
    private var staging: AtomicFile.Staging?
    private var isOpen = true

    private init(path: String, file: hid_t, staging: AtomicFile.Staging?) {
        self.path = path
        self.file = file
        self.staging = staging
        self.isWritable = staging != nil
    }

    /// Starts a new file that will replace `path` when `close()` succeeds.
    public static func create(path: String) throws -> HDF5File {
        let staging = try AtomicFile.Staging(destination: path)
        return try HDF5Library.locked {
            let id = H5Fcreate(staging.temporaryPath, phasemask_h5f_acc_trunc(), phasemask_h5p_default(), phasemask_h5p_default())
            guard id >= 0 else {
                let stack = HDF5Library.takeErrorStack()
                staging.discard()
                throw StorageError(.io, path: path, "cannot create the HDF5 file: \(stack)")
            }
            return HDF5File(path: path, file: id, staging: staging)
        }
    }

    /// Opens an existing file read-only. The raw bytes are checked for patterns known to hang libhdf5
    /// (`HDF5Precheck`) and the file is read once in a forked child (`HDF5Probe`), so a file that
    /// crashes or hangs libhdf5 gives an error here instead of taking the process down.
    public static func open(path: String) throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: path) else { throw StorageError(.notFound, path: path, "no such file") }
        let fingerprint = try HDF5Precheck.check(path)
        try HDF5Probe.check(path, fingerprint: fingerprint)
        return try HDF5Library.locked {
            guard H5Fis_hdf5(path) > 0 else {
                let stack = HDF5Library.takeErrorStack()
                throw StorageError(.corrupt, path: path, "not an HDF5 file (no HDF5 signature)" + (stack.isEmpty ? "" : ": \(stack)"))
            }
            let id = H5Fopen(path, phasemask_h5f_acc_rdonly(), phasemask_h5p_default())
            guard id >= 0 else {
                let stack = HDF5Library.takeErrorStack()
                let kind: StorageError.Kind = stack.contains("truncated") ? .truncated : .corrupt
                let what = kind == .truncated ? "truncated HDF5 file (shorter than its superblock says)"
                    : stack.contains("superblock") ? "damaged HDF5 file (its superblock cannot be read)"
                    : "cannot open the HDF5 file"
                throw StorageError(kind, path: path, "\(what); HDF5: \(stack)")
            }
            return HDF5File(path: path, file: id, staging: nil)
        }
    }

    deinit {
        if isOpen {
            HDF5Library.locked { _ = H5Fclose(file) }
            staging?.discard()
        }
    }

    /// Closes the file; a created file is flushed, synced and renamed into place.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        try HDF5Library.locked {
            if H5Fclose(file) < 0 {
                let stack = HDF5Library.takeErrorStack()
                staging?.discard()
                throw StorageError(.io, path: path, "cannot finish writing the HDF5 file (an existing file of that name is untouched): \(stack)")
            }
        }
        try staging?.commit()
    }

    /// Closes a created file without publishing it (the temporary file is removed).
    public func discard() {
        guard isOpen else { return }
        isOpen = false
        HDF5Library.locked { _ = H5Fclose(file) }
        staging?.discard()
    }

    // MARK: Errors

    func failure(_ object: String, _ what: String) -> StorageError { failure(.io, object, what) }

    /// An error for a failed HDF5 call, with HDF5's own error stack appended (and cleared).
    func failure(_ kind: StorageError.Kind, _ object: String, _ what: String) -> StorageError {
        let stack = HDF5Library.takeErrorStack()
        return StorageError(kind, path: path, object: object, stack.isEmpty ? what : "\(what): \(stack)")
    }

    func checkOpen(_ object: String) throws {
        guard isOpen else { throw StorageError(.io, path: path, object: object, "the file is already closed") }
    }

    func checkWritable(_ object: String) throws {
        try checkOpen(object)
        guard isWritable else { throw StorageError(.io, path: path, object: object, "the file is open read-only") }
    }

    /// Validates an absolute object path and returns its components.
    func components(_ object: String) throws -> [String] {
        guard object.hasPrefix("/") else {
            throw StorageError(.mismatch, path: path, object: object, "object paths must be absolute (start with /)")
        }
        return object.split(separator: "/").map(String.init)
    }

    // MARK: Groups and objects

    public enum ObjectKind: Sendable { case group, dataset }

    /// The kind of the object at `object`, or nil when nothing is there.
    public func kind(of object: String) throws -> ObjectKind? {
        try checkOpen(object)
        let parts = try components(object)
        return HDF5Library.locked {
            var prefix = ""
            for (i, part) in parts.enumerated() {
                prefix += "/" + part
                guard H5Lexists(file, prefix, phasemask_h5p_default()) > 0 else {
                    _ = HDF5Library.takeErrorStack()
                    return nil
                }
                if i < parts.count - 1 && objectType(prefix) != H5I_GROUP { return nil }
            }
            switch objectType(prefix.isEmpty ? "/" : prefix) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return nil
            }
        }
    }

    /// True when a group or dataset exists at `object`.
    public func exists(_ object: String) -> Bool { ((try? kind(of: object)) ?? nil) != nil }

    private func objectType(_ object: String) -> H5I_type_t {
        let id = H5Oopen(file, object, phasemask_h5p_default())
        guard id >= 0 else { _ = HDF5Library.takeErrorStack(); return H5I_BADID }
        defer { _ = H5Oclose(id) }
        return H5Iget_type(id)
    }

    /// Creates the group `object` and any missing groups above it; an existing group is left as is.
    public func createGroup(_ object: String) throws {
        try checkWritable(object)
        switch try kind(of: object) {
        case .group: return
        case .dataset: throw StorageError(.mismatch, path: path, object: object, "a dataset exists where a group was asked for")
        case nil: break
        }
        try HDF5Library.locked {
            let lcpl = try linkCreationList(object)
            defer { lcpl.close() }
            let id = H5Gcreate2(file, object, lcpl.id, phasemask_h5p_default(), phasemask_h5p_default())
            guard id >= 0 else { throw failure(object, "cannot create the group") }
            _ = H5Gclose(id)
        }
    }

    /// A link-creation property list that creates intermediate groups.
    func linkCreationList(_ object: String) throws -> HDF5Handle {
        let lcpl = H5Pcreate(phasemask_h5p_link_create())
        guard lcpl >= 0, H5Pset_create_intermediate_group(lcpl, 1) >= 0 else {
            throw failure(object, "cannot set up link creation")
        }
        return HDF5Handle(id: lcpl, kind: .plist)
    }

    /// The names of the members (groups and datasets) of the group `object`, in name order.
    public func members(of object: String) throws -> [String] {
        try checkOpen(object)
        guard try kind(of: object) == .group else {
            throw StorageError(.notFound, path: path, object: object, "no such group")
        }
        return try HDF5Library.locked {
            let group = H5Gopen2(file, object, phasemask_h5p_default())
            guard group >= 0 else { throw failure(object, "cannot open the group") }
            defer { _ = H5Gclose(group) }
            var info = H5G_info_t()
            guard H5Gget_info(group, &info) >= 0 else { throw failure(object, "cannot list the group") }
            return try (0..<info.nlinks).map { i in
                let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, phasemask_h5p_default())
                guard length >= 0 else { throw failure(object, "cannot read member \(i)'s name") }
                var name = [CChar](repeating: 0, count: length + 1)
                _ = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &name, length + 1, phasemask_h5p_default())
                return String(cString: name)
            }
        }
    }
}
