/// Hand-made TIFF files, built byte by byte from the TIFF 6.0 layout, so the reader is tested on files
/// that libtiff (our writer) never produced: an 8-byte header ("II" or "MM", 42, offset 8), one image
/// file directory right after it (entries sorted by tag, next-directory offset 0), the values that do
/// not fit in an entry's 4 bytes, then the strips or tiles. All data uncompressed (Compression = 1).
struct HandTIFF {
    enum FieldType: UInt16 {
        case short = 3, long = 4
        var size: Int { self == .short ? 2 : 4 }
    }

    var bigEndian = false
    /// Tags other than Compression and the chunk offsets/byte counts, which `bytes` adds.
    var tags: [UInt16: (type: FieldType, values: [UInt32])] = [:]
    /// Strip or tile data, in chunk order.
    var chunks: [[UInt8]] = []
    var tiled = false

    /// A strip-organized image of `width × height` pixels of `samplesPerPixel` samples, `bits` each;
    /// `data` holds the rows top to bottom (already in the file's byte order), cut into strips of
    /// `rowsPerStrip` rows.
    static func strips(width: Int, height: Int, bits: Int, samplesPerPixel: Int, photometric: Int,
                       data: [UInt8], rowsPerStrip: Int, bigEndian: Bool = false) -> HandTIFF {
        var t = HandTIFF(bigEndian: bigEndian)
        t.tags = [256: (.long, [UInt32(width)]), 257: (.long, [UInt32(height)]),
                  258: (.short, [UInt32](repeating: UInt32(bits), count: samplesPerPixel)),
                  262: (.short, [UInt32(photometric)]), 277: (.short, [UInt32(samplesPerPixel)]),
                  278: (.long, [UInt32(rowsPerStrip)])]
        let rowBytes = width * samplesPerPixel * bits / 8
        t.chunks = stride(from: 0, to: height, by: rowsPerStrip).map { top in
            Array(data[top * rowBytes ..< min(height, top + rowsPerStrip) * rowBytes])
        }
        return t
    }

    /// 16-bit samples in the byte order of the file.
    static func samples16(_ values: [UInt16], bigEndian: Bool) -> [UInt8] {
        values.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xff)] : [UInt8($0 & 0xff), UInt8($0 >> 8)] }
    }

    func u16(_ v: UInt16) -> [UInt8] { HandTIFF.samples16([v], bigEndian: bigEndian) }
    func u32(_ v: UInt32) -> [UInt8] {
        let le = [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    /// The file.
    var bytes: [UInt8] {
        var all = tags
        all[259] = (.short, [1])
        let counts = chunks.map { UInt32($0.count) }
        all[tiled ? 324 : 273] = (.long, [UInt32](repeating: 0, count: chunks.count))   // offsets, set below
        all[tiled ? 325 : 279] = (.long, counts)
        let order = all.keys.sorted()
        // Layout: header, directory, external values (even offsets), then the chunks.
        var next = 8 + 2 + 12 * order.count + 4
        var external: [UInt16: Int] = [:]
        for tag in order where all[tag]!.values.count * all[tag]!.type.size > 4 {
            external[tag] = next
            next += (all[tag]!.values.count * all[tag]!.type.size + 1) / 2 * 2
        }
        var offsets: [UInt32] = []
        for chunk in chunks {
            offsets.append(UInt32(next))
            next += (chunk.count + 1) / 2 * 2
        }
        all[tiled ? 324 : 273]!.values = offsets
        return layout(all, order: order, external: external)
    }

    private func layout(_ all: [UInt16: (type: FieldType, values: [UInt32])], order: [UInt16],
                        external: [UInt16: Int]) -> [UInt8] {
        func encoded(_ field: (type: FieldType, values: [UInt32])) -> [UInt8] {
            field.values.flatMap { field.type == .short ? u16(UInt16($0)) : u32($0) }
        }
        var out: [UInt8] = (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8)
        out += u16(UInt16(order.count))
        for tag in order {
            let field = all[tag]!
            let value = encoded(field)
            out += u16(tag) + u16(field.type.rawValue) + u32(UInt32(field.values.count))
            out += external[tag].map { u32(UInt32($0)) } ?? value + [UInt8](repeating: 0, count: 4 - value.count)
        }
        out += u32(0)
        for tag in order where external[tag] != nil {
            out += encoded(all[tag]!)
            if out.count % 2 == 1 { out.append(0) }
        }
        for chunk in chunks {
            out += chunk
            if out.count % 2 == 1 { out.append(0) }
        }
        return out
    }
}
