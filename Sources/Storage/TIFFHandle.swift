import CTIFF
import Foundation

/// One TIFF open in libtiff over bytes in memory, with every message libtiff reports about it.
///
/// libtiff reads from a client stream (`TIFFClientOpenExt`) over the caller's buffer, mapped in place
/// so libtiff copies nothing, or writes to a growing byte array. Its errors and warnings go through
/// per-file handlers (`ctiff_open_options` in CTIFF/shim.h) into `ctiff_messages`; libtiff's
/// process-wide handlers, whose default prints to stderr, are removed before the first file is
/// opened. So libtiff never prints: its words reach the user only inside a thrown `StorageError`.
final class TIFFHandle {
    /// Any single allocation libtiff makes, and the decoded image, are refused above this (1 GiB).
    static let maximumBytes = 1 << 30

    let tiff: OpaquePointer
    let path: String
    private let messages: UnsafeMutablePointer<ctiff_messages>
    private let stream: AnyObject
    private var isClosed = false

    private static let silenced: Void = ctiff_silence_global_handlers()

    /// Opens `bytes` (valid for the handle's lifetime) for reading; `path` names the file in errors.
    static func reading(_ bytes: UnsafeRawBufferPointer, path: String) throws -> TIFFHandle {
        try TIFFHandle(path: path, mode: "r", stream: ReadStream(bytes))
    }

    /// Opens an empty in-memory file for writing; `bytes()` returns it after `finish()`.
    static func writing(path: String) throws -> TIFFHandle {
        try TIFFHandle(path: path, mode: "w", stream: WriteStream())
    }

    private init(path: String, mode: String, stream: AnyObject) throws {
        _ = Self.silenced
        self.path = path
        self.stream = stream
        messages = .allocate(capacity: 1)
        messages.initialize(to: ctiff_messages())
        let handle = Unmanaged.passUnretained(stream).toOpaque()
        let options = ctiff_open_options(messages, tmsize_t(Self.maximumBytes))
        defer { TIFFOpenOptionsFree(options) }
        let name = (path as NSString).lastPathComponent
        let opened: OpaquePointer? = stream is ReadStream
            ? TIFFClientOpenExt(name, mode, handle, ReadStream.read, ReadStream.write, ReadStream.seek,
                                closeStream, ReadStream.size, ReadStream.map, unmapStream, options)
            : TIFFClientOpenExt(name, mode, handle, WriteStream.read, WriteStream.write, WriteStream.seek,
                                closeStream, WriteStream.size, WriteStream.noMap, unmapStream, options)
        guard let opened else {
            let error = Self.failure(mode == "r" ? "cannot read the first image file directory" : "libtiff cannot create a TIFF",
                                     path: path, messages: messages.pointee, kind: nil)
            messages.deallocate()
            throw error
        }
        tiff = opened
    }

    deinit {
        if !isClosed { TIFFClose(tiff) }
        messages.deallocate()
    }

    /// Flushes a file open for writing and closes it; throws with libtiff's messages if it failed.
    func finish() throws {
        let flushed = TIFFFlush(tiff)
        TIFFClose(tiff)
        isClosed = true
        guard flushed == 1, messages.pointee.error_count == 0 else { throw failure("libtiff cannot write the TIFF") }
    }

    /// The bytes written so far (after `finish()`: the whole file).
    func bytes() -> [UInt8] { (stream as! WriteStream).bytes }

    /// An error whose message is `what` followed by what libtiff reported (errors, then warnings).
    /// Without `kind`: `.truncated` when libtiff's text says data could not be read (a strip or
    /// directory that ends, or starts, past the end of the file), else `.corrupt`.
    func failure(_ what: String, kind: StorageError.Kind? = nil) -> StorageError {
        Self.failure(what, path: path, messages: messages.pointee, kind: kind)
    }

    private static func failure(_ what: String, path: String, messages: ctiff_messages,
                                kind: StorageError.Kind?) -> StorageError {
        let report = text(messages)
        let lower = report.lowercased()
        let ranOut = ["read error", "not enough data", "past end", "end of file", "unexpected end", "truncat",
                      "can not read", "cannot read", "premature"].contains(where: lower.contains)
        let kind = kind ?? (ranOut ? .truncated : .corrupt)
        let detail = report.isEmpty ? "" : " (libtiff: \(report))"
        return StorageError(kind, path: path, what + (kind == .truncated ? "; the file is truncated" : "") + detail)
    }

    /// "errors; warnings: …" from the captured messages.
    private static func text(_ m: ctiff_messages) -> String {
        func string<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let errors = string(m.errors), warnings = string(m.warnings)
        if warnings.isEmpty { return errors }
        return errors.isEmpty ? "warnings: " + warnings : errors + "; warnings: " + warnings
    }
}

private let closeStream: TIFFCloseProc = { _ in 0 }
private let unmapStream: TIFFUnmapFileProc = { _, _, _ in }

/// The new offset of a seek from `offset` within a stream of `size` bytes, or nil when negative.
private func seekTarget(_ request: toff_t, _ whence: Int32, offset: Int, size: Int) -> Int? {
    let delta = Int64(bitPattern: request)
    let base: Int64
    switch whence {
    case SEEK_SET: return request <= UInt64(Int.max) ? Int(request) : nil
    case SEEK_CUR: base = Int64(offset)
    case SEEK_END: base = Int64(size)
    default: return nil
    }
    let (target, overflow) = base.addingReportingOverflow(delta)
    return overflow || target < 0 ? nil : Int(target)
}

/// Read side: the caller's bytes, offered to libtiff as a memory map.
private final class ReadStream {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func of(_ handle: thandle_t?) -> ReadStream { Unmanaged<ReadStream>.fromOpaque(handle!).takeUnretainedValue() }

    static let read: TIFFReadWriteProc = { handle, buffer, size in
        let s = of(handle)
        let n = max(0, min(Int(size), s.bytes.count - s.offset))
        if n > 0 { buffer!.copyMemory(from: s.bytes.baseAddress! + s.offset, byteCount: n) }
        s.offset += n
        return tmsize_t(n)
    }
    static let write: TIFFReadWriteProc = { _, _, _ in -1 }
    static let seek: TIFFSeekProc = { handle, request, whence in
        let s = of(handle)
        guard let target = seekTarget(request, whence, offset: s.offset, size: s.bytes.count) else { return toff_t.max }
        s.offset = target
        return toff_t(target)
    }
    static let size: TIFFSizeProc = { handle in toff_t(of(handle).bytes.count) }
    static let map: TIFFMapFileProc = { handle, base, size in
        let s = of(handle)
        guard let address = s.bytes.baseAddress else { return 0 }
        base!.pointee = UnsafeMutableRawPointer(mutating: address)
        size!.pointee = toff_t(s.bytes.count)
        return 1
    }
}

/// Write side: a byte array that grows as libtiff writes or seeks past its end.
private final class WriteStream {
    var bytes: [UInt8] = []
    var offset = 0

    static func of(_ handle: thandle_t?) -> WriteStream { Unmanaged<WriteStream>.fromOpaque(handle!).takeUnretainedValue() }

    static let read: TIFFReadWriteProc = { handle, buffer, size in
        let s = of(handle)
        let n = max(0, min(Int(size), s.bytes.count - s.offset))
        if n > 0 { s.bytes.withUnsafeBytes { buffer!.copyMemory(from: $0.baseAddress! + s.offset, byteCount: n) } }
        s.offset += n
        return tmsize_t(n)
    }
    static let write: TIFFReadWriteProc = { handle, buffer, size in
        let s = of(handle)
        let n = Int(size)
        guard n >= 0, s.offset + n <= TIFFHandle.maximumBytes * 2 else { return -1 }
        if s.offset + n > s.bytes.count { s.bytes += [UInt8](repeating: 0, count: s.offset + n - s.bytes.count) }
        if n > 0 { s.bytes.withUnsafeMutableBytes { ($0.baseAddress! + s.offset).copyMemory(from: buffer!, byteCount: n) } }
        s.offset += n
        return size
    }
    static let seek: TIFFSeekProc = { handle, request, whence in
        let s = of(handle)
        guard let target = seekTarget(request, whence, offset: s.offset, size: s.bytes.count) else { return toff_t.max }
        s.offset = target
        return toff_t(target)
    }
    static let size: TIFFSizeProc = { handle in toff_t(of(handle).bytes.count) }
    static let noMap: TIFFMapFileProc = { _, _, _ in 0 }
}
