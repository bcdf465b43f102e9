import CZlib

/// Hand-made PNG streams, so the reader is tested on files our writer never produces.
enum HandPNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        let crc = (t + data).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return be32(UInt32(data.count)) + t + data + be32(crc)
    }

    static func zlibCompress(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        precondition(compress(&out, &length, bytes, uLong(bytes.count)) == Z_OK)
        return Array(out.prefix(Int(length)))
    }

    /// Row `y` filtered with `filter` (0…4) given the unfiltered rows and bytes per pixel.
    static func filtered(_ rows: [[UInt8]], _ y: Int, _ filter: UInt8, bpp: Int) -> [UInt8] {
        let row = rows[y]
        return (0..<row.count).map { x in
            let a = x >= bpp ? Int(row[x - bpp]) : 0
            let b = y > 0 ? Int(rows[y - 1][x]) : 0
            let c = (x >= bpp && y > 0) ? Int(rows[y - 1][x - bpp]) : 0
            let p = a + b - c
            let paeth = (abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c)) ? a : (abs(p - b) <= abs(p - c) ? b : c)
            let predictor = [0, a, b, (a + b) / 2, paeth][Int(filter)]
            return UInt8(truncatingIfNeeded: Int(row[x]) - predictor)
        }
    }

    /// A non-interlaced PNG whose rows use filters 0, 1, 2, 3, 4, 0, … in turn; `extra` chunks go
    /// between IHDR and IDAT.
    static func make(width: Int, height: Int, depth: UInt8, colorType: UInt8, rows: [[UInt8]], bpp: Int,
                     extra: [[UInt8]] = []) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<rows.count {
            let f = UInt8(y % 5)
            raw.append(f)
            raw += filtered(rows, y, f, bpp: bpp)
        }
        return assemble(width: width, height: height, depth: depth, colorType: colorType, interlace: 0,
                        extra: extra, raw: raw)
    }

    /// An Adam7-interlaced 8-bit grayscale PNG of `pixels` (row-major, row 0 at the top): each pass
    /// is the sub-image starting at (x0, y0) with steps (dx, dy), stored as filter-0 scanlines;
    /// passes with no pixels are left out, as the format requires.
    static func makeInterlacedGray8(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var raw: [UInt8] = []
        for (x0, y0, dx, dy) in passes where x0 < width && y0 < height {
            for y in stride(from: y0, to: height, by: dy) {
                raw.append(0)
                for x in stride(from: x0, to: width, by: dx) { raw.append(pixels[y * width + x]) }
            }
        }
        return assemble(width: width, height: height, depth: 8, colorType: 0, interlace: 1, extra: [], raw: raw)
    }

    static func assemble(width: Int, height: Int, depth: UInt8, colorType: UInt8, interlace: UInt8,
                         extra: [[UInt8]], raw: [UInt8]) -> [UInt8] {
        let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [depth, colorType, 0, 0, interlace]
        return signature + chunk("IHDR", ihdr) + extra.flatMap { $0 } + chunk("IDAT", zlibCompress(raw)) + chunk("IEND", [])
    }

    /// The data of every chunk of `type` in `png`, in file order.
    static func chunks(_ type: String, in png: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = [], at = 8
        while at + 12 <= png.count {
            let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
            if String(decoding: png[at + 4 ..< at + 8], as: UTF8.self) == type {
                found.append(Array(png[at + 8 ..< at + 8 + length]))
            }
            at += 12 + length
        }
        return found
    }
}
