/// The symbol drawn at each data point of a series.
public enum Marker: Sendable, CaseIterable {
    case none, circle, square, triangle, diamond, cross
}

/// One curve of a `LinePlot`: points joined by straight lines, optional error bars ±`errors[i]`
/// (e.g. one standard deviation over seeds) and a marker at each point.
public struct Series: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    /// Half-lengths of the error bars (≥ 0), one per point; nil draws none.
    public var errors: [Double]?
    /// nil takes the plot palette's colour for the series' position.
    public var color: Color?
    public var marker: Marker
    /// Line thickness in pixels (0 draws markers only).
    public var lineWidth: Int

    public init(label: String, x: [Double], y: [Double], errors: [Double]? = nil, color: Color? = nil,
                marker: Marker = .circle, lineWidth: Int = 2) {
        precondition(x.count == y.count, "series '\(label)': \(x.count) x values but \(y.count) y values")
        precondition(errors.map { $0.count == y.count } ?? true,
                     "series '\(label)': \(errors?.count ?? 0) error values for \(y.count) points")
        self.label = label
        self.x = x
        self.y = y
        self.errors = errors
        self.color = color
        self.marker = marker
        self.lineWidth = max(0, lineWidth)
    }

    /// Indices of the points with finite coordinates (and finite error, if any).
    var finiteIndices: [Int] {
        x.indices.filter { x[$0].isFinite && y[$0].isFinite && (errors?[$0].isFinite ?? true) }
    }
}

/// Where a plot's legend goes.
public enum LegendPlacement: Sendable {
    /// The first of the inside corners (top right, top left, bottom right, bottom left) whose box
    /// covers no drawn data; outside on the right when every corner would.
    case automatic
    case topRight, topLeft, bottomRight, bottomLeft
    /// To the right of the axes (the plot area shrinks to make room).
    case outsideRight
    case hidden
}

extension LinePlot {
    /// Default series colours: distinct in hue and lightness, chosen for this project to stay
    /// apart for the common colour-vision deficiencies (blue, orange, green-teal, vermilion,
    /// purple, sky, olive, gray).
    public static let palette: [Color] = [
        Color(31, 96, 180), Color(230, 140, 20), Color(20, 150, 115), Color(205, 60, 40),
        Color(125, 75, 170), Color(80, 170, 225), Color(140, 140, 40), Color(100, 100, 100),
    ]
}

extension Canvas {
    /// Draws `marker` centred on (x, y) with the given half-size in pixels.
    public mutating func drawMarker(_ marker: Marker, x: Int, y: Int, radius r: Int, _ color: Color) {
        switch marker {
        case .none:
            break
        case .circle:
            fillCircle(cx: x, cy: y, radius: r, color)
        case .square:
            fillRect(x: x - r + 1, y: y - r + 1, width: 2 * r - 1, height: 2 * r - 1, color)
        case .diamond:
            for dy in -r...r { fillRect(x: x - (r - abs(dy)), y: y + dy, width: 2 * (r - abs(dy)) + 1, height: 1, color) }
        case .triangle:
            // Apex up, base 2r + 1 wide at y + r − 1, height 2r.
            for k in 0..<(2 * r) {
                let half = (k + 1) / 2
                fillRect(x: x - half, y: y - r + k, width: 2 * half + 1, height: 1, color)
            }
        case .cross:
            // Odd thickness keeps the cross symmetric about its centre.
            let arm = max(1, r - 1), t = r > 2 ? 3 : 1
            drawLine(x0: x - arm, y0: y - arm, x1: x + arm, y1: y + arm, color, thickness: t)
            drawLine(x0: x - arm, y0: y + arm, x1: x + arm, y1: y - arm, color, thickness: t)
        }
    }
}
