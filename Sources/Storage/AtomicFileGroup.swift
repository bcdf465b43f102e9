import Foundation

/// Several files that must appear together or not at all (a design export: HDF5, frames, GDSII, …).
///
/// Each file is written completely — by any writer, normally through `AtomicFile` — into a hidden
/// staging folder `<directory>/.<name>.staging-<tag>` on the same file system; `commit` then renames the
/// files into `directory` in the order given (put the file readers start from last) and removes the
/// staging folder. Until `commit`, `directory` is untouched: a failure or a kill while writing leaves at
/// most the hidden staging folder, which `discard` (on error) or the next `DirectoryLock` of the folder
/// removes. Only the renames themselves are not one atomic step: a crash between two of them leaves
/// some new files beside old ones, every file complete.
public final class AtomicFileGroup {
    public let directory: String
    public let stagingDirectory: String
    public private(set) var isFinished = false

    /// Creates `directory` if needed and an empty staging folder in it; `name` labels the staging folder.
    public init(directory: String, name: String) throws {
        self.directory = directory
        try DirectoryLock.makeDirectories(directory)
        for _ in 0..<100 {
            let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = (directory as NSString).appendingPathComponent(".\(name).staging-\(tag)")
            if mkdir(candidate, 0o755) == 0 {
                stagingDirectory = candidate
                return
            }
            if errno != EEXIST {
                throw StorageError(.io, path: directory, "cannot create a staging folder in the output folder: \(systemMessage())")
            }
        }
        throw StorageError(.io, path: directory, "no free staging folder name")
    }

    deinit { discard() }

    /// Where to write the file that becomes `<directory>/<fileName>` on commit.
    public func stagingPath(_ fileName: String) -> String {
        (stagingDirectory as NSString).appendingPathComponent(fileName)
    }

    /// Moves the staged files named in `order` into `directory`, one rename each, in that order; every
    /// name must have been written. Returns the final paths.
    @discardableResult
    public func commit(order: [String]) throws -> [String] {
        precondition(!isFinished, "AtomicFileGroup used after commit or discard")
        for name in order {
            let final = (directory as NSString).appendingPathComponent(name)
            var info = stat()
            let problem = !FileManager.default.fileExists(atPath: stagingPath(name)) ? "was never written"
                : lstat(final, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR ? "is a folder; cannot put the file there" : nil
            if let problem {
                discard()
                throw StorageError(.io, path: final, problem + " (nothing in \(directory) was changed)")
            }
        }
        var finals: [String] = []
        for name in order {
            let final = (directory as NSString).appendingPathComponent(name)
            guard rename(stagingPath(name), final) == 0 else {
                let reason = systemMessage()
                discard()
                throw StorageError(.io, path: final, "cannot move the finished file into place: \(reason)"
                                   + (finals.isEmpty ? "" : " (already in place: \(finals.count) of \(order.count) files)"))
            }
            finals.append(final)
        }
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        discard()
        return finals
    }

    /// Removes the staging folder and everything in it; `directory` is not touched.
    public func discard() {
        guard !isFinished else { return }
        isFinished = true
        try? FileManager.default.removeItem(atPath: stagingDirectory)
    }

    /// True for names of staging folders: "." + name + ".staging-" + base-36 tag.
    public static func isStagingName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".staging-", options: .backwards) else { return false }
        let tag = name[range.upperBound...]
        return !tag.isEmpty && tag.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) }
    }
}
