import Figures
import Foundation
import Storage
import TensorCore
import XCTest

/// Bounding box (minX, minY, maxX, maxY) of the pixels of `color`, or nil.
func boundingBox(of color: Color, in canvas: Canvas) -> [Int]? {
    let found = pixels(of: color, in: canvas)
    guard !found.isEmpty else { return nil }
    return [found.map { $0[0] }.min()!, found.map { $0[1] }.min()!, found.map { $0[0] }.max()!, found.map { $0[1] }.max()!]
}

final class PanelTests: XCTestCase {
    func testPanelColoursEachValueThroughTheMapAndRange() {
        let t = Tensor([0, 0.25, 0.5, 1, 2, -1], shape: [1, 1, 2, 3])
        let panel = ImagePanel(t, map: .gray, range: 0...1)
        let image = panel.coloredImage()
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.pixel(x: 0, y: 0), .black)
        XCTAssertEqual(image.pixel(x: 1, y: 0), ColorMap.gray.color(at: 0.25))
        XCTAssertEqual(image.pixel(x: 0, y: 1), .white)
        XCTAssertEqual(image.pixel(x: 1, y: 1), .white, "above the range is clamped")
        XCTAssertEqual(image.pixel(x: 2, y: 1), .black, "below the range is clamped")
        // Without a range the data's own minimum and maximum span the map.
        let auto = ImagePanel(t, map: .gray).coloredImage()
        XCTAssertEqual(auto.pixel(x: 2, y: 1), .black)
        XCTAssertEqual(auto.pixel(x: 1, y: 1), .white)
    }

    func testPhasePanelWrapsModuloTwoPi() {
        let t = Tensor([0.5, 0.5 + 2 * .pi, 0.5 - 4 * .pi, 3], shape: [2, 2])
        let image = ImagePanel.phase(t).coloredImage()
        XCTAssertEqual(image.pixel(x: 0, y: 0), image.pixel(x: 1, y: 0))
        XCTAssertEqual(image.pixel(x: 0, y: 0), image.pixel(x: 0, y: 1))
        XCTAssertNotEqual(image.pixel(x: 0, y: 0), image.pixel(x: 1, y: 1))
    }

    func testCentringZeroFrequencyMovesIndexZeroToTheMiddle() {
        for (h, w) in [(4, 6), (5, 3)] {
            var values = [Float](repeating: 0, count: h * w)
            values[0] = 1
            values[w + 1] = 2   // frequency (1, 1)
            let shifted = ImagePanel(values: values, height: h, width: w).centringZeroFrequency().values
            XCTAssertEqual(shifted[(h / 2) * w + w / 2], 1, "\(h)×\(w)")
            XCTAssertEqual(shifted[(h / 2 + 1) * w + w / 2 + 1], 2, "\(h)×\(w)")
            XCTAssertEqual(shifted.reduce(0, +), 3)
        }
    }

    func testPanelSizeAccountsForUpscaleCaptionAndColorBar() {
        let t = Tensor(repeating: 0.5, shape: [8, 10])
        XCTAssertEqual(ImagePanel(t, upscale: 3).size(textScale: 2).width, 30)
        XCTAssertEqual(ImagePanel(t, upscale: 3).size(textScale: 2).height, 24)
        let captioned = ImagePanel(t, upscale: 3, caption: "PSNR 23.1 dB\nSSIM 0.79").size(textScale: 2)
        XCTAssertEqual(captioned.width, BitmapFont.width(of: "PSNR 23.1 dB", scale: 2), "the caption is wider")
        XCTAssertGreaterThanOrEqual(captioned.height, 24 + 2 * BitmapFont.height(scale: 2))
        let barred = ImagePanel(t, upscale: 3, showsColorBar: true).size(textScale: 1)
        XCTAssertGreaterThan(barred.width, 30 + 12)
    }

    func testGridPlacesPanelsInRowsAndColumnsWithAlignedTops() throws {
        let colours = [[Color(200, 30, 30), Color(30, 200, 30), Color(30, 30, 200)], [Color(200, 200, 30), Color(30, 200, 200), Color(200, 30, 200)]]
        // Constant panels on a map that paints everything one colour; captions only on some.
        let panels: [[ImagePanel?]] = colours.enumerated().map { r, row in
            row.enumerated().map { c, colour in
                ImagePanel(values: [1, 1, 1, 1], height: 2, width: 2, map: ColorMap(name: "solid", cyclic: false) { _ in colour },
                           upscale: 5 + c, caption: c == 1 ? "c\(c)" : nil)
            }
        }
        let grid = FigureGrid(title: "Title", rowTitles: ["a", "b"], columnTitles: ["x", "y", "z"], panels: panels)
        let canvas = grid.render()
        let boxes = try colours.map { try $0.map { try XCTUnwrap(boundingBox(of: $0, in: canvas)) } }
        for r in 0..<2 {
            for c in 0..<3 {
                let b = boxes[r][c]
                XCTAssertEqual(b[2] - b[0] + 1, 2 * (5 + c), "width of panel \(r),\(c)")
                XCTAssertEqual(b[3] - b[1] + 1, 2 * (5 + c), "height of panel \(r),\(c)")
                if c > 0 { XCTAssertGreaterThan(b[0], boxes[r][c - 1][2], "columns left to right") }
                if c > 0 { XCTAssertEqual(b[1], boxes[r][0][1], "tops aligned in row \(r)") }
                if r > 0 { XCTAssertGreaterThan(b[1], boxes[r - 1][c][3] + BitmapFont.height(scale: 2), "rows top to bottom, caption room") }
            }
        }
        let ink = try XCTUnwrap(boundingBox(of: .black, in: canvas))
        XCTAssertGreaterThan(ink[0], 0, "text not clipped on the left")
        XCTAssertLessThan(ink[2], canvas.width - 1)
        XCTAssertGreaterThan(ink[1], 0)
        XCTAssertLessThan(ink[3], canvas.height - 1)
        XCTAssertLessThan(ink[1], boxes[0][0][1], "title above the panels")
    }

    func testGridWritesAPNGOfItsSize() throws {
        let dir = try makeTemporaryDirectory(self)
        let grid = FigureGrid(panels: [[ImagePanel(Tensor(repeating: 1, shape: [3, 4]), upscale: 2)]], spacing: 5)
        try grid.writePNG(to: dir + "/grid.png")
        let back = try PNGFile.read(path: dir + "/grid.png").image
        XCTAssertEqual(back.width, 4 * 2 + 2 * 5)
        XCTAssertEqual(back.height, 3 * 2 + 2 * 5)
        XCTAssertEqual(back, grid.render().rasterImage)
    }
}
