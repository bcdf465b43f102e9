import Foundation
import Optics
import TensorCore

/// A single-channel image of gray values as written to an SLM, `height` rows × `width` columns,
/// row-major. Row 0 is the *top* row of the panel as displayed, column 0 its left column (the order
/// in which the panel's video input scans). File writers that store rows bottom-up (BMP) flip on write.
public struct GrayImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `pixels[row * width + column]`.
    public var pixels: [UInt16]

    public init(width: Int, height: Int, pixels: [UInt16]) {
        precondition(pixels.count == width * height, "\(pixels.count) gray values for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, repeating value: UInt16) {
        self.init(width: width, height: height, pixels: [UInt16](repeating: value, count: width * height))
    }

    public subscript(row: Int, column: Int) -> UInt16 {
        get { pixels[row * width + column] }
        set { pixels[row * width + column] = newValue }
    }
}

/// Where an H×W design sits on an SLM panel.
///
/// Each design pixel becomes an s×s block of panel pixels (`superpixel` s, default the largest that
/// fits). The enlarged design (sH rows × sW columns) is centred: `top = (rows − sH)/2` and
/// `left = (columns − sW)/2` rounded down, so when the spare count is odd the extra pixel goes to the
/// *bottom* and *right* margins (the slmsuite convention). Design row 0 lands on panel row `top`, i.e.
/// design rows run top to bottom on the panel as displayed, columns left to right. Everything outside
/// the design shows zero phase.
public struct SLMLayout: Equatable, Sendable {
    public let profile: SLMProfile
    public let designHeight: Int
    public let designWidth: Int
    public let superpixel: Int
    public let top: Int, left: Int, bottom: Int, right: Int

    public init(designHeight: Int, designWidth: Int, profile: SLMProfile, superpixel: Int? = nil) throws {
        let source = "SLM profile \(profile.name)"
        guard designHeight > 0, designWidth > 0 else {
            throw FabricationError(source, "design size \(designHeight)×\(designWidth) must be positive")
        }
        let largest = min(profile.rows / designHeight, profile.columns / designWidth)
        let s = superpixel ?? max(largest, 1)
        guard s >= 1 else {
            throw FabricationError(source, "superpixel must be at least 1, got \(s)")
        }
        guard s <= largest else {
            let (rows, o1) = s.multipliedReportingOverflow(by: designHeight), (columns, o2) = s.multipliedReportingOverflow(by: designWidth)
            let needs = o1 || o2 ? "more pixels than any panel has" : "\(rows) rows × \(columns) columns"
            throw FabricationError(source, "a \(designHeight)×\(designWidth) design with superpixel \(s) needs "
                + "\(needs); the panel has \(profile.rows) × \(profile.columns)")
        }
        self.profile = profile
        self.designHeight = designHeight
        self.designWidth = designWidth
        self.superpixel = s
        top = (profile.rows - s * designHeight) / 2
        left = (profile.columns - s * designWidth) / 2
        bottom = profile.rows - s * designHeight - top
        right = profile.columns - s * designWidth - left
    }

    /// The panel image for snapshot `l` of a mask `[L, H, W]` in radians.
    public func encode(_ mask: Tensor, snapshot l: Int, with encoder: GrayEncoder, source: String = "mask") throws -> GrayImage {
        try validateMask(mask, source: source)
        guard mask.shape[1] == designHeight, mask.shape[2] == designWidth else {
            throw FabricationError(source, "mask is \(mask.shape[1])×\(mask.shape[2]), layout expects \(designHeight)×\(designWidth)")
        }
        guard (0..<mask.shape[0]).contains(l) else {
            throw FabricationError(source, "snapshot \(l) out of range 0..<\(mask.shape[0])")
        }
        var image = GrayImage(width: profile.columns, height: profile.rows,
                              repeating: UInt16(encoder.gray(forPhase: 0)))
        let s = superpixel
        let plane = mask.pointer + l * designHeight * designWidth
        for i in 0..<designHeight {
            for j in 0..<designWidth {
                let g = UInt16(encoder.gray(forPhase: Double(plane[i * designWidth + j])))
                for r in (top + i * s)..<(top + (i + 1) * s) {
                    let rowStart = r * image.width
                    for c in (left + j * s)..<(left + (j + 1) * s) { image.pixels[rowStart + c] = g }
                }
            }
        }
        return image
    }

    /// One panel image per snapshot of a mask `[L, H, W]`.
    public func encode(_ mask: Tensor, with encoder: GrayEncoder, source: String = "mask") throws -> [GrayImage] {
        try validateMask(mask, source: source)
        return try (0..<mask.shape[0]).map { try encode(mask, snapshot: $0, with: encoder, source: source) }
    }

    /// Recovers the design phases `[L, H, W]` (radians in [0, 2π)) from one panel image per snapshot:
    /// gray → phase, then the circular mean `atan2(Σ sin, Σ cos)` of each s×s block, then the centred
    /// crop. Throws if an image has the wrong size or holds a gray value the encoder cannot decode.
    public func decode(_ images: [GrayImage], with encoder: GrayEncoder, source: String = "bitmap") throws -> Tensor {
        guard !images.isEmpty else { throw FabricationError(source, "no bitmap to decode") }
        let out = Tensor(uninitialized: [images.count, designHeight, designWidth])
        for (l, image) in images.enumerated() {
            guard image.width == profile.columns, image.height == profile.rows else {
                throw FabricationError(source, "bitmap is \(image.width)×\(image.height) pixels, "
                    + "\(profile.name) has \(profile.columns)×\(profile.rows)")
            }
            let plane = out.pointer + l * designHeight * designWidth
            for i in 0..<designHeight {
                for j in 0..<designWidth {
                    plane[i * designWidth + j] = wrapPhaseToFloat(try blockPhase(image, i, j, encoder, source))
                }
            }
        }
        return out
    }

    /// Circular mean phase of the s×s panel block of design pixel (i, j).
    private func blockPhase(_ image: GrayImage, _ i: Int, _ j: Int, _ encoder: GrayEncoder, _ source: String) throws -> Double {
        let s = superpixel
        var sumSin = 0.0, sumCos = 0.0
        for r in (top + i * s)..<(top + (i + 1) * s) {
            for c in (left + j * s)..<(left + (j + 1) * s) {
                let p = try encoder.phase(forGray: Int(image.pixels[r * image.width + c]), source: source)
                sumSin += sin(p)
                sumCos += cos(p)
            }
        }
        return wrapPhase(atan2(sumSin, sumCos))
    }
}
