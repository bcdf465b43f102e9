import CHDF5
import Foundation

/// Reads a whole HDF5 file once in a forked child process before the real process trusts it.
///
/// libhdf5 1.10 itself can crash (null dereference while iterating the attributes of a damaged object
/// header) or loop forever (a damaged global heap) on a corrupt file; Swift cannot catch either. So
/// `HDF5File.open` first forks a child that opens the file read-only and touches every object the
/// readers use — groups, links, every attribute, every dataset's type, shape and data (up to 256 MiB
/// each) — then exits. If the child dies from a signal, fails, or has not finished after
/// `timeoutSeconds`, the file is reported as damaged; otherwise the parent's reads follow the same
/// code paths over the same bytes. The child never writes, and leaves with `_exit` so no handlers
/// or buffers of the parent run twice.
///
/// Limits (docs/robustness.md): the child inherits the parent's memory (copy-on-write), so forking is
/// cheap; the probe is skipped (and reading proceeds unprotected) when `fork` fails. The fork happens
/// under the HDF5 lock, so no other thread is inside libhdf5 then; a child could still block on some
/// other lock another thread held at that instant (the Swift runtime's), and would then be reported as
/// a file that does not finish after the timeout.
enum HDF5Probe {
    /// Seconds the child may take; `PHASEMASK_HDF5_PROBE_SECONDS` overrides (0 switches the probe off).
    static let timeoutSeconds: Int = {
        if let text = ProcessInfo.processInfo.environment["PHASEMASK_HDF5_PROBE_SECONDS"], let n = Int(text), n >= 0 { return n }
        return 60
    }()

    /// True in the probing child, so its own `open` does not fork again.
    nonisolated(unsafe) static var isChild = false

    /// Files that passed, by path: their size and CRC-32 (from `HDF5Precheck`). Opening the same
    /// unchanged file again (a checkpoint read by several stages) does not fork again.
    nonisolated(unsafe) private static var passed: [String: (size: Int, crc: UInt32)] = [:]
    private static let lock = NSLock()

    /// `fingerprint` is the file's size and CRC-32, when known.
    static func check(_ path: String, fingerprint: (size: Int, crc: UInt32)?) throws {
        guard !isChild, timeoutSeconds > 0 else { return }
        if let f = fingerprint, let seen = lock.withLock({ passed[path] }), seen == f { return }
        try probe(path, fileSize: fingerprint?.size ?? 0)
        if let f = fingerprint {
            lock.withLock {
                if passed.count > 64 { passed.removeAll() }
                passed[path] = f
            }
        }
    }

    private static func probe(_ path: String, fileSize: Int) throws {
        fflush(nil)
        let before = residentBytes()
        let pid = HDF5Library.forkHoldingLock()
        if pid == 0 { runChild(path) }
        guard pid > 0 else { return }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let signal = status & 0x7f, exitCode = (status >> 8) & 0xff
        if signal == SIGALRM {
            throw StorageError(.corrupt, path: path, "damaged HDF5 file: libhdf5 did not finish reading it within \(timeoutSeconds) s")
        }
        if signal != 0 {
            throw StorageError(.corrupt, path: path, "damaged HDF5 file: libhdf5 crashed reading it (signal \(signal), "
                               + "caught in a probe process)")
        }
        if exitCode != 0 {
            throw StorageError(.corrupt, path: path, "damaged HDF5 file: libhdf5 failed reading it (probe exit status \(exitCode))")
        }
        // A damaged length field (of a variable-length string, say) makes libhdf5 allocate gigabytes for
        // a small file; reading an uncompressed file needs about its own size.
        let grown = usage.ru_maxrss * 1024 - before, allowed = max(256 << 20, 16 * fileSize)
        if before > 0 && grown > allowed {
            throw StorageError(.corrupt, path: path, "damaged HDF5 file: libhdf5 needed \(grown >> 20) MiB of memory to read "
                               + "a \(fileSize)-byte file (a length field is wrong)")
        }
    }

    /// The process's current resident set in bytes (from /proc/self/statm), or 0 if unknown.
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func runChild(_ path: String) -> Never {
        isChild = true
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM, SIGTRAP] { signal(s, SIG_DFL) }
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)   // a worker thread may have forked with SIGALRM blocked
        alarm(UInt32(timeoutSeconds))
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, 1); dup2(null, 2) }
        if let file = try? HDF5File.open(path: path) { file.touchEverything() }
        _exit(0)
    }
}

extension HDF5File {
    /// Visits every group, attribute and dataset reachable from "/" (at most 10 000 objects), reading
    /// every attribute and every dataset's data up to 256 MiB each; errors are ignored (the probe only
    /// looks for crashes and hangs).
    func touchEverything() {
        var pending = ["/"], visited = 0
        while let group = pending.popLast(), visited < 10_000 {
            visited += 1
            touchAttributes(group)
            for member in (try? members(of: group)) ?? [] {
                let object = group == "/" ? "/" + member : group + "/" + member
                switch (try? kind(of: object)) ?? nil {
                case .group?: pending.append(object)
                case .dataset?:
                    visited += 1
                    touchAttributes(object)
                    touchData(object)
                case nil: break
                }
            }
        }
    }

    private func touchAttributes(_ object: String) {
        for name in (try? attributeNames(of: object)) ?? [] { _ = try? attribute(name, of: object) }
    }

    private func touchData(_ object: String) {
        guard let (type, shape) = try? datasetInfo(object),
              let count = try? elementCount(shape, object), count <= (256 << 20) / 8 else { return }
        switch type {
        case .float32, .float64: _ = try? readTensor(object)
        case .int32: _ = try? read(Int32.self, object)
        case .int64: _ = try? read(Int64.self, object)
        case .uint8: _ = try? read(UInt8.self, object)
        case .uint16: _ = try? read(UInt16.self, object)
        }
    }
}
