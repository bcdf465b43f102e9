import Foundation
import TensorCore

/// One image of a figure: a 2-D array of values drawn through an intensity scale and a colour map,
/// each value an `upscale × upscale` block, with an optional colour bar to its right and an
/// optional caption (lines separated by "\n") centred below it.
///
/// Row 0 of the values is drawn at the top, column 0 at the left (the orientation of the arrays
/// everywhere in PhaseMask).
public struct ImagePanel: Sendable {
    /// Row-major values, `height × width`.
    public var values: [Float]
    public var height: Int
    public var width: Int
    public var map: ColorMap
    public var scale: IntensityScale
    /// The range of displayed (scaled) values spanning the colour map; nil takes
    /// `scale.displayRange` of the data.
    public var range: ClosedRange<Double>?
    public var upscale: Int
    public var caption: String?
    /// Draw a colour bar beside the image.
    public var showsColorBar: Bool
    /// The colour bar's label; nil uses `scale.label()` for non-linear scales, none otherwise.
    public var colorBarLabel: String?
    /// Fixed colour-bar ticks (e.g. `ColorBar.phaseTicks`); nil chooses nice ticks.
    public var colorBarTicks: [Tick]?

    /// A panel of `values` (row-major, `height × width`).
    public init(values: [Float], height: Int, width: Int, map: ColorMap = .gray, scale: IntensityScale = .linear,
                range: ClosedRange<Double>? = nil, upscale: Int = 1, caption: String? = nil,
                showsColorBar: Bool = false, colorBarLabel: String? = nil, colorBarTicks: [Tick]? = nil) {
        precondition(height > 0 && width > 0 && values.count == height * width,
                     "image panel: \(values.count) values for \(height)×\(width)")
        self.values = values
        self.height = height
        self.width = width
        self.map = map
        self.scale = scale
        self.range = range
        self.upscale = max(1, upscale)
        self.caption = caption
        self.showsColorBar = showsColorBar
        self.colorBarLabel = colorBarLabel
        self.colorBarTicks = colorBarTicks
    }

    /// A panel of a tensor of shape `[H, W]`, or `[1, …, 1, H, W]` (e.g. `[1, 1, H, W]`).
    public init(_ tensor: Tensor, map: ColorMap = .gray, scale: IntensityScale = .linear,
                range: ClosedRange<Double>? = nil, upscale: Int = 1, caption: String? = nil,
                showsColorBar: Bool = false, colorBarLabel: String? = nil, colorBarTicks: [Tick]? = nil) {
        let shape = tensor.shape
        precondition(shape.count >= 2 && shape.dropLast(2).allSatisfy { $0 == 1 },
                     "image panel needs a tensor of shape [H, W] or [1, 1, H, W], got \(shape)")
        self.init(values: tensor.array, height: shape[shape.count - 2], width: shape[shape.count - 1], map: map,
                  scale: scale, range: range, upscale: upscale, caption: caption, showsColorBar: showsColorBar,
                  colorBarLabel: colorBarLabel, colorBarTicks: colorBarTicks)
    }

    /// A phase map in radians: the cyclic `twilightLike` map over [0, 2π) (any phase is taken
    /// modulo 2π) with a colour bar ticked in multiples of π/2.
    public static func phase(_ phase: Tensor, upscale: Int = 1, caption: String? = nil,
                             showsColorBar: Bool = true) -> ImagePanel {
        ImagePanel(phase, map: .twilightLike, range: 0...(2 * .pi), upscale: upscale, caption: caption,
                   showsColorBar: showsColorBar, colorBarLabel: "phase (rad)", colorBarTicks: ColorBar.phaseTicks)
    }

    /// A diffraction pattern (intensity ≥ 0) on a logarithmic scale with the `viridisLike` map.
    /// PhaseMask's FFT puts zero frequency at index (0, 0); with `centred` (the default) it is
    /// shown at the centre instead (see `centringZeroFrequency`).
    public static func intensity(_ intensity: Tensor, scale: IntensityScale = .log1p(epsilon: 1e-4),
                                 centred: Bool = true, upscale: Int = 1, caption: String? = nil,
                                 showsColorBar: Bool = true) -> ImagePanel {
        let panel = ImagePanel(intensity, map: .viridisLike, scale: scale, upscale: upscale, caption: caption,
                               showsColorBar: showsColorBar)
        return centred ? panel.centringZeroFrequency() : panel
    }

    /// The panel with its values rolled by half the size in each direction (numpy's `fftshift`):
    /// shown pixel (y, x) takes value ((y − ⌊H/2⌋) mod H, (x − ⌊W/2⌋) mod W), so index (0, 0)
    /// lands at (⌊H/2⌋, ⌊W/2⌋).
    public func centringZeroFrequency() -> ImagePanel {
        var shifted = self
        for y in 0..<height {
            let sy = (y - height / 2 + height) % height
            for x in 0..<width { shifted.values[y * width + x] = values[sy * width + (x - width / 2 + width) % width] }
        }
        return shifted
    }

    /// The scaled values and the range the colour map spans.
    private func displayed() -> (values: [Double], range: ClosedRange<Double>) {
        let v = scale.apply(values)
        return (v, range ?? scale.displayRange(of: v))
    }

    /// The colour-mapped image at its own resolution (`width × height`, rgb8).
    public func coloredImage() -> Canvas {
        let (v, range) = displayed()
        var canvas = Canvas(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { canvas.setPixel(x: x, y: y, map.color(v[y * width + x], in: range)) }
        }
        return canvas
    }

    /// The colour bar this panel draws, or nil.
    public func colorBar(textScale: Int) -> ColorBar? {
        guard showsColorBar else { return nil }
        let label = colorBarLabel ?? (scale == .linear ? nil : scale.label())
        return ColorBar(map: map, range: displayed().range, label: label, ticks: colorBarTicks, textScale: textScale,
                        barWidth: 6 * textScale)
    }

    private var captionLines: [String] {
        guard let caption, !caption.isEmpty else { return [] }
        return caption.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Layout: the image block (image plus colour bar) and the caption, centred in the panel.
    private struct Layout {
        var width = 0, height = 0
        var imageX = 0, imageY = 0, blockWidth = 0, captionY = 0
        var bar: ColorBar?
    }

    private func layout(textScale s: Int) -> Layout {
        var l = Layout()
        let imageW = width * upscale, imageH = height * upscale
        l.bar = colorBar(textScale: s)
        let barGap = 4 * s
        l.blockWidth = imageW + (l.bar.map { barGap + 1 + $0.width(height: imageH) } ?? 0)
        let overhang = l.bar?.overhang ?? 0
        let lines = captionLines
        let captionW = lines.map { BitmapFont.width(of: $0, scale: s) }.max() ?? 0
        l.width = max(l.blockWidth, captionW)
        l.imageX = (l.width - l.blockWidth) / 2
        l.imageY = overhang
        l.captionY = overhang + imageH + max(overhang, 3 * s)
        l.height = lines.isEmpty ? overhang + imageH + overhang
            : l.captionY + lines.count * (BitmapFont.lineHeight + 2) * s - 2 * s
        return l
    }

    /// Size in pixels of the panel drawn with text at `textScale` (caption and colour bar).
    public func size(textScale: Int = 2) -> (width: Int, height: Int) {
        let l = layout(textScale: max(1, textScale))
        return (l.width, l.height)
    }

    /// Where the image itself lies inside the panel (origin at the panel's top-left corner).
    public func imageFrame(textScale: Int = 2) -> (x: Int, y: Int, width: Int, height: Int) {
        let l = layout(textScale: max(1, textScale))
        return (l.imageX, l.imageY, width * upscale, height * upscale)
    }

    /// Draws the panel with its top-left corner at (x, y); it occupies `size(textScale:)`.
    public func draw(on canvas: inout Canvas, x: Int, y: Int, textScale: Int = 2) {
        let s = max(1, textScale), l = layout(textScale: s)
        let imageW = width * upscale, imageH = height * upscale
        canvas.blit(coloredImage().rasterImage, x: x + l.imageX, y: y + l.imageY, width: imageW, height: imageH)
        if let bar = l.bar {
            bar.draw(on: &canvas, x: x + l.imageX + imageW + 4 * s + 1, y: y + l.imageY, height: imageH)
        }
        let centre = x + l.imageX + imageW / 2
        for (k, line) in captionLines.enumerated() {
            let lineX = min(max(centre, x + BitmapFont.width(of: line, scale: s) / 2),
                            x + l.width - (BitmapFont.width(of: line, scale: s) + 1) / 2)
            canvas.drawText(line, x: lineX, y: y + l.captionY + k * (BitmapFont.lineHeight + 2) * s,
                            anchor: .topCenter, scale: s)
        }
    }
}
