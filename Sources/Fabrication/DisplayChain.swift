import Foundation
import Optics
import TensorCore

/// What a panel shows, composed in one fixed order — **the** statement of the order for the project:
///
///     gray(r, c) = LUT( κ · wrap( φ(r, c) + carrier(r, c) + correction(r, c) ) )
///
/// per panel pixel (r, c): φ is the design pixel's phase on its s×s superpixel (0 in the margin),
/// `carrier` the `Carrier`'s phase (0 outside the footprint), `correction` the summed flatness
/// corrections at the operating wavelength (`PanelCorrection`, every pixel), `wrap` to [0, 2π), κ the
/// phase compression (1, or stroke/2π under the `compress` policy of `PhaseResponse`), and LUT the
/// `GrayEncoder` (linear mapping, measured table, or the response at the operating wavelength).
/// All in radians. Each term enters exactly once; `DesignFile` records the carrier, each correction
/// file (name, checksum, wavelength) and this order, and `DesignVerifier` recomputes the chain.
///
/// Decoding (what the panel applies to the light after the panel's own flatness error, which the
/// correction cancels, and with the carrier taken back out, as the first-order window does):
/// `phase(gray) − carrier − correction` per panel pixel, then the circular mean of each superpixel.
/// Without carrier and correction (κ = 1) both are exactly `SLMLayout.encode`/`decode`.
public struct DisplayChain: Sendable {
    public let layout: SLMLayout
    public let encoder: GrayEncoder
    public let carrier: Carrier?
    public let correction: PanelCorrection?
    /// κ in the formula above.
    public let compression: Double
    /// Operating wavelength, metres (the lens carrier depends on it).
    public let wavelength: Double
    /// `carrier + correction` per panel pixel, `[rows · columns]`; nil when both are absent.
    public let offset: [Double]?
    /// The carrier alone, `[rows · columns]`; nil without carrier.
    public let carrierPhase: [Double]?

    public init(layout: SLMLayout, encoder: GrayEncoder, carrier: Carrier? = nil, correction: PanelCorrection? = nil,
                wavelength: Double? = nil, compression: Double = 1) throws {
        let n = layout.profile.rows * layout.profile.columns
        if let correction, correction.phase.count != n {
            throw FabricationError("correction", "map has \(correction.phase.count) pixels, \(layout.profile.name) has \(n)")
        }
        guard compression > 0, compression <= 1 else {
            throw FabricationError("phase response", "compression \(compression) must be in (0, 1]")
        }
        self.layout = layout
        self.encoder = encoder
        self.carrier = carrier
        self.correction = correction
        self.compression = compression
        let lambda = wavelength ?? layout.profile.designWavelength
        self.wavelength = lambda
        carrierPhase = try carrier.map { try $0.phaseMap(layout: layout, wavelength: lambda) }
        switch (carrierPhase, correction?.phase) {
        case (nil, nil): offset = nil
        case (let c?, nil): offset = c
        case (nil, let k?): offset = k
        case (let c?, let k?): offset = zip(c, k).map { $0 + $1 }
        }
    }

    /// The chain of a plain export: the encoder alone.
    public init(layout: SLMLayout, encoder: GrayEncoder) {
        self.layout = layout
        self.encoder = encoder
        carrier = nil
        correction = nil
        compression = 1
        wavelength = layout.profile.designWavelength
        offset = nil
        carrierPhase = nil
    }

    /// True when the chain is the encoder alone (no carrier, no correction, κ = 1).
    public var isPlain: Bool { offset == nil && compression == 1 }

    /// The gray value of one panel pixel for design phase `phi` at flat index `index` = r·columns + c.
    @inline(__always)
    public func gray(phase phi: Double, pixel index: Int) -> Int {
        let total = phi + (offset?[index] ?? 0)
        return encoder.gray(forPhase: compression == 1 ? total : compression * wrapPhase(total))
    }

    /// The carrier's first-order efficiency with this panel's levels (`Carrier.efficiency`); nil
    /// without a carrier.
    public func carrierEfficiency() throws -> (total: Double, levels: Double, aperture: Double)? {
        guard let carrier, let carrierPhase else { return nil }
        return try carrier.efficiency(map: carrierPhase, layout: layout, wavelength: wavelength) { c in
            try encoder.phase(forGray: encoder.gray(forPhase: compression * wrapPhase(c)), source: "carrier")
        }
    }

    /// The frame of snapshot `l` of a mask `[L, H, W]` (radians).
    public func encode(_ mask: Tensor, snapshot l: Int, source: String = "mask") throws -> GrayImage {
        if isPlain { return try layout.encode(mask, snapshot: l, with: encoder, source: source) }
        try checkMask(mask, snapshot: l, source: source)
        let p = layout.profile, s = layout.superpixel, w = layout.designWidth
        let plane = mask.pointer + l * layout.designHeight * w
        var image = GrayImage(width: p.columns, height: p.rows, repeating: 0)
        for r in 0..<p.rows {
            let i = r - layout.top
            let insideRow = i >= 0 && i < s * layout.designHeight
            for c in 0..<p.columns {
                let j = c - layout.left
                let inside = insideRow && j >= 0 && j < s * w
                let phi = inside ? Double(plane[(i / s) * w + j / s]) : 0
                image.pixels[r * p.columns + c] = UInt16(gray(phase: phi, pixel: r * p.columns + c))
            }
        }
        return image
    }

    /// One frame per snapshot of a mask `[L, H, W]`.
    public func encode(_ mask: Tensor, source: String = "mask") throws -> [GrayImage] {
        try validateMask(mask, source: source)
        return try (0..<mask.shape[0]).map { try encode(mask, snapshot: $0, source: source) }
    }

    /// The design phases `[L, H, W]` (radians in [0, 2π)) the frames apply: per panel pixel
    /// `phase(gray) − carrier − correction`, circular mean per superpixel, centred crop.
    public func decode(_ images: [GrayImage], source: String = "bitmap") throws -> Tensor {
        guard let offset else { return try layout.decode(images, with: encoder, source: source) }
        guard !images.isEmpty else { throw FabricationError(source, "no bitmap to decode") }
        let (h, w, s) = (layout.designHeight, layout.designWidth, layout.superpixel)
        let out = Tensor(uninitialized: [images.count, h, w])
        for (l, image) in images.enumerated() {
            try checkSize(image, source)
            for i in 0..<h {
                for j in 0..<w {
                    var sumSin = 0.0, sumCos = 0.0
                    for r in (layout.top + i * s)..<(layout.top + (i + 1) * s) {
                        for c in (layout.left + j * s)..<(layout.left + (j + 1) * s) {
                            let k = r * image.width + c
                            let p = try encoder.phase(forGray: Int(image.pixels[k]), source: source) - offset[k]
                            sumSin += sin(p)
                            sumCos += cos(p)
                        }
                    }
                    out.pointer[(l * h + i) * w + j] = wrapPhaseToFloat(atan2(sumSin, sumCos))
                }
            }
        }
        return out
    }

    /// The net phase of every panel pixel of a frame, `phase(gray) − correction` (radians, the
    /// carrier kept): what a panel whose flatness error the correction cancels applies to the light.
    public func panelPhase(_ image: GrayImage, source: String = "bitmap") throws -> [Double] {
        try checkSize(image, source)
        return try image.pixels.enumerated().map { k, g in
            try encoder.phase(forGray: Int(g), source: source) - (correction?.phase[k] ?? 0)
        }
    }

    private func checkSize(_ image: GrayImage, _ source: String) throws {
        let p = layout.profile
        guard image.width == p.columns, image.height == p.rows else {
            throw FabricationError(source, "bitmap is \(image.width)×\(image.height) pixels, \(p.name) has \(p.columns)×\(p.rows)")
        }
    }

    private func checkMask(_ mask: Tensor, snapshot l: Int, source: String) throws {
        try validateMask(mask, source: source)
        guard mask.shape[1] == layout.designHeight, mask.shape[2] == layout.designWidth else {
            throw FabricationError(source, "mask is \(mask.shape[1])×\(mask.shape[2]), layout expects \(layout.designHeight)×\(layout.designWidth)")
        }
        guard (0..<mask.shape[0]).contains(l) else {
            throw FabricationError(source, "snapshot \(l) out of range 0..<\(mask.shape[0])")
        }
    }
}

extension DesignExport {
    /// Lines for an export's summary: the carrier and its efficiency, the corrections, the order.
    public var chainSummary: [String] {
        var lines: [String] = []
        if let response {
            lines.append(response.summary)
            lines.append(String(format: "phase error of the frames at %.4g m: RMS %.4f rad, max %.4f rad", response.wavelength,
                                displayPhaseError.rms, displayPhaseError.max))
        }
        if let carrier = chain.carrier, let e = carrierEfficiency {
            var line = String(format: "carrier %@: first-order efficiency %.2f %% (panel levels %.2f %% × pixel aperture %.2f %%)",
                              carrier.description, 100 * e.total, 100 * e.levels, 100 * e.aperture)
            if case .blaze = carrier {
                let (mh, mw) = (layout.superpixel * layout.designHeight, layout.superpixel * layout.designWidth)
                let bin = carrier.firstOrderBin(height: mh, width: mw)
                line += "; first order at far-field bin (\(bin.row), \(bin.column)) of \(mh)×\(mw)"
            }
            lines.append(line)
            if !carrier.separatesOrders(superpixel: layout.superpixel) {
                lines.append("warning: the first order lies within one CDP width of the zero order and overlaps it on the sensor; "
                             + "use a blaze period of at most the superpixel (\(layout.superpixel) pixels)")
            }
        }
        for r in chain.correction?.records ?? [] {
            lines.append(String(format: "correction %@ (%@, sha256 %@…, made at %.4g m, × %.4f)", r.file, r.kind.rawValue,
                                String(r.sha256.prefix(12)), r.wavelength, r.phaseScale))
        }
        if !chain.isPlain { lines.append("frames: \(DisplayChain.composition)") }
        return lines
    }
}
