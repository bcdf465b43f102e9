import CZlib

/// zlib-format (RFC 1950) compression helpers for the PNG codec.
enum Zlib {
    /// `bytes` deflated into a zlib stream.
    static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                compress2(output.baseAddress, &length, input.baseAddress, uLong(input.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status)) with a buffer of compressBound size")
        out.removeLast(out.count - Int(length))
        return out
    }

    /// Inflates a complete zlib stream that must decode to exactly `expected` bytes.
    static func decompress(_ bytes: [UInt8], expected: Int, path: String, object: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw StorageError(.io, path: path, object: object, "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: expected + 1)   // one spare byte detects excess data
        var input = bytes
        let (status, produced, message): (Int32, Int, String?) = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                stream.next_out = outp.baseAddress
                stream.avail_out = uInt(outp.count)
                let s = inflate(&stream, Z_FINISH)
                return (s, outp.count - Int(stream.avail_out), stream.msg.map { String(cString: $0) })
            }
        }
        if status == Z_STREAM_END && produced == expected { return Array(out.prefix(expected)) }
        if status == Z_STREAM_END {
            throw StorageError(.corrupt, path: path, object: object, "image data holds \(produced) bytes, expected \(expected)")
        }
        if produced > expected {
            throw StorageError(.corrupt, path: path, object: object, "image data is longer than the header implies")
        }
        if status == Z_BUF_ERROR {
            throw StorageError(.truncated, path: path, object: object,
                               "compressed image data ends early (\(produced) of \(expected) bytes)")
        }
        throw StorageError(.corrupt, path: path, object: object, "bad compressed data: \(message ?? "zlib status \(status)")")
    }

    /// CRC-32 (the PNG/gzip polynomial) of `bytes`, continuing from `crc`.
    static func crc(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(uLong(crc), $0.baseAddress, uInt($0.count))) }
    }
}
