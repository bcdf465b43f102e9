import Foundation

/// Exclusive use of an output folder by one process, taken before a long job writes there.
///
/// `init` creates the folder, takes an `flock` lock on `<folder>/.phasemask.lock` and writes this
/// process's PID into it, checks that files can be created there and that `reserving` bytes fit
/// (`posix_fallocate` of a probe file, so a full disk or a file-size limit is reported before the job
/// starts), and removes temporary files that an earlier, killed writer left behind (`AtomicFile`'s
/// `.<name>.tmp-*`; safe because nobody else may write there while the lock is held).
///
/// A second process asking for the same folder gets an error naming the folder and the PID holding it.
/// The kernel drops an `flock` lock when its process ends, however it ends (SIGKILL included), so a
/// dead run never blocks the next one; the lock file itself stays (deleting it would race with a
/// process that has just opened it) and is harmless. Within one process the lock is shared: opening
/// the same folder again returns a handle to the same lock, which is released when the last handle goes.
public final class DirectoryLock {
    /// The folder, as given.
    public let directory: String
    public var lockPath: String { DirectoryLock.lockPath(directory) }
    private let held: Held

    public static func lockPath(_ directory: String) -> String { (directory as NSString).appendingPathComponent(".phasemask.lock") }

    /// True when this lock created the folder.
    public let createdFolder: Bool
    /// Folders above `directory` that this lock created with it, nearest first.
    private let createdParents: [String]

    public init(directory: String, reserving bytes: Int = 0) throws {
        self.directory = directory
        createdFolder = !FileManager.default.fileExists(atPath: directory)
        createdParents = DirectoryLock.missingParents(directory)
        try DirectoryLock.makeDirectories(directory)
        held = try Held.acquire(directory)
        do {
            try DirectoryLock.checkWritable(directory, bytes: bytes)
        } catch {
            removeFolderIfUnused()
            throw error
        }
        AtomicFile.removeStaleTemporaries(in: directory)
    }

    /// After a job failed before writing anything: removes the folder again if this lock created it and
    /// it holds nothing but the lock file, then the parent folders it created that are now empty, so a
    /// refused run leaves no trace. (Another process could only race for a folder that did not exist a
    /// moment ago; `rmdir` never removes a folder that holds anything.)
    public func removeFolderIfUnused() {
        guard createdFolder, (try? FileManager.default.contentsOfDirectory(atPath: directory)) == [".phasemask.lock"] else { return }
        unlink(lockPath)
        rmdir(directory)
        for parent in createdParents where rmdir(parent) != 0 { break }
    }

    /// The folders above `directory` that do not exist yet, nearest first.
    static func missingParents(_ directory: String) -> [String] {
        // Walk an absolute path: Foundation's deletingLastPathComponent traps on some one-component
        // relative paths (seen with "w" on Linux), and a relative path has no parent beyond its first part.
        var missing: [String] = []
        var current = URL(fileURLWithPath: directory).standardizedFileURL.deletingLastPathComponent()
        while current.path != "/" && !current.path.isEmpty && !FileManager.default.fileExists(atPath: current.path) {
            missing.append(current.path)
            current = current.deletingLastPathComponent()
        }
        return missing
    }

    /// Creates, sizes and removes a probe file: reports an unwritable folder, a full disk or a file-size
    /// limit (EFBIG) as an error naming the folder.
    static func checkWritable(_ directory: String, bytes: Int) throws {
        let probe = (directory as NSString).appendingPathComponent(".phasemask-probe-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError(.io, path: directory, "cannot create files in the output folder: \(systemMessage())") }
        defer { close(fd); unlink(probe) }
        guard bytes > 0 else { return }
        let status = posix_fallocate(fd, 0, off_t(bytes))
        if status != 0 {
            let megabytes = String(format: "%.1f", Double(bytes) / 1_048_576)
            throw StorageError(.io, path: directory, "no room for a \(megabytes) MB file in the output folder "
                               + "(\(String(cString: strerror(status)))); free some space or choose another folder")
        }
    }

    /// `mkdir -p` with the system's reason in the error ("Not a directory", "Permission denied").
    static func makeDirectories(_ directory: String) throws {
        var path = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw StorageError(.io, path: directory, "cannot create the output folder (\(path)): \(systemMessage())")
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw StorageError(.io, path: directory, "the output folder is not a directory")
        }
    }

    /// The process-wide lock on one folder, shared by every `DirectoryLock` of this process for it.
    private final class Held {
        let key: String
        let fd: Int32
        var count = 0

        nonisolated(unsafe) static var byFolder: [String: Held] = [:]
        static let registry = NSLock()

        private init(key: String, fd: Int32) { self.key = key; self.fd = fd }

        static func acquire(_ directory: String) throws -> Held {
            let key = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
            registry.lock(); defer { registry.unlock() }
            if let existing = byFolder[key] { existing.count += 1; return existing }
            let path = DirectoryLock.lockPath(directory)
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StorageError(.io, path: directory, "cannot create the lock file \(path): \(systemMessage())") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let busy = errno == EWOULDBLOCK
                let message = systemMessage()
                let holder = busy ? holderDescription(fd) : ""
                close(fd)
                if busy {
                    throw StorageError(.io, path: directory, "the output folder is in use by another phasemask run (\(holder), "
                                       + "lock \(path)); wait for it to finish or choose another folder")
                }
                throw StorageError(.io, path: directory, "cannot lock \(path): \(message)")
            }
            let stamp = ISO8601DateFormatter().string(from: Date())
            let text = "PID \(getpid()), started \(stamp)\n\(CommandLine.arguments.joined(separator: " "))\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            let held = Held(key: key, fd: fd)
            held.count = 1
            byFolder[key] = held
            return held
        }

        /// "PID n, started …": the first line of the lock file, as its holder wrote it.
        static func holderDescription(_ fd: Int32) -> String {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = pread(fd, &buffer, buffer.count, 0)
            let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            return first.hasPrefix("PID ") ? first : "PID unknown"
        }

        func release() {
            Held.registry.lock(); defer { Held.registry.unlock() }
            count -= 1
            if count == 0 {
                Held.byFolder[key] = nil
                close(fd)   // drops the flock lock
            }
        }
    }

    deinit { held.release() }
}

extension AtomicFile {
    /// Removes the temporary files (`.<name>.tmp-<tag>`) and staging folders (`AtomicFileGroup`) that
    /// writers killed before committing left in `directory`; returns their names. Call it only while no
    /// other writer uses the folder (`DirectoryLock` does). Neither is ever read as a result: readers
    /// open final names.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let stale = names.filter { isTemporaryName($0) || AtomicFileGroup.isStagingName($0) }
        for name in stale { try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name)) }
        return stale
    }

    /// True for names `Staging` creates: "." + name + ".tmp-" + base-36 tag.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards), range.lowerBound > name.index(after: name.startIndex) else { return false }
        let tag = name[range.upperBound...]
        return !tag.isEmpty && tag.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) }
    }
}
