import CZlib

/// zlib helpers for the Swift 1-bit PNG encoder (PNGBilevel.swift): RFC 1950 deflate and CRC-32.
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

    /// CRC-32 (the PNG/gzip polynomial) of `bytes`, continuing from `crc`.
    static func crc(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(uLong(crc), $0.baseAddress, uInt($0.count))) }
    }
}
