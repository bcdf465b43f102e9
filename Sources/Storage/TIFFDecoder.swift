import CTIFF

/// The reading half of `TIFFFile`: check the signature, open the bytes in libtiff, check the first
/// directory's layout (`TIFFLayout`), decode every strip or tile into pixel-interleaved samples,
/// then turn them into a `RasterImage`.
extension TIFFFile {
    /// Decodes the first page of TIFF `bytes`; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> DecodedImage {
        try checkSignature(bytes, path: path)
        // libtiff reads `bytes` in place (a memory map) until the handle is closed, inside the closure.
        return try bytes.withUnsafeBytes { memory in
            let handle = try TIFFHandle.reading(memory, path: path)
            let layout = try TIFFLayout(handle)
            let samples = try readSamples(handle, layout)
            let image = try layout.image(from: samples, path: path)
            return DecodedImage(image: image, sourceBitDepth: layout.bitsPerSample, sourceLayout: layout.description,
                                hadAlpha: layout.alpha == .associated || layout.alpha == .unassociated)
        }
    }

    /// The byte-order mark and version of a classic ("II*\0", "MM\0*") or BigTIFF ("II+\0", "MM\0+")
    /// header, checked before libtiff sees the bytes.
    static func checkSignature(_ bytes: [UInt8], path: String) throws {
        let signatures: [[UInt8]] = [[0x49, 0x49, 42, 0], [0x4d, 0x4d, 0, 42], [0x49, 0x49, 43, 0], [0x4d, 0x4d, 0, 43]]
        guard !bytes.isEmpty else { throw StorageError(.truncated, path: path, "the file is empty (truncated)") }
        let head = Array(bytes.prefix(4))
        guard signatures.contains(where: { $0.starts(with: head) }) else {
            throw StorageError(.corrupt, path: path, "not a TIFF file (no II*/MM* byte-order header)")
        }
        guard bytes.count >= 8 else {
            throw StorageError(.truncated, path: path, "the file ends inside the TIFF header (truncated)")
        }
    }

    /// Every sample of the first page, pixel-interleaved, rows top to bottom as stored, host byte order:
    /// `height × width × samplesPerPixel` samples of `bitsPerSample / 8` bytes. Reads band by band
    /// (one strip, or one row of tiles, high), so memory grows with the data libtiff really decodes.
    static func readSamples(_ handle: TIFFHandle, _ l: TIFFLayout) throws -> [UInt8] {
        let tiff = handle.tiff
        let chunkBytes = l.tile != nil ? TIFFTileSize64(tiff) : TIFFStripSize64(tiff)
        guard chunkBytes > 0, chunkBytes <= UInt64(TIFFHandle.maximumBytes) else {
            throw handle.failure("a \(l.tile != nil ? "tile" : "strip") of \(chunkBytes) bytes cannot be decoded", kind: .unsupported)
        }
        var chunk = [UInt8](repeating: 0, count: Int(chunkBytes))
        let bandHeight = l.tile?.height ?? l.rowsPerStrip, chunkWidth = l.tile?.width ?? l.width
        var out: [UInt8] = []
        out.reserveCapacity(l.rowBytes * l.height)
        for top in stride(from: 0, to: l.height, by: bandHeight) {
            let rows = min(bandHeight, l.height - top)
            var band = [UInt8](repeating: 0, count: rows * l.rowBytes)
            for plane in 0..<l.planes {
                for left in stride(from: 0, to: l.width, by: chunkWidth) {
                    let index = l.tile != nil ? TIFFComputeTile(tiff, UInt32(left), UInt32(top), 0, UInt16(plane))
                                              : TIFFComputeStrip(tiff, UInt32(top), UInt16(plane))
                    let got = chunk.withUnsafeMutableBytes { buffer in
                        l.tile != nil ? TIFFReadEncodedTile(tiff, index, buffer.baseAddress, -1)
                                      : TIFFReadEncodedStrip(tiff, index, buffer.baseAddress, -1)
                    }
                    let columns = min(chunkWidth, l.width - left)
                    let needed = ((rows - 1) * chunkWidth + columns) * l.chunkPixelBytes
                    guard got >= needed else {
                        throw handle.failure("cannot decode \(l.tile != nil ? "tile" : "strip") \(index) of the first page")
                    }
                    l.copy(chunk, chunkWidth: chunkWidth, rows: rows, columns: columns, left: left, plane: plane, into: &band)
                }
            }
            out += band
        }
        return out
    }
}

/// The first directory's tags that decide how its samples are read, checked against what the reader
/// supports (each refusal names the file and what it found).
struct TIFFLayout: CustomStringConvertible {
    enum Alpha { case none, associated, unassociated, unspecified }

    let width: Int, height: Int
    let bitsPerSample: Int, samplesPerPixel: Int
    /// 1 (gray) or 3 (RGB): the samples that carry the image; any further one is `alpha`.
    let colourSamples: Int
    let alpha: Alpha
    let isFloat: Bool, minIsWhite: Bool
    /// 1 when samples are interleaved, `samplesPerPixel` when each sample has its own plane.
    let planes: Int
    let orientation: Int
    /// Tile size, or nil for strips of `rowsPerStrip` rows.
    let tile: (width: Int, height: Int)?
    let rowsPerStrip: Int

    var bytesPerSample: Int { bitsPerSample / 8 }
    var rowBytes: Int { width * samplesPerPixel * bytesPerSample }
    /// Bytes of one pixel inside a decoded strip or tile (one sample when planar).
    var chunkPixelBytes: Int { (planes == 1 ? samplesPerPixel : 1) * bytesPerSample }

    /// "gray", "rgb", "gray+alpha", "float gray", "gray (min-is-white)", … as `DecodedImage.sourceLayout`.
    var description: String {
        let base = (isFloat ? "float " : "") + (colourSamples == 3 ? "rgb" : "gray")
        let extra = alpha == .associated || alpha == .unassociated ? "+alpha" : alpha == .unspecified ? "+extra" : ""
        return base + extra + (minIsWhite ? " (min-is-white)" : "")
    }

    init(_ handle: TIFFHandle) throws {
        let tiff = handle.tiff, path = handle.path
        func u16(_ tag: Int32) -> UInt16? { var v: UInt16 = 0; return ctiff_get_u16(tiff, UInt32(tag), &v) == 1 ? v : nil }
        func u32(_ tag: Int32) -> UInt32? { var v: UInt32 = 0; return ctiff_get_u32(tiff, UInt32(tag), &v) == 1 ? v : nil }
        width = Int(u32(TIFFTAG_IMAGEWIDTH) ?? 0)
        height = Int(u32(TIFFTAG_IMAGELENGTH) ?? 0)
        guard width > 0, height > 0 else {
            throw StorageError(.corrupt, path: path, "the first page is \(width)×\(height) pixels")
        }
        (colourSamples, minIsWhite) = try Self.photometric(u16(TIFFTAG_PHOTOMETRIC), path: path)
        bitsPerSample = Int(u16(TIFFTAG_BITSPERSAMPLE) ?? 1)
        samplesPerPixel = Int(u16(TIFFTAG_SAMPLESPERPIXEL) ?? 1)
        isFloat = try Self.checkSamples(bits: bitsPerSample, format: Int32(u16(TIFFTAG_SAMPLEFORMAT) ?? 1), path: path)
        var extraCount: UInt16 = 0
        var extraTypes: UnsafePointer<UInt16>?
        _ = ctiff_get_extra_samples(tiff, &extraCount, &extraTypes)
        alpha = try Self.alpha(samples: samplesPerPixel, colour: colourSamples,
                               first: extraCount > 0 ? extraTypes?.pointee : nil, path: path)
        planes = u16(TIFFTAG_PLANARCONFIG) == UInt16(PLANARCONFIG_SEPARATE) ? samplesPerPixel : 1
        orientation = (1...8).contains(Int(u16(TIFFTAG_ORIENTATION) ?? 1)) ? Int(u16(TIFFTAG_ORIENTATION) ?? 1) : 1
        tile = TIFFIsTiled(tiff) != 0 ? (Int(u32(TIFFTAG_TILEWIDTH) ?? 0), Int(u32(TIFFTAG_TILELENGTH) ?? 0)) : nil
        rowsPerStrip = min(Int(u32(TIFFTAG_ROWSPERSTRIP) ?? UInt32.max), height)
        try checkDerived(path: path)
    }

    /// The refusals that need several tags: float layouts, tile and strip sizes, the decoded size.
    private func checkDerived(path: String) throws {
        if isFloat && (colourSamples != 1 || alpha != .none || minIsWhite) {
            throw StorageError(.unsupported, path: path, "32-bit float samples are read for min-is-black gray without "
                               + "extra samples only; this page is \(description) with \(samplesPerPixel) samples per pixel")
        }
        if let tile, tile.width <= 0 || tile.height <= 0 {
            throw StorageError(.corrupt, path: path, "tiles of \(tile.width)×\(tile.height) pixels")
        }
        guard rowsPerStrip > 0 else { throw StorageError(.corrupt, path: path, "RowsPerStrip is 0") }
        let (bytes, overflow) = (width * samplesPerPixel * bytesPerSample).multipliedReportingOverflow(by: height)
        guard !overflow, bytes <= TIFFHandle.maximumBytes else {
            throw StorageError(.unsupported, path: path, "the first page (\(width)×\(height) pixels, \(samplesPerPixel) "
                               + "samples of \(bitsPerSample) bits) needs more than 1 GiB decoded")
        }
    }

    /// Colour samples (1 gray, 3 RGB) and min-is-white, from PhotometricInterpretation.
    private static func photometric(_ value: UInt16?, path: String) throws -> (Int, Bool) {
        switch value.map(Int32.init) {
        case PHOTOMETRIC_MINISBLACK: return (1, false)
        case PHOTOMETRIC_MINISWHITE: return (1, true)
        case PHOTOMETRIC_RGB: return (3, false)
        case nil: throw StorageError(.corrupt, path: path, "no PhotometricInterpretation tag")
        case PHOTOMETRIC_PALETTE?:
            throw StorageError(.unsupported, path: path, "palette (indexed colour) TIFF is not supported; save it as gray or RGB")
        case let other?:
            let names: [Int32: String] = [PHOTOMETRIC_SEPARATED: "CMYK (separated)", PHOTOMETRIC_YCBCR: "YCbCr",
                                          PHOTOMETRIC_CIELAB: "CIE L*a*b*", PHOTOMETRIC_MASK: "transparency mask"]
            throw StorageError(.unsupported, path: path, "\(names[other] ?? "photometric interpretation \(other)") TIFF is "
                               + "not supported; save it as gray or RGB")
        }
    }

    /// True for float samples; throws for depths and sample formats the reader does not take.
    private static func checkSamples(bits: Int, format: Int32, path: String) throws -> Bool {
        switch (bits, format) {
        case (8, SAMPLEFORMAT_UINT), (16, SAMPLEFORMAT_UINT), (8, SAMPLEFORMAT_VOID), (16, SAMPLEFORMAT_VOID): return false
        case (32, SAMPLEFORMAT_IEEEFP): return true
        case (_, SAMPLEFORMAT_INT): throw StorageError(.unsupported, path: path, "signed \(bits)-bit samples are not supported")
        default:
            let kind = format == SAMPLEFORMAT_IEEEFP ? "float" : "integer"
            throw StorageError(.unsupported, path: path, "\(bits)-bit \(kind) samples are not supported "
                               + "(8- or 16-bit unsigned, or 32-bit float gray)")
        }
    }

    /// The meaning of the samples after the colour ones: none, or one alpha / unspecified sample.
    private static func alpha(samples: Int, colour: Int, first: UInt16?, path: String) throws -> Alpha {
        switch samples - colour {
        case 0: return .none
        case 1:
            switch first.map(Int32.init) {
            case EXTRASAMPLE_ASSOCALPHA?: return .associated
            case EXTRASAMPLE_UNASSALPHA?: return .unassociated
            default: return .unspecified
            }
        case let extra where extra < 0:
            throw StorageError(.corrupt, path: path, "\(samples) sample(s) per pixel for \(colour == 3 ? "RGB" : "gray")")
        case let extra:
            throw StorageError(.unsupported, path: path, "\(extra) extra samples per pixel; gray or RGB with at most "
                               + "one extra (alpha) sample is supported")
        }
    }

    /// Copies `rows × columns` pixels of a decoded strip or tile (rows `chunkWidth` pixels apart)
    /// into `band` (whole image rows) at column `left`; a planar chunk holds sample `plane` only.
    func copy(_ chunk: [UInt8], chunkWidth: Int, rows: Int, columns: Int, left: Int, plane: Int, into band: inout [UInt8]) {
        let pixelBytes = samplesPerPixel * bytesPerSample, rowBytes = self.rowBytes, stride = chunkPixelBytes
        chunk.withUnsafeBytes { src in
            band.withUnsafeMutableBytes { dst in
                for r in 0..<rows {
                    let from = src.baseAddress! + r * chunkWidth * stride, to = dst.baseAddress! + r * rowBytes + left * pixelBytes
                    if planes == 1 {
                        to.copyMemory(from: from, byteCount: columns * pixelBytes)
                    } else {
                        for x in 0..<columns {
                            (to + x * pixelBytes + plane * bytesPerSample).copyMemory(from: from + x * stride, byteCount: stride)
                        }
                    }
                }
            }
        }
    }
}
