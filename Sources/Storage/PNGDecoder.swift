import CPNG

/// The reading half of `PNGFile`: libpng's simplified reader (`png_image_begin_read_from_memory`,
/// then `png_image_finish_read` into a buffer of the chosen format) and the translation of libpng's
/// messages into `StorageError`s.
extension PNGFile {
    /// Decodes PNG `bytes`; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> DecodedImage {
        guard !bytes.isEmpty else { throw StorageError(.truncated, path: path, "the file is empty (truncated)") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        // libpng reads `bytes` in place until png_image_finish_read returns, so both calls stay inside.
        return try bytes.withUnsafeBytes { memory in
            guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
                throw libpngError(image, path: path)
            }
            let source = try SourceHeader(image, bytes, path: path)
            try checkCompressible(source, width: Int(image.width), height: Int(image.height),
                                  fileBytes: bytes.count, path: path)
            let decoded = try finishRead(&image, source: source, path: path)
            return DecodedImage(image: decoded, sourceBitDepth: source.bitDepth, sourceLayout: source.layout,
                                hadAlpha: source.hasAlpha)
        }
    }

    /// What the file holds. `format` is `png_image.format` as `png_image_begin_read_from_memory`
    /// leaves it (COLOR, ALPHA for an alpha channel or tRNS, LINEAR for 16-bit samples, COLORMAP for
    /// a palette); the exact bit depth and colour type, which `png_image` does not carry, are bytes
    /// 24 and 25 of the IHDR chunk, whose CRC and values libpng has checked by then.
    private struct SourceHeader {
        let format: UInt32
        let bitDepth: Int
        let colorType: Int

        init(_ image: png_image, _ bytes: [UInt8], path: String) throws {
            // Chunk type, width, height, bit depth, colour type: file bytes 12 to 25.
            let ihdr = Array(bytes.dropFirst(12).prefix(14))
            func bigEndian32(_ at: Int) -> UInt32 { ihdr[at ..< at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
            guard ihdr.count == 14, ihdr.starts(with: "IHDR".utf8), bigEndian32(4) == image.width,
                  bigEndian32(8) == image.height, [0, 2, 3, 4, 6].contains(ihdr[13]) else {
                throw StorageError(.corrupt, path: path, object: "IHDR", "the first chunk must be a valid IHDR")
            }
            format = image.format
            bitDepth = Int(ihdr[12])
            colorType = Int(ihdr[13])
        }

        var isColor: Bool { format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 }
        var isSixteenBit: Bool { format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 }
        var hasAlpha: Bool { format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 }
        /// "gray", "rgb" or "palette", with "+alpha" when the file has an alpha channel or tRNS.
        var layout: String {
            let base = format & UInt32(PNG_FORMAT_FLAG_COLORMAP) != 0 ? "palette" : isColor ? "rgb" : "gray"
            return hasAlpha ? base + "+alpha" : base
        }
        /// Bits per pixel of the stored scanlines (colour types 0, 2, 3, 4, 6 have 1, 3, 1, 2, 4 samples).
        var bitsPerPixel: Int { [1, 0, 3, 1, 2, 0, 4][colorType] * bitDepth }
    }

    /// Refuses a header whose scanlines could not fit in the file before the output is allocated:
    /// deflate expands at most about 1032:1, and the image data is part of the file.
    private static func checkCompressible(_ source: SourceHeader, width: Int, height: Int, fileBytes: Int,
                                          path: String) throws {
        let rowBytes = (width * source.bitsPerPixel + 7) / 8
        let (scanlineBytes, overflow) = height.multipliedReportingOverflow(by: rowBytes + 1)
        guard !overflow && scanlineBytes <= 1032 * fileBytes + 1024 else {
            throw StorageError(.truncated, path: path, object: "IDAT",
                               "\(fileBytes) bytes of file cannot hold a \(width)×\(height) image (truncated)")
        }
    }

    /// Reads the pixels as gray16 (16-bit gray sources), gray8 (other gray) or rgb8 (colour and
    /// palette), compositing any transparency onto black.
    private static func finishRead(_ image: inout png_image, source: SourceHeader, path: String) throws -> RasterImage {
        let (width, height) = (Int(image.width), Int(image.height))
        var black = png_color(red: 0, green: 0, blue: 0)
        func read<Sample: FixedWidthInteger>(format: UInt32, flags: UInt32 = 0, samplesPerPixel: Int) throws -> [Sample] {
            image.format = format
            image.flags |= flags
            var samples = [Sample](repeating: 0, count: samplesPerPixel * width * height)
            let ok = samples.withUnsafeMutableBytes { png_image_finish_read(&image, &black, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw libpngError(image, path: path) }
            return samples
        }
        if source.isColor {
            // 16-bit colour without gAMA is taken as sRGB, as 8-bit is, so it is rounded, not re-encoded.
            let rgb: [UInt8] = try read(format: PNG_FORMAT_RGB, flags: UInt32(PNG_IMAGE_FLAG_16BIT_sRGB), samplesPerPixel: 3)
            return .rgb8(rgb, width: width, height: height)
        }
        if source.isSixteenBit {
            // Without PNG_IMAGE_FLAG_16BIT_sRGB a 16-bit file lacking gAMA counts as linear, the
            // encoding of PNG_FORMAT_LINEAR_Y, so its samples arrive untouched.
            let gray: [UInt16] = try read(format: UInt32(PNG_FORMAT_LINEAR_Y), samplesPerPixel: 1)
            return .gray16(gray, width: width, height: height)
        }
        let gray: [UInt8] = try read(format: UInt32(PNG_FORMAT_GRAY), samplesPerPixel: 1)
        return .gray8(gray, width: width, height: height)
    }

    /// A `StorageError` from the message libpng left in `image`; chunk-level messages start with
    /// the chunk name ("IHDR: CRC error"), which becomes the error's object.
    static func libpngError(_ image: png_image, path: String) -> StorageError {
        let message = libpngMessage(image)
        let prefix = message.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let chunk = prefix.count == 2 && prefix[0].count == 4 && prefix[0].allSatisfy { $0.isASCII && $0.isLetter }
            ? String(prefix[0]) : nil
        let lower = message.lowercased()
        let kind: StorageError.Kind, meaning: String
        if lower.contains("crc") {
            (kind, meaning) = (.corrupt, "bad CRC (chunk damaged)")
        } else if lower.contains("not a png") || lower.contains("ascii conversion") {
            (kind, meaning) = (.corrupt, "not a PNG file (bad signature)")
        } else if lower.contains("beyond end of data") || lower.contains("not enough image data") {
            (kind, meaning) = (.truncated, "the PNG data ends early (truncated)")
        } else if lower.contains("out of memory") {
            (kind, meaning) = (.io, "out of memory")
        } else {
            (kind, meaning) = (.corrupt, "invalid PNG data")
        }
        return StorageError(kind, path: path, object: chunk, "\(meaning); libpng: \(message)")
    }
}
