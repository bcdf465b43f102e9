import Foundation

/// The plot area of a `LinePlot` (inclusive pixel bounds), its data ranges and its ticks.
struct Axes {
    var left = 0, top = 0, right = 0, bottom = 0
    var x: ClosedRange<Double> = 0...1
    var y: ClosedRange<Double> = 0...1
    var xTicks: [Tick] = []
    var yTicks: [Tick] = []

    /// Canvas column of data value `v` (left edge = lower bound, right edge = upper bound).
    func px(_ v: Double) -> Double {
        Double(left) + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * Double(right - left)
    }

    /// Canvas row of data value `v` (bottom edge = lower bound).
    func py(_ v: Double) -> Double {
        Double(bottom) - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * Double(bottom - top)
    }

    func contains(_ cx: Double, _ cy: Double) -> Bool {
        cx >= Double(left) - 0.5 && cx <= Double(right) + 0.5 && cy >= Double(top) - 0.5 && cy <= Double(bottom) + 0.5
    }

    /// The part of the segment (x0, y0)–(x1, y1) inside the plot area (Liang–Barsky), or nil.
    func clip(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> (Double, Double, Double, Double)? {
        let dx = x1 - x0, dy = y1 - y0
        var t0 = 0.0, t1 = 1.0
        let edges = [(-dx, x0 - Double(left)), (dx, Double(right) - x0), (-dy, y0 - Double(top)), (dy, Double(bottom) - y0)]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 { t0 = max(t0, r) } else { t1 = min(t1, r) }
            }
        }
        guard t0 <= t1 else { return nil }
        return (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy)
    }
}

extension LinePlot {
    private var gap: Int { 3 * textScale }
    private var tickLength: Int { 3 * textScale }
    private var margin: Int { 6 * textScale }
    private var line: Int { BitmapFont.height(scale: textScale) }

    /// The finite data extent along x (or y, error bars included); nil without data.
    private func extent(alongX: Bool) -> ClosedRange<Double>? {
        var values: [Double] = []
        for s in series {
            for i in s.finiteIndices {
                if alongX { values.append(s.x[i]); continue }
                let e = abs(s.errors?[i] ?? 0)
                values += [s.y[i] - e, s.y[i] + e]
            }
        }
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return lo...hi
    }

    /// The axis range: `fixed`, else the data extent padded by 5 % a side (a point widened).
    private func range(fixed: ClosedRange<Double>?, alongX: Bool) -> ClosedRange<Double> {
        if let fixed, fixed.upperBound > fixed.lowerBound { return fixed }
        guard let e = extent(alongX: alongX) else { return 0...1 }
        let span = e.upperBound - e.lowerBound
        let pad = span > 0 ? 0.05 * span : max(abs(e.lowerBound) * 0.1, 0.5)
        return (e.lowerBound - pad)...(e.upperBound + pad)
    }

    private func inside(_ ticks: [Tick], _ r: ClosedRange<Double>) -> [Tick] {
        let tolerance = 1e-9 * (r.upperBound - r.lowerBound)
        return ticks.filter { $0.value >= r.lowerBound - tolerance && $0.value <= r.upperBound + tolerance }
    }

    /// True when every x value of every series is a whole number (counts such as snapshots).
    private var wholeNumberX: Bool {
        let xs = series.flatMap { s in s.finiteIndices.map { s.x[$0] } }
        return !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
    }

    /// Lays out the plot area; `legendWidth` pixels are kept free on the right for a legend, and
    /// with an automatic y range the top `headroom` pixels of the plot area are kept free of data.
    func makeAxes(legendWidth: Int, headroom: Int = 0) -> Axes {
        var a = Axes()
        a.top = margin + (title.map { $0.isEmpty ? 0 : line + margin } ?? 0)
        a.bottom = height - 1 - margin - (xLabel.isEmpty ? 0 : line + gap) - line - gap - tickLength
        a.x = range(fixed: xRange, alongX: true)
        a.y = range(fixed: yRange, alongX: false)
        if headroom > 0 && yRange == nil, let e = extent(alongX: false) {
            // Raise the upper bound U until (U − max) / (U − lower) = headroom / plot height.
            let f = min(Double(headroom) / Double(max(1, a.bottom - a.top)), 0.9)
            a.y = a.y.lowerBound...max(a.y.upperBound, (e.upperBound - f * a.y.lowerBound) / (1 - f))
        }
        let yTarget = max(2, (a.bottom - a.top) / (3 * line))
        a.yTicks = inside(yTicks ?? NiceTicks.ticks(lower: a.y.lowerBound, upper: a.y.upperBound, targetCount: yTarget), a.y)
        let yLabelWidth = a.yTicks.map { BitmapFont.width(of: $0.label, scale: textScale) }.max() ?? 0
        a.left = margin + (yLabel.isEmpty ? 0 : line + 2 * gap) + yLabelWidth + gap + tickLength
        // The last x tick label may stick out past the frame by half its width.
        let halfLabel = BitmapFont.width(of: NiceTicks.label(a.x.upperBound, step: 1), scale: textScale) / 2
        a.right = width - 1 - margin - max(legendWidth, halfLabel)
        a.xTicks = inside(xTicks ?? fittingXTicks(a), a.x)
        return a
    }

    /// The most nice x ticks (at most about one per 60 pixels) whose labels keep two characters
    /// apart; on an axis too short for two labels, a single tick.
    private func fittingXTicks(_ a: Axes) -> [Tick] {
        let minimumStep = wholeNumberX ? 1.0 : 0
        func fits(_ ticks: [Tick]) -> Bool {
            zip(ticks, ticks.dropFirst()).allSatisfy { p, q in
                let room = a.px(q.value) - a.px(p.value)
                let need = Double(BitmapFont.width(of: p.label, scale: textScale) + BitmapFont.width(of: q.label, scale: textScale)) / 2
                return room >= need + Double(2 * BitmapFont.advance * textScale)
            }
        }
        var ticks: [Tick] = []
        for target in stride(from: max(1, (a.right - a.left) / 60), through: 1, by: -1) {
            ticks = inside(NiceTicks.ticks(lower: a.x.lowerBound, upper: a.x.upperBound, targetCount: target,
                                           minimumStep: minimumStep), a.x)
            if fits(ticks) { return ticks }
        }
        return Array(ticks.prefix(1))
    }

    /// Grid lines, the frame, tick marks and labels, axis labels and the title.
    func drawFrameAndTicks(on canvas: inout Canvas, _ a: Axes) {
        let s = textScale
        for t in a.xTicks {
            let x = Int(a.px(t.value).rounded())
            if showsGrid { canvas.fillRect(x: x, y: a.top, width: 1, height: a.bottom - a.top, .lightGray) }
            canvas.fillRect(x: x, y: a.bottom + 1, width: 1, height: tickLength, .darkGray)
            canvas.drawText(t.label, x: x, y: a.bottom + 1 + tickLength + gap, anchor: .topCenter, scale: s)
        }
        for t in a.yTicks {
            let y = Int(a.py(t.value).rounded())
            if showsGrid { canvas.fillRect(x: a.left, y: y, width: a.right - a.left, height: 1, .lightGray) }
            canvas.fillRect(x: a.left - tickLength, y: y, width: tickLength, height: 1, .darkGray)
            canvas.drawText(t.label, x: a.left - tickLength - gap, y: y, anchor: .centerRight, scale: s)
        }
        canvas.drawRect(x: a.left, y: a.top, width: a.right - a.left + 1, height: a.bottom - a.top + 1, .darkGray)
        let midX = (a.left + a.right) / 2, midY = (a.top + a.bottom) / 2
        if !xLabel.isEmpty {
            canvas.drawText(xLabel, x: midX, y: height - margin, anchor: TextAnchor(.center, .bottom), scale: s)
        }
        if !yLabel.isEmpty {
            canvas.drawText(yLabel, x: margin, y: midY, anchor: TextAnchor(.left, .middle), scale: s, orientation: .vertical)
        }
        if let title, !title.isEmpty {
            let w = BitmapFont.width(of: title, scale: s)
            let x = min(max(midX, margin + w / 2), width - margin - (w + 1) / 2)
            canvas.drawText(title, x: x, y: margin, anchor: .topCenter, scale: s)
        }
    }
}
