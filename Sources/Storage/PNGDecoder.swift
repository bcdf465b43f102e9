/// The reading half of `PNGFile`: chunk parsing with CRC checks, inflate, unfiltering, conversion.
extension PNGFile {
    /// Decodes PNG `bytes`; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> DecodedImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw StorageError(.corrupt, path: path, "not a PNG file (bad signature)")
        }
        let chunks = try readChunks(bytes, path: path)
        guard let first = chunks.first, first.type == "IHDR" else {
            throw StorageError(.corrupt, path: path, object: "IHDR", "the first chunk must be IHDR")
        }
        let header = try Header(first.data, path: path)
        var palette: [UInt8] = [], transparency = false, compressed: [UInt8] = []
        for chunk in chunks.dropFirst() {
            switch chunk.type {
            case "PLTE": palette = chunk.data
            case "tRNS": transparency = true
            case "IDAT": compressed += chunk.data
            case "IEND": break
            default:
                if let c = chunk.type.utf8.first, c >= 65 && c <= 90 {   // uppercase: critical chunk
                    throw StorageError(.unsupported, path: path, object: chunk.type, "unknown critical chunk")
                }
            }
        }
        if header.colorType == 3 {
            guard !palette.isEmpty, palette.count % 3 == 0, palette.count / 3 <= 1 << Int(header.bitDepth) else {
                throw StorageError(.corrupt, path: path, object: "PLTE", "palette image without a valid PLTE chunk")
            }
        }
        let rowBytes = (header.width * header.bitsPerPixel + 7) / 8
        let (expected, overflow) = header.height.multipliedReportingOverflow(by: rowBytes + 1)
        guard !overflow && expected < 1 << 34 else {
            throw StorageError(.unsupported, path: path, object: "IHDR", "image \(header.width)×\(header.height) is too large")
        }
        // Deflate expands at most ~1032:1, so a header announcing more than that is refused before
        // the output buffer is allocated.
        guard expected <= 1032 * compressed.count + 1024 else {
            throw StorageError(.truncated, path: path, object: "IDAT",
                               "\(compressed.count) bytes of image data cannot hold a \(header.width)×\(header.height) image (truncated)")
        }
        var raw = try Zlib.decompress(compressed, expected: expected, path: path, object: "IDAT")
        try unfilter(&raw, rowBytes: rowBytes, height: header.height, bytesPerPixel: max(1, header.bitsPerPixel / 8), path: path)
        let image = try convert(raw, header: header, rowBytes: rowBytes, palette: palette, path: path)
        return DecodedImage(image: image, sourceBitDepth: Int(header.bitDepth), sourceLayout: header.layout,
                            hadAlpha: transparency || header.colorType == 4 || header.colorType == 6)
    }

    private struct Chunk { let type: String; let data: [UInt8] }

    /// The chunks up to and including IEND, with lengths and CRCs checked.
    private static func readChunks(_ bytes: [UInt8], path: String) throws -> [Chunk] {
        var chunks: [Chunk] = [], at = 8
        while true {
            guard at + 8 <= bytes.count else {
                throw StorageError(.truncated, path: path, "file ends before the IEND chunk (truncated)")
            }
            let length = Int(readBigEndian32(bytes, at))
            let typeBytes = bytes[at + 4 ..< at + 8]
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }) else {
                throw StorageError(.corrupt, path: path, "bad chunk type at byte \(at + 4)")
            }
            guard length < 1 << 31 else { throw StorageError(.corrupt, path: path, object: type, "chunk length \(length) too large") }
            guard at + 12 + length <= bytes.count else {
                throw StorageError(.truncated, path: path, object: type, "chunk runs past the end of the file (truncated)")
            }
            let data = bytes[at + 8 ..< at + 8 + length]
            let stored = readBigEndian32(bytes, at + 8 + length)
            guard Zlib.crc(data, continuing: Zlib.crc(typeBytes)) == stored else {
                throw StorageError(.corrupt, path: path, object: type, "bad CRC (chunk damaged)")
            }
            chunks.append(Chunk(type: type, data: Array(data)))
            at += 12 + length
            if type == "IEND" { return chunks }
        }
    }

    private struct Header {
        let width: Int, height: Int, bitDepth: UInt8, colorType: UInt8

        init(_ d: [UInt8], path: String) throws {
            guard d.count == 13 else { throw StorageError(.corrupt, path: path, object: "IHDR", "IHDR must hold 13 bytes") }
            width = Int(readBigEndian32(d, 0))
            height = Int(readBigEndian32(d, 4))
            bitDepth = d[8]
            colorType = d[9]
            guard width > 0 && height > 0 && width < 1 << 31 && height < 1 << 31 else {
                throw StorageError(.corrupt, path: path, object: "IHDR", "invalid image size \(width)×\(height)")
            }
            let allowed: [UInt8: [UInt8]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
            guard let depths = allowed[colorType], depths.contains(bitDepth) else {
                throw StorageError(.unsupported, path: path, object: "IHDR", "colour type \(colorType) with bit depth \(bitDepth) is not valid PNG")
            }
            guard d[10] == 0 && d[11] == 0 else {
                throw StorageError(.unsupported, path: path, object: "IHDR", "unknown compression or filter method")
            }
            guard d[12] == 0 else {
                throw StorageError(.unsupported, path: path, object: "IHDR", "interlaced (Adam7) PNG is not supported; save it non-interlaced")
            }
        }

        var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
        var bitsPerPixel: Int { channels * Int(bitDepth) }
        var layout: String { [0: "gray", 2: "rgb", 3: "palette", 4: "gray+alpha", 6: "rgb+alpha"][colorType]! }
    }

    /// Undoes the per-row filters (None, Sub, Up, Average, Paeth) in place; the filter bytes stay.
    private static func unfilter(_ raw: inout [UInt8], rowBytes: Int, height: Int, bytesPerPixel bpp: Int, path: String) throws {
        let stride = rowBytes + 1
        try raw.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                let row = p.baseAddress! + y * stride + 1
                let above: UnsafeMutablePointer<UInt8>? = y > 0 ? row - stride : nil
                let filter = p[y * stride]
                for x in 0..<rowBytes {
                    let a = x >= bpp ? Int(row[x - bpp]) : 0
                    let b = above.map { Int($0[x]) } ?? 0
                    let c = x >= bpp ? (above.map { Int($0[x - bpp]) } ?? 0) : 0
                    let predictor: Int
                    switch filter {
                    case 0: predictor = 0
                    case 1: predictor = a
                    case 2: predictor = b
                    case 3: predictor = (a + b) / 2
                    case 4: predictor = paeth(a, b, c)
                    default:
                        throw StorageError(.corrupt, path: path, object: "IDAT", "unknown filter type \(filter) on row \(y)")
                    }
                    row[x] = row[x] &+ UInt8(truncatingIfNeeded: predictor)
                }
            }
        }
    }

    private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Unpacked samples (with filter bytes) → gray8, gray16 or rgb8.
    private static func convert(_ raw: [UInt8], header: Header, rowBytes: Int, palette: [UInt8], path: String) throws -> RasterImage {
        let (w, h, depth) = (header.width, header.height, Int(header.bitDepth))
        let channels = header.channels
        /// Sample `c` of pixel `x` in row `y`, at the file's bit depth.
        func sample(_ y: Int, _ x: Int, _ c: Int) -> Int {
            let row = y * (rowBytes + 1) + 1
            switch depth {
            case 16: let i = row + 2 * (x * channels + c); return Int(raw[i]) << 8 | Int(raw[i + 1])
            case 8: return Int(raw[row + x * channels + c])
            default:
                let bit = x * depth
                return Int(raw[row + (bit >> 3)] >> UInt8(8 - depth - (bit & 7))) & ((1 << depth) - 1)
            }
        }
        let to8 = { (v: Int) -> UInt8 in UInt8(depth == 16 ? (v * 255 + 32767) / 65535 : v * 255 / ((1 << depth) - 1)) }
        switch header.colorType {
        case 0, 4:
            if depth == 16 {
                return .gray16((0..<h).flatMap { y in (0..<w).map { UInt16(sample(y, $0, 0)) } }, width: w, height: h)
            }
            return .gray8((0..<h).flatMap { y in (0..<w).map { to8(sample(y, $0, 0)) } }, width: w, height: h)
        case 3:
            var rgb: [UInt8] = []
            rgb.reserveCapacity(3 * w * h)
            for y in 0..<h {
                for x in 0..<w {
                    let index = sample(y, x, 0)
                    guard 3 * index + 2 < palette.count else {
                        throw StorageError(.corrupt, path: path, object: "PLTE", "pixel (\(x), \(y)) uses palette entry \(index) beyond the palette")
                    }
                    rgb += palette[3 * index ..< 3 * index + 3]
                }
            }
            return .rgb8(rgb, width: w, height: h)
        default:
            return .rgb8((0..<h).flatMap { y in (0..<w).flatMap { x in (0..<3).map { to8(sample(y, x, $0)) } } }, width: w, height: h)
        }
    }
}

func readBigEndian32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

func readBigEndian32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}
