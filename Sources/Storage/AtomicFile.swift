import Foundation

/// Writes a file so that readers see either the old file or the complete new one, never a part.
///
/// The bytes go to a temporary file in the destination's directory (same file system, so `rename` is
/// atomic), which is flushed with `fsync` and renamed over the destination; the directory is synced
/// afterwards so the rename survives a crash. On any error, or when a writer body throws, the
/// temporary file is removed and the destination is left as it was.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { temporaryPath in
            try writeAll(bytes, to: temporaryPath, finalPath: path)
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write([UInt8](data), to: path)
    }

    /// Calls `body` with the path of a fresh, empty temporary file beside `path`; when `body` returns,
    /// the temporary file is synced and renamed to `path`. Use this for libraries that open and write
    /// a path themselves (HDF5, libpng). If `body` throws, the temporary file is removed and the error
    /// is rethrown.
    @discardableResult
    public static func write<Result>(to path: String, _ body: (_ temporaryPath: String) throws -> Result) throws -> Result {
        let staging = try Staging(destination: path)
        do {
            let result = try body(staging.temporaryPath)
            try staging.commit()
            return result
        } catch {
            staging.discard()
            throw error
        }
    }

    /// A temporary file waiting to replace a destination: for writers whose lifetime spans several
    /// calls (an open HDF5 file). Call `commit()` to rename it into place or `discard()` to delete it;
    /// a staging object that is neither committed nor discarded deletes its file when it dies.
    public final class Staging {
        public let destination: String
        public let temporaryPath: String
        public private(set) var isFinished = false

        /// Reserves a new, empty temporary file in the destination's directory.
        public init(destination: String) throws {
            self.destination = destination
            let url = URL(fileURLWithPath: destination)
            let directory = url.deletingLastPathComponent().path
            let name = url.lastPathComponent
            guard !name.isEmpty, !destination.hasSuffix("/") else {
                throw StorageError(.io, path: destination, "not a file name")
            }
            var candidate = ""
            for _ in 0..<100 {
                let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
                candidate = directory + "/." + name + ".tmp-" + tag
                let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if fd >= 0 {
                    close(fd)
                    temporaryPath = candidate
                    return
                }
                if errno != EEXIST {
                    throw StorageError(.io, path: destination,
                                       "cannot create a temporary file in \(directory): \(systemMessage())")
                }
            }
            throw StorageError(.io, path: destination, "no free temporary name in \(directory)")
        }

        deinit { if !isFinished { unlink(temporaryPath) } }

        /// Syncs the temporary file and renames it over the destination.
        public func commit() throws {
            precondition(!isFinished, "AtomicFile.Staging used after commit or discard")
            do {
                try AtomicFile.sync(temporaryPath, reportAs: destination)
                guard rename(temporaryPath, destination) == 0 else {
                    throw StorageError(.io, path: destination, "cannot rename the temporary file into place: \(systemMessage())")
                }
            } catch {
                discard()
                throw error
            }
            isFinished = true
            let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
            let fd = open(directory, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }

        /// Deletes the temporary file; the destination is not touched.
        public func discard() {
            guard !isFinished else { return }
            unlink(temporaryPath)
            isFinished = true
        }
    }

    private static func writeAll(_ bytes: [UInt8], to temporaryPath: String, finalPath: String) throws {
        let fd = open(temporaryPath, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError(.io, path: finalPath, "cannot open for writing: \(systemMessage())") }
        defer { close(fd) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StorageError(.io, path: finalPath, "write failed: \(systemMessage())")
                }
                offset += n
            }
        }
    }

    private static func sync(_ temporaryPath: String, reportAs path: String) throws {
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StorageError(.io, path: path, "the temporary file vanished before commit: \(systemMessage())")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError(.io, path: path, "fsync failed: \(systemMessage())") }
    }
}

/// The C library's text for the current `errno`.
func systemMessage() -> String { String(cString: strerror(errno)) }
