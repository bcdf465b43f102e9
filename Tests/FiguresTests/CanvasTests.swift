import Figures
import Foundation
import Storage
import XCTest

/// A fresh directory under the system temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let dir = NSTemporaryDirectory() + "FiguresTests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// The set of (x, y) pixels of `canvas` that have `color`.
func pixels(of color: Color, in canvas: Canvas) -> Set<[Int]> {
    var found = Set<[Int]>()
    for y in 0..<canvas.height { for x in 0..<canvas.width where canvas.pixel(x: x, y: y) == color { found.insert([x, y]) } }
    return found
}

final class CanvasTests: XCTestCase {
    func testShallowLineHasOnePixelPerColumnOnTheRoundedIdealLine() {
        var canvas = Canvas(width: 12, height: 6)
        canvas.drawLine(x0: 1, y0: 1, x1: 9, y1: 4, .black)
        let drawn = pixels(of: .black, in: canvas)
        XCTAssertEqual(drawn.count, 9, "one pixel per column from x = 1 to 9")
        for x in 1...9 {
            // Bresenham picks, in each column, the row nearest the ideal line y = 1 + 3(x − 1)/8.
            let ideal = 1 + 3 * Double(x - 1) / 8
            let rows = drawn.filter { $0[0] == x }.map { $0[1] }
            XCTAssertEqual(rows.count, 1)
            XCTAssertLessThanOrEqual(abs(Double(rows[0]) - ideal), 0.5, "column \(x)")
        }
    }

    func testSteepLineIsSymmetricUnderReversal() {
        var forward = Canvas(width: 8, height: 12), backward = Canvas(width: 8, height: 12)
        forward.drawLine(x0: 2, y0: 0, x1: 5, y1: 11, .black)
        backward.drawLine(x0: 5, y0: 11, x1: 2, y1: 0, .black)
        let a = pixels(of: .black, in: forward)
        XCTAssertEqual(a.count, 12, "one pixel per row")
        XCTAssertTrue(a.contains([2, 0]) && a.contains([5, 11]), "both ends drawn")
        // Ties may round the other way when reversed, but never by more than one pixel.
        for p in pixels(of: .black, in: backward) {
            XCTAssertTrue(a.contains(p) || a.contains([p[0] - 1, p[1]]) || a.contains([p[0] + 1, p[1]]))
        }
    }

    func testThickHorizontalLineCoversThicknessRows() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.drawLine(x0: 2, y0: 5, x1: 7, y1: 5, .black, thickness: 3)
        let drawn = pixels(of: .black, in: canvas)
        XCTAssertEqual(Set(drawn.map { $0[1] }), [4, 5, 6])
        XCTAssertEqual(Set(drawn.map { $0[0] }), Set(1...8))
    }

    func testRectanglesAndClipping() {
        var canvas = Canvas(width: 6, height: 5, background: .black)
        canvas.drawRect(x: 1, y: 1, width: 4, height: 3, .white)
        XCTAssertEqual(pixels(of: .white, in: canvas).count, 2 * 4 + 2 * 1, "outline of a 4×3 box")
        XCTAssertEqual(canvas.pixel(x: 2, y: 2), .black, "inside is untouched")
        canvas.fillRect(x: -3, y: 3, width: 100, height: 100, .white)
        XCTAssertEqual(pixels(of: .white, in: canvas).count, 2 * 4 + 2 * 1 - 4 + 6 * 2)
    }

    func testBlitScalesByNearestNeighbour() {
        let image = RasterImage.gray8([0, 255, 128, 64], width: 2, height: 2)
        var canvas = Canvas(width: 8, height: 8, background: Color(1, 2, 3))
        canvas.blit(image, x: 1, y: 2, width: 6, height: 4)
        XCTAssertEqual(canvas.pixel(x: 0, y: 2), Color(1, 2, 3))
        XCTAssertEqual(canvas.pixel(x: 1, y: 2), Color(0, 0, 0))
        XCTAssertEqual(canvas.pixel(x: 3, y: 3), Color(0, 0, 0))
        XCTAssertEqual(canvas.pixel(x: 4, y: 3), Color(255, 255, 255))
        XCTAssertEqual(canvas.pixel(x: 6, y: 5), Color(64, 64, 64))
        XCTAssertEqual(canvas.pixel(x: 1, y: 4), Color(128, 128, 128))
        XCTAssertEqual(canvas.pixel(x: 7, y: 5), Color(1, 2, 3))
        XCTAssertEqual(canvas.pixel(x: 3, y: 6), Color(1, 2, 3))
    }

    func testTextWidthAndPlacement() {
        XCTAssertEqual(BitmapFont.width(of: ""), 0)
        XCTAssertEqual(BitmapFont.width(of: "A"), 5)
        XCTAssertEqual(BitmapFont.width(of: "PSNR", scale: 2), 2 * (4 * 6 - 1))
        var canvas = Canvas(width: 40, height: 20)
        canvas.drawText("HE", x: 20, y: 3, anchor: .topCenter, scale: 2, color: .black)
        let ink = pixels(of: .black, in: canvas)
        let xs = ink.map { $0[0] }, ys = ink.map { $0[1] }
        let w = BitmapFont.width(of: "HE", scale: 2)
        XCTAssertEqual(xs.min(), 20 - w / 2, "H has ink in its first column")
        XCTAssertEqual(xs.max(), 20 - w / 2 + w - 1, "E has ink in its last column")
        XCTAssertEqual(ys.min(), 3)
        XCTAssertEqual(ys.max(), 3 + 2 * BitmapFont.capHeight - 1)
    }

    func testVerticalTextReadsBottomToTop() {
        var canvas = Canvas(width: 20, height: 30)
        canvas.drawText("L", x: 2, y: 25, anchor: TextAnchor(.left, .bottom), color: .black, orientation: .vertical)
        let ink = pixels(of: .black, in: canvas)
        // "L" is a vertical stroke on the left and a foot at the bottom: rotated anticlockwise
        // the stroke becomes the bottom row of the glyph's box and the foot its right column.
        XCTAssertEqual(ink.map { $0[1] }.max(), 24)
        XCTAssertEqual(ink.filter { $0[1] == 24 }.count, BitmapFont.capHeight)
        XCTAssertEqual(ink.filter { $0[0] == 2 + BitmapFont.capHeight - 1 }.count, BitmapFont.glyphWidth)
        XCTAssertEqual(ink.map { $0[0] }.min(), 2)
    }

    func testEveryASCIIGlyphHasInkAndUnknownCharactersDrawABox() {
        for code in 33...126 {
            let c = Character(Unicode.Scalar(UInt8(code)))
            XCTAssertTrue(BitmapFont.hasGlyph(c), "missing \(c)")
            XCTAssertTrue(BitmapFont.glyph(c).contains { $0 != 0 }, "blank glyph for \(c)")
        }
        XCTAssertFalse(BitmapFont.hasGlyph("€"))
        XCTAssertEqual(BitmapFont.glyph("€").filter { $0 == 0x1f }.count, 2)
        // Distinct characters have distinct glyphs (except the deliberately equal dashes and mus).
        var seen = [[UInt8]: Character]()
        for code in 32...126 {
            let c = Character(Unicode.Scalar(UInt8(code)))
            XCTAssertNil(seen[BitmapFont.glyph(c)], "\(c) looks like \(seen[BitmapFont.glyph(c)] ?? " ")")
            seen[BitmapFont.glyph(c)] = c
        }
    }

    func testPNGRoundTripKeepsSizeAndPixels() throws {
        let dir = try makeTemporaryDirectory(self)
        var canvas = Canvas(width: 17, height: 9, background: Color(10, 20, 30))
        canvas.setPixel(x: 16, y: 8, Color(200, 100, 50))
        try canvas.writePNG(to: dir + "/c.png")
        let back = try PNGFile.read(path: dir + "/c.png").image
        XCTAssertEqual(back.width, 17)
        XCTAssertEqual(back.height, 9)
        XCTAssertEqual(back, canvas.rasterImage)
    }
}
