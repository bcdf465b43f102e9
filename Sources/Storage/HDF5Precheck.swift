import CZlib
import Foundation

/// Checks on the raw bytes of an HDF5 file that protect against known hangs and crashes of libhdf5
/// 1.10 on damaged files, run before the library sees the file. Each check is a defect found by
/// fuzzing (docs/robustness.md); the library itself cannot be fixed from here.
enum HDF5Precheck {
    /// Throws when a global heap collection ("GCOL", where variable-length strings live) holds a
    /// free-space object of size 0 before its end: libhdf5 1.10 decodes such a collection in an endless
    /// loop (its next object starts where the current one did). Files without that byte pattern pass
    /// untouched; the scan maps the file and costs one pass over its bytes. Returns the file's size
    /// and CRC-32 (which `HDF5Probe` uses to recognise a file it has already read), or nil when the
    /// file cannot be mapped (H5Fopen then reports the problem).
    @discardableResult
    static func check(_ path: String) throws -> (size: Int, crc: UInt32)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, size) }
        let bytes = UnsafeRawBufferPointer(start: map, count: size)
        var crc: UInt32 = 0
        var offset = 0
        while offset < size {   // zlib's crc32 takes at most 4 GiB per call
            let n = min(size - offset, 1 << 30)
            crc = UInt32(crc32(uLong(crc), map.assumingMemoryBound(to: UInt8.self) + offset, uInt(n)))
            offset += n
        }
        guard let lengthSize = sizeOfLengths(bytes) else { return (size, crc) }
        var start = 0
        while let found = find("GCOL", in: bytes, from: start) {
            if let problem = endlessCollection(bytes, at: found, lengthSize: lengthSize) {
                throw StorageError(.corrupt, path: path, "damaged HDF5 file: global heap at byte \(found) \(problem)")
            }
            start = found + 4
        }
        return (size, crc)
    }

    /// The superblock's "size of lengths" (bytes of a length field), or nil without a superblock.
    /// The superblock sits at byte 0 or at a power of two from 512 on (after a user block).
    static func sizeOfLengths(_ b: UnsafeRawBufferPointer) -> Int? {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        var offset = 0
        while offset + 16 <= b.count {
            if (0..<8).allSatisfy({ b[offset + $0] == signature[$0] }) {
                let version = b[offset + 8]
                let length = Int(version <= 1 ? b[offset + 14] : b[offset + 10])
                return [2, 4, 8].contains(length) ? length : nil
            }
            offset = offset == 0 ? 512 : offset * 2
        }
        return nil
    }

    /// Walks the objects of the collection at `start` as libhdf5 does and says why the walk would not end.
    static func endlessCollection(_ b: UnsafeRawBufferPointer, at start: Int, lengthSize: Int) -> String? {
        let header = 8 + lengthSize, objectHeader = 8 + lengthSize
        guard start + header <= b.count, b[start + 4] == 1 else { return nil }
        let end = start.addingReportingOverflow(Int(clamping: integer(b, start + 8, lengthSize))).partialValue
        var p = start + header
        while p < end && p + objectHeader <= min(end, b.count) {
            let index = integer(b, p, 2)
            let objectSize = integer(b, p + 8, lengthSize)
            if objectSize >= UInt64(b.count) { return nil }   // jumps past the file: libhdf5 stops there
            let need = index > 0 ? objectHeader + (Int(objectSize) + 7) / 8 * 8 : Int(objectSize)
            if need <= 0 { return "has an empty free-space object at byte \(p), which libhdf5 cannot skip" }
            let (next, overflow) = p.addingReportingOverflow(need)
            if overflow { return nil }
            p = next
        }
        return nil
    }

    private static func integer(_ b: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
        (0..<width).reversed().reduce(0) { $0 << 8 | UInt64(b[at + $1]) }
    }

    private static func find(_ text: String, in b: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = b.baseAddress else { return nil }
        let needle = Array(text.utf8)
        var from = start
        while from + needle.count <= b.count {
            guard let hit = memchr(base + from, Int32(needle[0]), b.count - needle.count + 1 - from) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if (1..<needle.count).allSatisfy({ b[at + $0] == needle[$0] }) { return at }
            from = at + 1
        }
        return nil
    }
}
