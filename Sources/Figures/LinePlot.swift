/// A line plot: one or more `Series` on linear axes with nice ticks, light grid lines, axis labels,
/// a title and a legend, rendered to an RGB canvas (default 640 × 420) or a PNG.
///
/// Ranges default to the data (error bars included) padded by 5 % on each side; ticks default to
/// nice 1-2-5 values, as many as fit without their labels touching (x values that are all whole
/// numbers get whole-number ticks). Data outside explicit ranges is clipped at the frame.
public struct LinePlot: Sendable {
    public var title: String?
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Int
    public var height: Int
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Fixed ticks (those outside the range are dropped); nil chooses nice ticks.
    public var xTicks: [Tick]?
    public var yTicks: [Tick]?
    public var legend: LegendPlacement
    /// Scale of all text (the 5 × 9 font: 2 gives 14-pixel capitals).
    public var textScale: Int
    public var showsGrid: Bool

    public init(title: String? = nil, xLabel: String = "", yLabel: String = "", series: [Series] = [],
                width: Int = 640, height: Int = 420, xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil, xTicks: [Tick]? = nil, yTicks: [Tick]? = nil,
                legend: LegendPlacement = .automatic, textScale: Int = 2, showsGrid: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = width
        self.height = height
        self.xRange = xRange
        self.yRange = yRange
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.legend = legend
        self.textScale = max(1, textScale)
        self.showsGrid = showsGrid
    }

    /// The plot drawn on a new `width × height` canvas.
    public func render() -> Canvas {
        var placement = legend
        var axes = makeAxes(legendWidth: 0)
        let entries = series.indices.filter { !series[$0].label.isEmpty }
        let box = legendSize(entries)
        if entries.isEmpty { placement = .hidden }
        if placement == .automatic {
            if let corner = freeCorner(box, axes) {
                placement = corner
            } else if let raised = axesWithHeadroom(for: box), let corner = freeCorner(box, raised) {
                (axes, placement) = (raised, corner)
            } else {
                placement = .outsideRight
            }
        }
        if placement == .outsideRight { axes = makeAxes(legendWidth: box.width + 4 * textScale) }

        var canvas = Canvas(width: width, height: height)
        drawFrameAndTicks(on: &canvas, axes)
        drawSeries(on: &canvas, axes)
        if placement != .hidden {
            let origin = legendOrigin(placement, box, axes)
            drawLegend(entries, on: &canvas, x: origin.x, y: origin.y, size: box)
        }
        return canvas
    }

    /// Renders the plot and writes it as an RGB PNG (atomically).
    public func writePNG(to path: String) throws { try render().writePNG(to: path) }

    // MARK: Series

    func color(of index: Int) -> Color {
        series[index].color ?? LinePlot.palette[index % LinePlot.palette.count]
    }

    private var markerRadius: Int { 2 + textScale }

    /// Draws error bars, then lines, then markers, each series over the previous one.
    func drawSeries(on canvas: inout Canvas, _ axes: Axes) {
        for (k, s) in series.enumerated() {
            let color = color(of: k), points = s.finiteIndices
            if let errors = s.errors {
                let cap = markerRadius + 1
                for i in points where errors[i] > 0 {
                    let x = axes.px(s.x[i])
                    guard x >= Double(axes.left) - 0.5 && x <= Double(axes.right) + 0.5 else { continue }
                    let top = max(axes.py(s.y[i] + errors[i]), Double(axes.top))
                    let bottom = min(axes.py(s.y[i] - errors[i]), Double(axes.bottom))
                    guard top <= bottom else { continue }
                    let xi = Int(x.rounded()), t = Int(top.rounded()), b = Int(bottom.rounded())
                    canvas.drawLine(x0: xi, y0: t, x1: xi, y1: b, color, thickness: max(1, s.lineWidth - 1))
                    for y in [t, b] where y > axes.top && y < axes.bottom {
                        canvas.drawLine(x0: xi - cap, y0: y, x1: xi + cap, y1: y, color, thickness: max(1, s.lineWidth - 1))
                    }
                }
            }
            if s.lineWidth > 0 {
                for (i, j) in zip(points, points.dropFirst()) {
                    guard let c = axes.clip(axes.px(s.x[i]), axes.py(s.y[i]), axes.px(s.x[j]), axes.py(s.y[j])) else { continue }
                    canvas.drawLine(x0: Int(c.0.rounded()), y0: Int(c.1.rounded()), x1: Int(c.2.rounded()),
                                    y1: Int(c.3.rounded()), color, thickness: s.lineWidth)
                }
            }
            for i in points {
                let x = axes.px(s.x[i]), y = axes.py(s.y[i])
                guard axes.contains(x, y) else { continue }
                canvas.drawMarker(s.marker, x: Int(x.rounded()), y: Int(y.rounded()), radius: markerRadius, color)
            }
        }
    }

    // MARK: Legend

    private var legendPad: Int { 4 * textScale }
    private var legendSample: Int { 12 * textScale }
    private var legendRow: Int { BitmapFont.height(scale: textScale) + 3 * textScale }

    /// Size of the legend box listing the series at `entries`.
    func legendSize(_ entries: [Int]) -> (width: Int, height: Int) {
        let text = entries.map { BitmapFont.width(of: series[$0].label, scale: textScale) }.max() ?? 0
        return (2 * legendPad + legendSample + 3 * textScale + text,
                2 * legendPad + entries.count * legendRow - 3 * textScale)
    }

    /// Axes whose automatic y range leaves room for the legend above the data, or nil when the y
    /// range is fixed or the legend would take more than 40 % of the plot height.
    private func axesWithHeadroom(for box: (width: Int, height: Int)) -> Axes? {
        guard yRange == nil else { return nil }
        let plain = makeAxes(legendWidth: 0)
        let headroom = box.height + 8 * textScale
        guard Double(headroom) <= 0.4 * Double(plain.bottom - plain.top) else { return nil }
        return makeAxes(legendWidth: 0, headroom: headroom)
    }

    /// The first inside corner whose legend box (plus a margin) covers no pixel of the data.
    private func freeCorner(_ box: (width: Int, height: Int), _ axes: Axes) -> LegendPlacement? {
        var layer = Canvas(width: width, height: height)
        drawSeries(on: &layer, axes)
        let margin = 2 * textScale
        for corner in [LegendPlacement.topRight, .topLeft, .bottomRight, .bottomLeft] {
            let o = legendOrigin(corner, box, axes)
            var covered = false
            for y in max(0, o.y - margin)..<min(height, o.y + box.height + margin) where !covered {
                for x in max(0, o.x - margin)..<min(width, o.x + box.width + margin) where layer.pixel(x: x, y: y) != .white {
                    covered = true
                    break
                }
            }
            if !covered { return corner }
        }
        return nil
    }

    private func legendOrigin(_ placement: LegendPlacement, _ box: (width: Int, height: Int), _ axes: Axes) -> (x: Int, y: Int) {
        let inset = 4 * textScale
        let left = axes.left + inset, right = axes.right - inset - box.width + 1
        let top = axes.top + inset, bottom = axes.bottom - inset - box.height + 1
        switch placement {
        case .topLeft: return (left, top)
        case .bottomRight: return (right, bottom)
        case .bottomLeft: return (left, bottom)
        case .outsideRight: return (axes.right + 4 * textScale + 1, axes.top)
        case .topRight, .automatic, .hidden: return (right, top)
        }
    }

    private func drawLegend(_ entries: [Int], on canvas: inout Canvas, x: Int, y: Int, size: (width: Int, height: Int)) {
        canvas.fillRect(x: x, y: y, width: size.width, height: size.height, .white)
        canvas.drawRect(x: x, y: y, width: size.width, height: size.height, .gray)
        for (row, k) in entries.enumerated() {
            let entry = series[k], color = color(of: k)
            let top = y + legendPad + row * legendRow
            let mid = top + BitmapFont.capHeight * textScale / 2
            let x0 = x + legendPad
            if entry.lineWidth > 0 {
                canvas.drawLine(x0: x0, y0: mid, x1: x0 + legendSample - 1, y1: mid, color, thickness: entry.lineWidth)
            }
            canvas.drawMarker(entry.marker, x: x0 + legendSample / 2, y: mid, radius: markerRadius, color)
            canvas.drawText(entry.label, x: x0 + legendSample + 3 * textScale, y: top, scale: textScale)
        }
    }
}
