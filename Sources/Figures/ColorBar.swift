/// A vertical colour bar: the map's colours from `range.lowerBound` (bottom) to `upperBound`
/// (top) in a framed strip, tick marks and labels to its right, and an optional label, rotated,
/// to the right of those (left out when it is longer than the strip).
public struct ColorBar: Sendable {
    public var map: ColorMap
    public var range: ClosedRange<Double>
    public var label: String?
    /// Fixed ticks (values outside `range` are skipped); nil chooses nice ticks for the height.
    public var ticks: [Tick]?
    public var textScale: Int
    /// Width of the coloured strip in pixels.
    public var barWidth: Int

    public init(map: ColorMap, range: ClosedRange<Double>, label: String? = nil, ticks: [Tick]? = nil,
                textScale: Int = 1, barWidth: Int = 12) {
        self.map = map
        self.range = range
        self.label = label
        self.ticks = ticks
        self.textScale = max(1, textScale)
        self.barWidth = max(1, barWidth)
    }

    /// Ticks at 0, π/2, π, 3π/2 and 2π labelled with π, for phase bars over [0, 2π].
    public static let phaseTicks: [Tick] = [
        Tick(0, "0"), Tick(.pi / 2, "π/2"), Tick(.pi, "π"), Tick(3 * .pi / 2, "3π/2"), Tick(2 * .pi, "2π"),
    ]

    private var tickLength: Int { 3 * textScale }
    private var gap: Int { 3 * textScale }
    /// Between the tick labels and the rotated label: wide enough that "1" beside "log…" reads apart.
    private var labelGap: Int { 6 * textScale }

    /// Tick labels are centred on their tick, so the top and bottom ones reach this many pixels
    /// above and below the strip: leave that much room around it.
    public var overhang: Int { (BitmapFont.capHeight * textScale + 1) / 2 }

    /// The ticks drawn for a strip `height` pixels tall: `ticks` if given (every second one
    /// dropped, repeatedly, while labels would be less than a line and a half apart), else nice
    /// values about three text lines apart.
    public func resolvedTicks(height: Int) -> [Tick] {
        let inside = { (t: Tick) in t.value >= range.lowerBound - 1e-9 && t.value <= range.upperBound + 1e-9 }
        if var fixed = ticks?.filter(inside) {
            let span = range.upperBound - range.lowerBound, minimum = Double(3 * BitmapFont.lineHeight * textScale) / 2
            func crowded(_ t: [Tick]) -> Bool {
                span > 0 && zip(t, t.dropFirst()).contains { abs($1.value - $0.value) / span * Double(height - 1) < minimum }
            }
            while fixed.count > 2 && crowded(fixed) { fixed = stride(from: 0, to: fixed.count, by: 2).map { fixed[$0] } }
            return fixed
        }
        let target = max(2, height / (3 * BitmapFont.lineHeight * textScale))
        return NiceTicks.ticks(lower: range.lowerBound, upper: range.upperBound, targetCount: target).filter(inside)
    }

    /// The rotated label if it fits along a strip `height` tall, else nil (it is left out).
    private func fittingLabel(height: Int) -> String? {
        guard let label, !label.isEmpty, BitmapFont.width(of: label, scale: textScale) <= height else { return nil }
        return label
    }

    /// Total width in pixels (strip, ticks, labels, rotated label) for a strip `height` tall.
    public func width(height: Int) -> Int {
        let labels = resolvedTicks(height: height).map { BitmapFont.width(of: $0.label, scale: textScale) }
        var w = barWidth + 1 + tickLength + gap + (labels.max() ?? 0)
        if fittingLabel(height: height) != nil { w += labelGap + BitmapFont.height(scale: textScale) }
        return w
    }

    /// The row of value `v` on a strip drawn from `top` with `height` rows (upper bound at `top`).
    func row(of v: Double, top: Int, height: Int) -> Int {
        let span = range.upperBound - range.lowerBound
        let t = span > 0 ? (v - range.lowerBound) / span : 0.5
        return top + Int(((1 - t) * Double(height - 1)).rounded())
    }

    /// Draws the bar with the strip's top-left corner at (x, y) and the strip `height` rows tall;
    /// a one-pixel frame surrounds the strip.
    public func draw(on canvas: inout Canvas, x: Int, y: Int, height: Int) {
        guard height > 1 else { return }
        for r in 0..<height {
            let t = 1 - Double(r) / Double(height - 1)
            // Sample a cyclic map on [0, 1) so the top row does not repeat the bottom one exactly.
            let v = map.isCyclic ? min(t, 1 - 1e-9) : t
            canvas.fillRect(x: x, y: y + r, width: barWidth, height: 1, map.color(at: v))
        }
        canvas.drawRect(x: x - 1, y: y - 1, width: barWidth + 2, height: height + 2, .darkGray)
        let ticks = resolvedTicks(height: height)
        let tickX = x + barWidth + 1
        for tick in ticks {
            let r = row(of: tick.value, top: y, height: height)
            canvas.fillRect(x: tickX, y: r, width: tickLength, height: max(1, textScale / 2), .darkGray)
            canvas.drawText(tick.label, x: tickX + tickLength + gap, y: r, anchor: .centerLeft, scale: textScale)
        }
        if let label = fittingLabel(height: height) {
            let labelsWidth = ticks.map { BitmapFont.width(of: $0.label, scale: textScale) }.max() ?? 0
            canvas.drawText(label, x: tickX + tickLength + gap + labelsWidth + labelGap, y: y + height / 2,
                            anchor: TextAnchor(.left, .middle), scale: textScale, orientation: .vertical)
        }
    }
}
