import CTIFF

/// TIFF reading and writing through libtiff 4.5 (`TIFFHandle`: in memory, every libtiff message
/// captured into the thrown `StorageError`, nothing printed).
///
/// Read (`read`, `decode`, in TIFFDecoder.swift): the **first page** (image file directory) of a
/// classic or BigTIFF file; further pages of a multi-page file are not read. Accepted: 8- or 16-bit
/// unsigned samples, gray (min-is-black, or min-is-white, which is inverted) or RGB, each optionally
/// with one extra sample; 32-bit float gray. Strips or tiles, pixel-interleaved or planar
/// (one plane per sample), any compression this libtiff decodes (none, LZW, deflate, PackBits,
/// JPEG, ZSTD, LZMA, …), either byte order. The result is
/// - gray8 (8-bit gray), gray16 (16-bit gray: samples unchanged, so a 12-bit camera frame stored
///   in 16-bit samples keeps its values 0…4095), rgb8 (RGB; 16-bit colour rounded to 8 bits) or
///   gray32f (float; NaN or infinite values are refused);
/// - an alpha extra sample is composited onto black (unassociated: v·α / max; associated alpha is
///   already premultiplied, so v is kept) and reported in `hadAlpha`; an unspecified extra sample is
///   ignored;
/// - row 0 is the top of the image as a viewer shows it: the Orientation tag (1–8) is applied.
/// Refused with an error naming the file: not a TIFF, truncated or corrupt data (libtiff's words
/// quoted), palette, CMYK, YCbCr and other photometric interpretations, other bit depths, signed
/// samples, more than one extra sample, and images over 1 GiB decoded.
///
/// Written (`write`, `encode`): one page, pixel-interleaved strips of about 8 KiB, host byte order,
/// uncompressed (baseline TIFF, readable everywhere) or deflate with a predictor (horizontal
/// differencing for integers, libtiff's floating-point predictor for floats). gray16 — e.g. a camera
/// frame — is the main case; gray8, rgb8 and gray32f are written the same way. Everything written
/// reads back bit-exact.
public enum TIFFFile {
    public enum Compression: Sendable, Equatable {
        /// Compression 1: the samples as they are.
        case none
        /// Compression 8 (Adobe deflate, zlib) with a predictor.
        case deflate
    }

    /// Reads the first page of a TIFF file.
    public static func read(path: String) throws -> DecodedImage {
        try decode(readFileBytes(path), path: path)
    }

    /// Writes `image` as a one-page TIFF, atomically (a temporary file renamed into place).
    public static func write(_ image: RasterImage, to path: String, compression: Compression = .none) throws {
        try AtomicFile.write(encode(image, compression: compression, path: path), to: path)
    }

    /// The TIFF bytes of `image`; `path` names the file in errors.
    public static func encode(_ image: RasterImage, compression: Compression = .none,
                              path: String = "<memory>") throws -> [UInt8] {
        guard image.width > 0 && image.height > 0 && image.width < 1 << 31 && image.height < 1 << 31 else {
            throw StorageError(.invalidValue, path: path, "a TIFF cannot be \(image.width)×\(image.height) pixels")
        }
        let format = SampleLayout(image)
        var buffer = format.bytes
        let handle = try TIFFHandle.writing(path: path)
        try setTags(handle, image, format, compression)
        let rowBytes = image.width * format.samplesPerPixel * format.bitsPerSample / 8
        let rowsPerStrip = Int(TIFFDefaultStripSize(handle.tiff, 0))
        guard ctiff_set_u32(handle.tiff, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(rowsPerStrip)) == 1 else {
            throw handle.failure("libtiff cannot set RowsPerStrip", kind: .invalidValue)
        }
        // libtiff may change the buffer it is given (predictor, byte order): `buffer` is a copy.
        for (strip, top) in stride(from: 0, to: image.height, by: rowsPerStrip).enumerated() {
            let count = min(rowsPerStrip, image.height - top) * rowBytes
            let written = buffer.withUnsafeMutableBytes {
                TIFFWriteEncodedStrip(handle.tiff, UInt32(strip), $0.baseAddress! + top * rowBytes, tmsize_t(count))
            }
            guard written == count else { throw handle.failure("libtiff cannot write strip \(strip)", kind: .invalidValue) }
        }
        try handle.finish()
        return handle.bytes()
    }

    /// How an image's samples are stored: depth, count per pixel, photometric, sample format, bytes.
    private struct SampleLayout {
        let bitsPerSample: Int, samplesPerPixel: Int, photometric: Int32, sampleFormat: Int32
        let bytes: [UInt8]

        init(_ image: RasterImage) {
            switch image.pixels {
            case .gray8(let p): (bitsPerSample, samplesPerPixel, photometric, sampleFormat, bytes) = (8, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_UINT, p)
            case .gray16(let p): (bitsPerSample, samplesPerPixel, photometric, sampleFormat, bytes) = (16, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_UINT, p.withUnsafeBytes { Array($0) })
            case .rgb8(let p): (bitsPerSample, samplesPerPixel, photometric, sampleFormat, bytes) = (8, 3, PHOTOMETRIC_RGB, SAMPLEFORMAT_UINT, p)
            case .gray32f(let p): (bitsPerSample, samplesPerPixel, photometric, sampleFormat, bytes) = (32, 1, PHOTOMETRIC_MINISBLACK, SAMPLEFORMAT_IEEEFP, p.withUnsafeBytes { Array($0) })
            }
        }
    }

    private static func setTags(_ handle: TIFFHandle, _ image: RasterImage, _ format: SampleLayout,
                                _ compression: Compression) throws {
        let predictor = format.sampleFormat == SAMPLEFORMAT_IEEEFP ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL
        let tags: [(name: String, tag: Int32, value: Int, isLong: Bool)] = [
            ("ImageWidth", TIFFTAG_IMAGEWIDTH, image.width, true),
            ("ImageLength", TIFFTAG_IMAGELENGTH, image.height, true),
            ("BitsPerSample", TIFFTAG_BITSPERSAMPLE, format.bitsPerSample, false),
            ("SamplesPerPixel", TIFFTAG_SAMPLESPERPIXEL, format.samplesPerPixel, false),
            ("SampleFormat", TIFFTAG_SAMPLEFORMAT, Int(format.sampleFormat), false),
            ("PhotometricInterpretation", TIFFTAG_PHOTOMETRIC, Int(format.photometric), false),
            ("PlanarConfiguration", TIFFTAG_PLANARCONFIG, Int(PLANARCONFIG_CONTIG), false),
            ("Orientation", TIFFTAG_ORIENTATION, Int(ORIENTATION_TOPLEFT), false),
            ("Compression", TIFFTAG_COMPRESSION, compression == .deflate ? 8 : 1, false),   // 8: COMPRESSION_ADOBE_DEFLATE
        ] + (compression == .deflate ? [("Predictor", TIFFTAG_PREDICTOR, Int(predictor), false)] : [])
        for t in tags {
            let ok = t.isLong ? ctiff_set_u32(handle.tiff, UInt32(t.tag), UInt32(t.value))
                              : ctiff_set_u16(handle.tiff, UInt32(t.tag), UInt16(t.value))
            guard ok == 1 else { throw handle.failure("libtiff cannot set \(t.name) to \(t.value)", kind: .invalidValue) }
        }
    }
}
