import CPNG

/// PNG reading and writing through libpng 1.6's *simplified API* (`png_image`).
///
/// Why not libpng's classic API: it reports every error by `longjmp` to a `setjmp` the caller must
/// have set, and Swift can neither call `setjmp` nor survive a `longjmp` across its frames (cleanup
/// and reference counting would be skipped). The simplified API sets its own jump point inside
/// libpng for each call and returns success as a value, with the reason in `png_image.message`; so
/// it is safe to call from Swift, and every failure becomes a thrown `StorageError` naming the file
/// and quoting libpng.
///
/// Read (`read`, `decode`, in PNGDecoder.swift): every valid PNG (all colour types and bit depths,
/// interlaced or not) as gray8 (grayscale of ≤ 8 bits, scaled to 0…255), gray16 (16-bit grayscale)
/// or rgb8 (colour and palette images; 16-bit colour rounded to 8 bits). Transparency (an alpha
/// channel or a tRNS chunk) is composited onto black and reported in `DecodedImage.hadAlpha`.
/// Gamma: stored sample values come back unchanged when the file carries no gAMA/sRGB chunk (8-bit
/// samples are then taken as sRGB, 16-bit gray as linear, 16-bit colour as sRGB) or when its gamma
/// is that of the output (sRGB for gray8/rgb8, linear for gray16, to libpng's 5 % tolerance); a
/// file whose gAMA says otherwise is converted to that encoding by libpng. Row 0 is the top.
///
/// Written (`write`, `encode`): gray8 and rgb8 as 8-bit PNG (libpng adds an sRGB chunk), gray16 as
/// 16-bit PNG marked linear (gAMA 1.0); all three read back bit-exact.
///
/// One Swift encoder remains, in PNGBilevel.swift: 1-bit grayscale (`writeBilevel`,
/// `encodeBilevel`, lithography bit planes), because the simplified API cannot write depths below
/// 8 bits. Its output is read back through libpng in the tests.
public enum PNGFile {
    /// Writes a gray8, gray16 or rgb8 image atomically (a gray32f image is refused: PNG holds integers).
    public static func write(_ image: RasterImage, to path: String) throws {
        try checkSize(image.width, image.height, path)
        try AtomicFile.write(encode(image, path: path), to: path)
    }

    /// Writes a 1-bit grayscale PNG: `true` pixels are white (sample 1), `false` black (0).
    public static func writeBilevel(_ bits: [Bool], width: Int, height: Int, to path: String) throws {
        try checkSize(width, height, path)
        guard bits.count == width * height else {
            throw StorageError(.mismatch, path: path, "\(bits.count) bits for a \(width)×\(height) image")
        }
        try AtomicFile.write(encodeBilevel(bits, width: width, height: height), to: path)
    }

    static func checkSize(_ width: Int, _ height: Int, _ path: String) throws {
        guard width > 0 && height > 0 && width < 1 << 31 && height < 1 << 31 else {
            throw StorageError(.invalidValue, path: path, "a PNG cannot be \(width)×\(height) pixels")
        }
    }

    /// Reads a PNG file.
    public static func read(path: String) throws -> DecodedImage {
        try decode(readFileBytes(path), path: path)
    }

    /// The PNG bytes of `image` (gray8, gray16 or rgb8). Traps on an empty or gray32f image or when
    /// libpng refuses to encode it; `write` reports those cases as errors instead.
    public static func encode(_ image: RasterImage) -> [UInt8] {
        do {
            try checkSize(image.width, image.height, "<memory>")
            return try encode(image, path: "<memory>")
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// The PNG bytes of `image` through `png_image_write_to_memory`; `path` names the file in errors.
    static func encode(_ image: RasterImage, path: String) throws -> [UInt8] {
        var header = png_image()
        header.version = UInt32(PNG_IMAGE_VERSION)
        header.width = UInt32(image.width)
        header.height = UInt32(image.height)
        switch image.pixels {
        case .gray8(let samples):
            header.format = UInt32(PNG_FORMAT_GRAY)
            return try writeToMemory(&header, samples, path: path)
        case .gray16(let samples):
            header.format = UInt32(PNG_FORMAT_LINEAR_Y)   // native-endian UInt16; libpng swaps to PNG order
            return try writeToMemory(&header, samples, path: path)
        case .rgb8(let samples):
            header.format = UInt32(PNG_FORMAT_RGB)
            return try writeToMemory(&header, samples, path: path)
        case .gray32f:
            throw StorageError(.unsupported, path: path, "PNG holds integer samples; a float image cannot be written as PNG")
        }
    }

    /// Encodes `samples` (rows top to bottom, no padding) described by `header` at full depth.
    /// The buffer starts at libpng's upper bound; if libpng still reports a larger need, it is
    /// retried once at that size.
    private static func writeToMemory<Sample>(_ header: inout png_image, _ samples: [Sample],
                                              path: String) throws -> [UInt8] {
        defer { png_image_free(&header) }
        var capacity = Int(cpng_image_png_size_max(&header))
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = samples.withUnsafeBytes { input in
                out.withUnsafeMutableBytes { output in
                    png_image_write_to_memory(&header, output.baseAddress, &size, 0, input.baseAddress, 0, nil)
                }
            }
            if ok != 0 {
                out.removeLast(out.count - Int(size))
                return out
            }
            guard Int(size) > capacity else { break }
            capacity = Int(size)
        }
        throw StorageError(.invalidValue, path: path,
                           "libpng cannot encode the \(header.width)×\(header.height) image: \(libpngMessage(header))")
    }

    /// The text libpng left in `image.message`.
    static func libpngMessage(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
