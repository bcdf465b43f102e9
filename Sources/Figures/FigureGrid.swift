/// A figure of image panels in rows and columns, with an optional title, column titles above the
/// columns and row titles to the left of the rows: e.g. reconstructions of several scenes (rows)
/// by ground truth, teacher, random, E2E and student (columns), each with PSNR/SSIM below.
///
/// Columns are as wide as their widest panel or title, rows as tall as their tallest panel;
/// each panel is centred horizontally in its cell and aligned with the top of its row, so the
/// images of a row line up whatever their captions; a row title is centred on the row's images. Row titles are written vertically when they fit the row
/// height, otherwise horizontally in a column of their own.
public struct FigureGrid: Sendable {
    public var title: String?
    public var rowTitles: [String]
    public var columnTitles: [String]
    /// `panels[row][column]`; nil leaves a cell empty. Rows may be shorter than the longest one.
    public var panels: [[ImagePanel?]]
    /// Scale of the title and of the row and column titles.
    public var titleScale: Int
    /// Scale of captions and colour-bar text.
    public var textScale: Int
    /// Space between cells and around the figure, in pixels.
    public var spacing: Int
    public var background: Color

    public init(title: String? = nil, rowTitles: [String] = [], columnTitles: [String] = [],
                panels: [[ImagePanel?]], titleScale: Int = 2, textScale: Int = 2, spacing: Int = 24,
                background: Color = .white) {
        self.title = title
        self.rowTitles = rowTitles
        self.columnTitles = columnTitles
        self.panels = panels
        self.titleScale = max(1, titleScale)
        self.textScale = max(1, textScale)
        self.spacing = max(0, spacing)
        self.background = background
    }

    public var rowCount: Int { max(panels.count, rowTitles.count) }
    public var columnCount: Int { max(panels.map(\.count).max() ?? 0, columnTitles.count) }

    private func panel(_ r: Int, _ c: Int) -> ImagePanel? {
        r < panels.count && c < panels[r].count ? panels[r][c] : nil
    }

    private struct Layout {
        var columnX: [Int] = [], columnWidth: [Int] = []
        var rowY: [Int] = [], rowHeight: [Int] = []
        var verticalRowTitles = true
        var rowTitleX = 0, columnTitleY = 0, titleY = 0
        var width = 0, height = 0
    }

    private func layout() -> Layout {
        var l = Layout()
        let (rows, columns) = (rowCount, columnCount)
        let line = BitmapFont.height(scale: titleScale), gap = spacing / 2
        let sizes = (0..<rows).map { r in (0..<columns).map { c in panel(r, c)?.size(textScale: textScale) ?? (width: 0, height: 0) } }
        l.rowHeight = (0..<rows).map { r in sizes[r].map(\.height).max() ?? 0 }
        l.columnWidth = (0..<columns).map { c in
            max(sizes.map { $0[c].width }.max() ?? 0,
                c < columnTitles.count ? BitmapFont.width(of: columnTitles[c], scale: titleScale) : 0)
        }
        let titleWidths = rowTitles.map { BitmapFont.width(of: $0, scale: titleScale) }
        l.verticalRowTitles = zip(titleWidths, l.rowHeight).allSatisfy { $0 <= $1 }
        let rowTitleBlock = rowTitles.isEmpty ? 0
            : (l.verticalRowTitles ? line : (titleWidths.max() ?? 0)) + gap
        var y = spacing
        if let title, !title.isEmpty {
            l.titleY = y
            y += line + spacing
        }
        if !columnTitles.isEmpty {
            l.columnTitleY = y
            y += line + gap
        }
        l.rowTitleX = spacing
        var x = spacing + rowTitleBlock
        for w in l.columnWidth {
            l.columnX.append(x)
            x += w + spacing
        }
        for h in l.rowHeight {
            l.rowY.append(y)
            y += h + spacing
        }
        let titleWidth = BitmapFont.width(of: title ?? "", scale: titleScale) + 2 * spacing
        l.width = max(x, titleWidth)
        l.height = y
        return l
    }

    /// The figure drawn on a new canvas.
    public func render() -> Canvas {
        let l = layout()
        var canvas = Canvas(width: max(1, l.width), height: max(1, l.height), background: background)
        if let title, !title.isEmpty {
            canvas.drawText(title, x: l.width / 2, y: l.titleY, anchor: .topCenter, scale: titleScale)
        }
        for (c, name) in columnTitles.enumerated() where c < l.columnX.count {
            canvas.drawText(name, x: l.columnX[c] + l.columnWidth[c] / 2, y: l.columnTitleY, anchor: .topCenter,
                            scale: titleScale)
        }
        for r in 0..<rowCount {
            if r < rowTitles.count {
                // Centred on the row's first image, else on the row.
                let image = (0..<columnCount).lazy.compactMap { panel(r, $0) }.first?.imageFrame(textScale: textScale)
                let midY = l.rowY[r] + (image.map { $0.y + $0.height / 2 } ?? l.rowHeight[r] / 2)
                if l.verticalRowTitles {
                    canvas.drawText(rowTitles[r], x: l.rowTitleX, y: midY, anchor: .centerLeft, scale: titleScale,
                                    orientation: .vertical)
                } else {
                    canvas.drawText(rowTitles[r], x: l.rowTitleX, y: midY, anchor: .centerLeft, scale: titleScale)
                }
            }
            for c in 0..<columnCount {
                guard let p = panel(r, c) else { continue }
                let size = p.size(textScale: textScale)
                p.draw(on: &canvas, x: l.columnX[c] + (l.columnWidth[c] - size.width) / 2,
                       y: l.rowY[r], textScale: textScale)
            }
        }
        return canvas
    }

    /// Renders the figure and writes it as an RGB PNG (atomically).
    public func writePNG(to path: String) throws { try render().writePNG(to: path) }
}
