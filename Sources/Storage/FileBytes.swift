import CZlib
import Foundation

/// Reads a whole file into memory with POSIX calls, so every failure is an error naming the file:
/// `notFound` (with `hint`), a directory or device instead of a file, or the system's reason.
func readFileBytes(_ path: String, hint: String? = nil) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        if errno == ENOENT { throw StorageError(.notFound, path: path, "no such file" + (hint.map { "; \($0)" } ?? "")) }
        throw StorageError(.io, path: path, "cannot open the file: \(systemMessage())")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw StorageError(.io, path: path, "cannot read the file: \(systemMessage())") }
    guard info.st_mode & S_IFMT == S_IFREG else {
        throw StorageError(.io, path: path, info.st_mode & S_IFMT == S_IFDIR ? "is a directory, not a file" : "is not a regular file")
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var filled = 0
    while true {
        if filled == bytes.count { bytes += [UInt8](repeating: 0, count: max(4096, bytes.count)) }   // the file grew
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
        if n < 0 {
            if errno == EINTR { continue }
            throw StorageError(.io, path: path, "cannot read the file: \(systemMessage())")
        }
        if n == 0 { break }
        filled += n
    }
    bytes.removeLast(bytes.count - filled)
    return bytes
}

/// Incremental gzip decoder over an in-memory compressed file (zlib `inflate`, gzip wrapper only).
///
/// `read(_:)` returns the next bytes of the decompressed stream, so a caller that needs only a prefix
/// (the first n images) never inflates the rest. `finish()` inflates to the end and verifies the gzip
/// trailer (CRC-32 and length), reporting how many decompressed bytes were left unread.
final class GzipReader {
    let path: String
    private let compressed: [UInt8]
    private var stream = z_stream()
    private var consumed = 0
    private var ended = false
    private var pending: [UInt8] = []

    /// True when `bytes` start with the gzip magic 1f 8b.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }

    init(compressed: [UInt8], path: String) throws {
        self.path = path
        self.compressed = compressed
        guard GzipReader.isGzip(compressed) else {
            throw StorageError(.corrupt, path: path, "not a gzip file (bad gzip magic)")
        }
        // windowBits 15 + 16 selects the gzip wrapper.
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw StorageError(.io, path: path, "zlib inflateInit2 failed (\(status))") }
    }

    deinit { inflateEnd(&stream) }

    /// The next `count` decompressed bytes, or fewer if the stream ends first.
    /// The buffer grows as data arrives, so a corrupt header announcing a huge count costs no
    /// more memory than the file really holds.
    func read(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var filled = 0
        while filled < count && !ended {
            if out.count == filled { out += [UInt8](repeating: 0, count: min(count - filled, max(filled, 1 << 16))) }
            filled += try inflateInto(&out, from: filled)
        }
        out.removeLast(out.count - filled)
        return out
    }

    /// Inflates to the end of the stream (verifying the gzip CRC and length) and returns the number
    /// of decompressed bytes that were not read.
    func finish() throws -> Int {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        var extra = 0
        while !ended { extra += try inflateInto(&scratch, from: 0) }
        return extra
    }

    private func inflateInto(_ out: inout [UInt8], from start: Int) throws -> Int {
        let capacity = out.count - start
        var produced = 0
        var status: Int32 = Z_OK
        compressed.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                stream.next_out = output.baseAddress! + start
                stream.avail_out = UInt32(capacity)
                status = inflate(&stream, Z_NO_FLUSH)
                consumed = input.count - Int(stream.avail_in)
                produced = capacity - Int(stream.avail_out)
            }
        }
        switch status {
        case Z_STREAM_END:
            ended = true
        case Z_OK:
            break
        case Z_BUF_ERROR where consumed == compressed.count:
            throw StorageError(.truncated, path: path, "gzip stream ends early (truncated file)")
        case Z_BUF_ERROR:
            break
        default:
            let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw StorageError(.corrupt, path: path, "bad gzip data: \(reason)")
        }
        if produced == 0 && !ended && consumed == compressed.count {
            throw StorageError(.truncated, path: path, "gzip stream ends early (truncated file)")
        }
        return produced
    }
}
