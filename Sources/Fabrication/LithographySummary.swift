import Foundation
import Storage

/// Smallest features of one binary mask over all snapshots, in pixels (nil when there is none).
///
/// A *feature* is a run of etched pixels; its width is the run length along a row, its height the
/// run length along a column. A *gap* is a run of unetched pixels with etched pixels on both sides
/// (gaps touching the design edge are not bounded and are ignored).
public struct MaskFeatures: Equatable, Sendable {
    public let mask: Int
    public let polygonCount: Int
    public let etchedPixels: Int
    public let minFeatureWidth: Int?
    public let minFeatureHeight: Int?
    public let minGapWidth: Int?
    public let minGapHeight: Int?
}

extension LithographyPlan {
    /// Feature statistics of mask i (1…k).
    public func features(mask i: Int) -> MaskFeatures {
        let (h, w) = (shape[1], shape[2])
        var polygons = 0, etched = 0
        var widths = RunMinimum(), heights = RunMinimum()
        for l in 0..<shape[0] {
            let plane = bitPlane(mask: i, snapshot: l)
            polygons += pixelRuns(plane, height: h, width: w).count
            etched += plane.lazy.filter { $0 }.count
            for r in 0..<h { widths.scan((0..<w).map { plane[r * w + $0] }) }
            for c in 0..<w { heights.scan((0..<h).map { plane[$0 * w + c] }) }
        }
        return MaskFeatures(mask: i, polygonCount: polygons, etchedPixels: etched,
                            minFeatureWidth: widths.feature, minFeatureHeight: heights.feature,
                            minGapWidth: widths.gap, minGapHeight: heights.gap)
    }

    /// A plain-text summary for the fab: optics, per-mask etch depth, feature sizes, polygon counts.
    public func summary() -> String {
        let pitchMicrons = pixelPitch * 1e6
        func microns(_ pixels: Int?) -> String {
            pixels.map { String(format: "%.3f", Double($0) * pitchMicrons) } ?? "-"
        }
        var lines = [
            "Multilevel phase element: K = \(levels) levels from \(maskCount) binary masks",
            String(format: "wavelength %.2f nm, refractive index %.4f, pixel pitch %.3f µm",
                   wavelength * 1e9, refractiveIndex, pitchMicrons),
            "design \(shape[0]) snapshot(s) of \(shape[1]) × \(shape[2]) pixels; GDSII: database unit 1 nm, "
                + "user unit 1 µm, layer i = mask i, datatype 0",
            String(format: "full-wave depth λ/(n−1) = %.2f nm; deepest level %d etched %.2f nm",
                   fullWaveDepth * 1e9, levels - 1, height(level: levels - 1) * 1e9),
            "mask i is bit (k − i) of the level index (mask 1 = most significant bit) and etches λ/(2^i (n−1))",
            "",
            "mask  layer  etch depth (nm)  polygons  etched px  min feature w × h (µm)  min gap w × h (µm)",
        ]
        for i in 1...maskCount {
            let f = features(mask: i)
            lines.append(String(format: "%4d  %5d  %15.2f  %8d  %9d  ", i, i, etchDepth(mask: i) * 1e9,
                                f.polygonCount, f.etchedPixels)
                + "\(microns(f.minFeatureWidth)) × \(microns(f.minFeatureHeight))".padding(toLength: 24, withPad: " ", startingAt: 0)
                + "\(microns(f.minGapWidth)) × \(microns(f.minGapHeight))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Running minimum of etched-run and bounded-gap lengths over 1-D lines.
struct RunMinimum {
    var feature: Int?
    var gap: Int?

    mutating func scan(_ line: [Bool]) {
        var start = 0
        while start < line.count {
            var end = start
            while end < line.count && line[end] == line[start] { end += 1 }
            let length = end - start
            if line[start] {
                feature = min(feature ?? length, length)
            } else if start > 0 && end < line.count {
                gap = min(gap ?? length, length)
            }
            start = end
        }
    }
}

extension LithographyPlan {
    /// Writes the fabrication files into `directory` and returns their paths:
    /// - `<stem>_mask<i>.png` (or `<stem>_S<l>_mask<i>.png` when L > 1): 1-bit PNG of mask i, white
    ///   (sample 1) where mask i etches, row 0 at the top (the same orientation as the GDSII layout);
    /// - `<stem>.gds`: one structure per snapshot, layer i = mask i;
    /// - `<stem>_fabrication.txt`: `summary()`.
    /// Each file is written atomically; if one fails, the files already written are removed.
    public func writeFiles(to directory: URL, stem: String, date: Date = Date()) throws -> [String] {
        var written: [String] = []
        do {
            for l in 0..<shape[0] {
                for i in 1...maskCount {
                    let name = shape[0] == 1 ? "\(stem)_mask\(i).png" : "\(stem)_S\(l)_mask\(i).png"
                    let path = directory.appendingPathComponent(name).path
                    try PNGFile.writeBilevel(bitPlane(mask: i, snapshot: l), width: shape[2], height: shape[1], to: path)
                    written.append(path)
                }
            }
            let gds = directory.appendingPathComponent("\(stem).gds")
            try GDSWriter.write(gdsLibrary(name: gdsName(stem)), to: gds, date: date)
            written.append(gds.path)
            let text = directory.appendingPathComponent("\(stem)_fabrication.txt").path
            try AtomicFile.write(Data(summary().utf8), to: text)
            written.append(text)
        } catch {
            for path in written { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        return written
    }

    /// A GDSII structure name from a file stem: letters, digits, `_`; at most 28 characters so that
    /// the `_S<l>` suffix still fits in 32.
    private func gdsName(_ stem: String) -> String {
        let cleaned = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(28))
        return cleaned.isEmpty ? "PHASEMASK" : cleaned
    }
}
