import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `data` to `url` so that the file either appears complete or not at all: the bytes go to a
/// temporary name in the same directory (`.<name>.<pid>.tmp`), which is then renamed into place.
/// On failure the temporary file is removed and the error names the destination.
///
/// Stand-in for Storage's `AtomicFile` until that target lands on this branch.
public func writeFileAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    do {
        try data.write(to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw FabricationError(url.path, "cannot write (\(error.localizedDescription))")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw FabricationError(url.path, "cannot move the finished file into place (\(reason))")
    }
}
