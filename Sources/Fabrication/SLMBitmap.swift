import Foundation
import Storage

/// File formats for SLM frames. The file's gray values are exactly the `GrayImage` values (no
/// scaling): a 6-bit panel's frame holds 0…63 in an 8-bit file.
///
/// - `bmp`: 8-bit grayscale BMP (what vendor software loads); panels of ≤ 8 bits only. The header
///   records the pixel pitch as pixels per metre.
/// - `png`: 8-bit grayscale PNG for panels of ≤ 8 bits, 16-bit grayscale PNG for deeper panels.
/// - `csv`: one text line per panel row (top row first), `columns` integers per line, no header.
///
/// In every format the first stored row, as a viewer shows it, is the top row of the panel.
public enum SLMBitmapFormat: String, CaseIterable, Sendable {
    case bmp, png, csv

    /// The formats an export writes for a panel: 8-bit BMP and PNG up to 8 bits, 16-bit PNG and CSV beyond.
    public static func exportFormats(for profile: SLMProfile) -> [SLMBitmapFormat] {
        profile.bitDepth <= 8 ? [.bmp, .png] : [.png, .csv]
    }

    /// The frame file of snapshot `l` of `count` for a design `<stem>`: `<stem>_slm.<ext>` when
    /// there is one snapshot, else `<stem>_slm_S<l>.<ext>`.
    public static func framePath(directory: URL, stem: String, snapshot l: Int, of count: Int,
                                 format: SLMBitmapFormat) -> String {
        let name = count == 1 ? "\(stem)_slm" : "\(stem)_slm_S\(l)"
        return directory.appendingPathComponent("\(name).\(format.rawValue)").path
    }

    /// The format named by a path's extension (case-insensitive), or nil.
    public init?(path: String) {
        self.init(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased())
    }
}

public enum SLMBitmap {
    /// Writes one frame (`image` must be `columns × rows` of `profile`, values ≤ maxGray) atomically.
    public static func write(_ image: GrayImage, profile: SLMProfile, format: SLMBitmapFormat, to path: String) throws {
        try check(image, profile, path)
        switch format {
        case .bmp:
            guard profile.bitDepth <= 8 else {
                throw FabricationError(path, "BMP holds 8-bit gray values; \(profile.name) is \(profile.bitDepth)-bit "
                                       + "(use PNG or CSV)")
            }
            try BMPFile.writeGray8(image.pixels.map { UInt8($0) }, width: image.width, height: image.height,
                                   pixelsPerMeter: Int((1 / profile.pixelPitch).rounded()), to: path)
        case .png:
            let raster = profile.bitDepth <= 8
                ? RasterImage.gray8(image.pixels.map { UInt8($0) }, width: image.width, height: image.height)
                : RasterImage.gray16(image.pixels, width: image.width, height: image.height)
            try PNGFile.write(raster, to: path)
        case .csv:
            let rows = (0..<image.height).map { r in (0..<image.width).map { Int(image[r, $0]) } }
            try CSVFile.write(integers: rows, to: path)
        }
    }

    /// Reads a frame written for `profile` (format from the extension). Throws, naming the file, for
    /// a frame of the wrong size, of the wrong depth (8-bit files for ≤ 8-bit panels, 16-bit PNG or
    /// CSV for deeper ones), in colour (RGB, or a palette with a non-gray entry), with transparency,
    /// or holding a gray value above maxGray.
    public static func read(path: String, profile: SLMProfile) throws -> GrayImage {
        guard let format = SLMBitmapFormat(path: path) else {
            throw FabricationError(path, "unknown SLM frame format (use .bmp, .png or .csv)")
        }
        let image: GrayImage
        switch format {
        case .bmp, .png:
            let decoded = format == .bmp ? try BMPFile.read(path: path) : try PNGFile.read(path: path)
            image = try grayImage(decoded, profile: profile, path: path)
        case .csv:
            let table = try CSVFile.read(path: path, header: .absent, columns: profile.columns)
            guard table.rows.count == profile.rows else {
                throw FabricationError(path, "frame has \(table.rows.count) rows, \(profile.name) has \(profile.rows)")
            }
            var pixels = [UInt16]()
            pixels.reserveCapacity(profile.rows * profile.columns)
            for (r, row) in table.rows.enumerated() {
                for (c, v) in row.enumerated() {
                    guard v >= 0, v <= Double(profile.maxGray), v == v.rounded() else {
                        throw FabricationError(path, "row \(r + 1), column \(c + 1): \(v) is not a gray value in 0…\(profile.maxGray)")
                    }
                    pixels.append(UInt16(v))
                }
            }
            image = GrayImage(width: profile.columns, height: profile.rows, pixels: pixels)
        }
        try check(image, profile, path)
        return image
    }

    private static func grayImage(_ decoded: DecodedImage, profile: SLMProfile, path: String) throws -> GrayImage {
        let (w, h) = (decoded.image.width, decoded.image.height)
        let wantDepth = profile.bitDepth <= 8 ? 8 : 16
        switch decoded.image.pixels {
        case _ where decoded.hadAlpha:
            throw FabricationError(path, "frame has transparency (\(decoded.sourceLayout)); an SLM frame is plain grayscale")
        case .gray8(let p) where wantDepth == 8 && decoded.sourceBitDepth == 8
                                 && !["BGR", "rgb", "color"].contains(where: decoded.sourceLayout.contains):
            return GrayImage(width: w, height: h, pixels: p.map(UInt16.init))
        case .gray16(let p) where wantDepth == 16:
            return GrayImage(width: w, height: h, pixels: p)
        default:
            throw FabricationError(path, "frame is \(decoded.sourceBitDepth)-bit \(decoded.sourceLayout); "
                                   + "\(profile.name) (\(profile.bitDepth)-bit) needs \(wantDepth)-bit grayscale")
        }
    }

    private static func check(_ image: GrayImage, _ profile: SLMProfile, _ path: String) throws {
        guard image.width == profile.columns, image.height == profile.rows else {
            throw FabricationError(path, "frame is \(image.width)×\(image.height) pixels, \(profile.name) has "
                                   + "\(profile.columns)×\(profile.rows)")
        }
        if let bad = image.pixels.firstIndex(where: { Int($0) > profile.maxGray }) {
            throw FabricationError(path, "gray value \(image.pixels[bad]) at row \(bad / image.width), column "
                                   + "\(bad % image.width) exceeds \(profile.maxGray)")
        }
    }
}
