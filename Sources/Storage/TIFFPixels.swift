/// Decoded TIFF samples → `RasterImage`: native-order samples typed, extra sample composited or
/// dropped, min-is-white inverted, 16-bit colour rounded to 8 bits, floats checked, Orientation applied.
extension TIFFLayout {
    /// The image of `raw` (as `TIFFFile.readSamples` returns it: `height × width × samplesPerPixel`
    /// samples, host byte order), with row 0 at the top and column 0 at the left.
    func image(from raw: [UInt8], path: String) throws -> RasterImage {
        if isFloat {
            let values: [Float] = Self.typed(raw)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw StorageError(.invalidValue, path: path, "the sample at stored row \(bad / width), column "
                                   + "\(bad % width) is \(values[bad]); float images must be finite")
            }
            return oriented(values, channels: 1, RasterImage.gray32f)
        }
        if bitsPerSample == 8 {
            let values = composited(raw)
            return colourSamples == 1 ? oriented(values, channels: 1, RasterImage.gray8)
                                      : oriented(values, channels: 3, RasterImage.rgb8)
        }
        let values = composited(Self.typed(raw) as [UInt16])
        if colourSamples == 1 { return oriented(values, channels: 1, RasterImage.gray16) }
        return oriented(values.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }, channels: 3, RasterImage.rgb8)
    }

    /// The bytes reinterpreted as samples of type `T` (host byte order, as libtiff delivers them).
    static func typed<T>(_ raw: [UInt8]) -> [T] {
        [T](unsafeUninitializedCapacity: raw.count / MemoryLayout<T>.stride) { buffer, count in
            raw.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            count = buffer.count
        }
    }

    /// The colour samples of every pixel (`colourSamples` each; an extra sample is dropped), with
    /// min-is-white inverted (v → max − v) and an unassociated alpha α applied: v·α / max, rounded.
    /// Associated alpha is premultiplied already (composited onto black), so v is kept.
    func composited<T: FixedWidthInteger & UnsignedInteger>(_ s: [T]) -> [T] {
        if samplesPerPixel == colourSamples && !minIsWhite { return s }
        let top = UInt64(T.max)
        var out: [T] = []
        out.reserveCapacity(width * height * colourSamples)
        for p in 0..<width * height {
            let first = p * samplesPerPixel
            let a = alpha == .unassociated ? UInt64(s[first + colourSamples]) : top
            for c in 0..<colourSamples {
                let v = minIsWhite ? top - UInt64(s[first + c]) : UInt64(s[first + c])
                out.append(T((v * a + top / 2) / top))
            }
        }
        return out
    }

    /// `s` (`channels` samples per pixel, in stored order) rearranged as the Orientation tag says
    /// (TIFF 6.0: 1 row 0 top / column 0 left, 2 top/right, 3 bottom/right, 4 bottom/left; 5–8 swap
    /// rows and columns: 5 left/top, 6 right/top, 7 right/bottom, 8 left/bottom), then `make(pixels,
    /// width, height)` of the displayed size.
    func oriented<T>(_ s: [T], channels: Int, _ make: ([T], Int, Int) -> RasterImage) -> RasterImage {
        guard orientation != 1 else { return make(s, width, height) }
        let shownWidth = orientation >= 5 ? height : width, shownHeight = orientation >= 5 ? width : height
        var out = s
        for r in 0..<height {
            for c in 0..<width {
                let (x, y): (Int, Int)
                switch orientation {
                case 2: (x, y) = (width - 1 - c, r)
                case 3: (x, y) = (width - 1 - c, height - 1 - r)
                case 4: (x, y) = (c, height - 1 - r)
                case 5: (x, y) = (r, c)
                case 6: (x, y) = (height - 1 - r, c)
                case 7: (x, y) = (height - 1 - r, width - 1 - c)
                default: (x, y) = (r, width - 1 - c)
                }
                let from = (r * width + c) * channels, to = (y * shownWidth + x) * channels
                for k in 0..<channels { out[to + k] = s[from + k] }
            }
        }
        return make(out, shownWidth, shownHeight)
    }
}
