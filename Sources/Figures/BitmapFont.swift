/// A fixed-width 5 × 9 pixel bitmap font: printable ASCII plus ± φ π σ ε λ Δ µ ° ² × · − – ≈ … ∈ ≤ ≥
/// (glyph data in FontGlyphs.swift). Characters it lacks are drawn as an empty box.
///
/// At scale s every character advances `6 s` pixels (5 of ink, 1 of space); capitals are `7 s`
/// pixels tall and descenders reach `2 s` further, so a line of text is `9 s` pixels tall.
public enum BitmapFont {
    /// Ink columns per glyph at scale 1.
    public static let glyphWidth = 5
    /// Horizontal advance per character at scale 1.
    public static let advance = 6
    /// Height of capitals and digits at scale 1 (rows above the baseline).
    public static let capHeight = 7
    /// Height of a line, descenders included, at scale 1.
    public static let lineHeight = 9

    /// Row masks of each glyph, 9 rows, top first; bit 4 is the leftmost column.
    private static let bitmaps: [Character: [UInt8]] = glyphRows.mapValues(parse)
    private static let missing: [UInt8] = parse(missingGlyphRows)

    private static func parse(_ text: String) -> [UInt8] {
        var rows = text.split(separator: " ").map { row -> UInt8 in
            precondition(row.count == glyphWidth, "glyph row '\(row)' is not \(glyphWidth) pixels wide")
            return row.reduce(0) { ($0 << 1) | ($1 == "#" ? 1 : 0) }
        }
        precondition(rows.count <= lineHeight, "glyph '\(text)' has more than \(lineHeight) rows")
        rows += Array(repeating: 0, count: lineHeight - rows.count)
        return rows
    }

    /// True when the font has a glyph for `character` (otherwise it draws a box).
    public static func hasGlyph(_ character: Character) -> Bool { bitmaps[character] != nil }

    /// The 9 row masks of `character`'s glyph (bit 4 = leftmost column), the box if missing.
    public static func glyph(_ character: Character) -> [UInt8] { bitmaps[character] ?? missing }

    /// Width in pixels of `text` drawn at `scale`: `advance · count − 1` pixels, times the scale
    /// (no trailing space after the last character); 0 for the empty string.
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (advance * text.count - 1) * scale
    }

    /// Height of one line at `scale`, descenders included.
    public static func height(scale: Int = 1) -> Int { lineHeight * scale }
}

/// How a string runs across the canvas.
public enum TextOrientation: Sendable {
    /// Left to right.
    case horizontal
    /// Rotated 90° anticlockwise: reads bottom to top with the tops of the letters facing left
    /// (the usual y-axis label).
    case vertical
}

/// Which point of a text's bounding box is placed at the given (x, y).
///
/// The box is the drawn text's extent on the canvas (after rotation for vertical text): for
/// horizontal text `width(of:) × lineHeight·scale`, for vertical text the transpose.
public struct TextAnchor: Equatable, Sendable {
    public enum Horizontal: Sendable { case left, center, right }
    /// `middle` is the centre of the box, except for horizontal text, where it is the centre of the
    /// capitals (rows 0–6), which is where the eye puts the middle of a label.
    public enum Vertical: Sendable { case top, middle, bottom }

    public var horizontal: Horizontal
    public var vertical: Vertical

    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    public static let topLeft = TextAnchor(.left, .top)
    public static let topCenter = TextAnchor(.center, .top)
    public static let topRight = TextAnchor(.right, .top)
    public static let centerLeft = TextAnchor(.left, .middle)
    public static let center = TextAnchor(.center, .middle)
    public static let centerRight = TextAnchor(.right, .middle)
    public static let bottomCenter = TextAnchor(.center, .bottom)
}

extension Canvas {
    /// Size (width, height) in canvas pixels of `text` drawn with `scale` and `orientation`.
    public static func textSize(_ text: String, scale: Int = 1,
                                orientation: TextOrientation = .horizontal) -> (width: Int, height: Int) {
        let along = BitmapFont.width(of: text, scale: scale), across = BitmapFont.height(scale: scale)
        return orientation == .horizontal ? (along, across) : (across, along)
    }

    /// Draws one line of `text` in the bitmap font, each font pixel a `scale × scale` square, with
    /// the `anchor` point of its bounding box at (x, y). Clipped at the canvas edges.
    public mutating func drawText(_ text: String, x: Int, y: Int, anchor: TextAnchor = .topLeft, scale: Int = 1,
                                  color: Color = .black, orientation: TextOrientation = .horizontal) {
        let s = max(1, scale)
        let size = Canvas.textSize(text, scale: s, orientation: orientation)
        var left = x, top = y
        switch anchor.horizontal {
        case .left: break
        case .center: left -= size.width / 2
        case .right: left -= size.width
        }
        switch (anchor.vertical, orientation) {
        case (.top, _): break
        case (.middle, .horizontal): top -= BitmapFont.capHeight * s / 2
        case (.middle, .vertical): top -= size.height / 2
        case (.bottom, _): top -= size.height
        }
        for (k, character) in text.enumerated() {
            let rows = BitmapFont.glyph(character)
            for (v, mask) in rows.enumerated() where mask != 0 {
                for u in 0..<BitmapFont.glyphWidth where mask & (0x10 >> UInt8(u)) != 0 {
                    let along = (k * BitmapFont.advance + u) * s
                    switch orientation {
                    case .horizontal:
                        fillRect(x: left + along, y: top + v * s, width: s, height: s, color)
                    case .vertical:
                        fillRect(x: left + v * s, y: top + size.height - along - s, width: s, height: s, color)
                    }
                }
            }
        }
    }
}
