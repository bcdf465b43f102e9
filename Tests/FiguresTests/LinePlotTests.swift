@testable import Figures
import Foundation
import Storage
import XCTest

final class LinePlotTests: XCTestCase {
    let red = Color(220, 0, 0), blue = Color(0, 0, 220)

    func testPointsLandWhereTheAxesPutThemAndOutsideDataIsClipped() {
        let plot = LinePlot(series: [Series(label: "", x: [0, 5, 10, 20], y: [0, 5, 10, -7], color: red, marker: .square)],
                            width: 300, height: 200, xRange: 0...10, yRange: 0...10)
        let axes = plot.makeAxes(legendWidth: 0)
        let canvas = plot.render()
        for v in [0.0, 5, 10] {
            XCTAssertEqual(canvas.pixel(x: Int(axes.px(v).rounded()), y: Int(axes.py(v).rounded())), red, "point (\(v), \(v))")
        }
        XCTAssertEqual(Int(axes.px(0).rounded()), axes.left)
        XCTAssertEqual(Int(axes.py(10).rounded()), axes.top)
        // The segment towards (20, −7) leaves through the frame: nothing red right of or below it.
        for (x, y) in pixels(of: red, in: canvas).map({ ($0[0], $0[1]) }) where !(x <= axes.right + 4 && y >= axes.top - 4) {
            XCTFail("red pixel at (\(x), \(y)) outside the plot area")
        }
        XCTAssertTrue(pixels(of: red, in: canvas).allSatisfy { $0[1] <= axes.bottom + 4 })
    }

    func testWholeNumberXGetsWholeNumberTicksThatDoNotOverlap() {
        let series = [Series(label: "a", x: [1, 2, 3, 4], y: [0.61, 0.7, 0.75, 0.8])]
        let axes = LinePlot(series: series).makeAxes(legendWidth: 0)
        XCTAssertEqual(axes.xTicks.map(\.value), [1, 2, 3, 4])
        XCTAssertEqual(axes.xTicks.map(\.label), ["1", "2", "3", "4"])
        XCTAssertTrue(axes.yTicks.count >= 3)
        // A narrow plot with long labels thins its ticks until the labels keep apart.
        let wide = [Series(label: "b", x: [0, 2_500_000], y: [0, 1])]
        for width in [160, 240, 400, 640] {
            let plot = LinePlot(series: wide, width: width, textScale: 2)
            let a = plot.makeAxes(legendWidth: 0)
            // At 160 pixels the axis is about 35 pixels long: room for one label only.
            XCTAssertGreaterThanOrEqual(a.xTicks.count, width < 200 ? 1 : 2, "width \(width)")
            for (p, q) in zip(a.xTicks, a.xTicks.dropFirst()) {
                let room = a.px(q.value) - a.px(p.value)
                let need = Double(BitmapFont.width(of: p.label, scale: 2) + BitmapFont.width(of: q.label, scale: 2)) / 2
                XCTAssertGreaterThan(room, need, "labels \(p.label) and \(q.label) overlap at width \(width)")
            }
        }
    }

    func testErrorBarsWidenTheAutomaticRange() {
        let plot = LinePlot(series: [Series(label: "", x: [0, 1], y: [10, 12], errors: [3, 1])])
        let a = plot.makeAxes(legendWidth: 0)
        XCTAssertLessThan(a.y.lowerBound, 7)
        XCTAssertGreaterThan(a.y.upperBound, 13)
    }

    /// Bounding box of the legend's gray frame.
    private func legendBox(_ canvas: Canvas) throws -> [Int] { try XCTUnwrap(boundingBox(of: .gray, in: canvas)) }

    func testAutomaticLegendAvoidsTheData() throws {
        let x = Array(0..<10).map(Double.init)
        // Rising data fills the top right: the legend goes top left.
        let rising = LinePlot(series: [Series(label: "rising", x: x, y: x.map { $0 * $0 }, color: red)])
        let risingCanvas = rising.render()
        let box = try legendBox(risingCanvas)
        XCTAssertLessThan(box[2], risingCanvas.width / 2)
        XCTAssertLessThan(box[3], risingCanvas.height / 2)
        // Data in every corner: headroom is added above it, and the legend sits above the data.
        let zigzag = LinePlot(series: [Series(label: "zigzag", x: x, y: x.map { $0.truncatingRemainder(dividingBy: 2) * 10 },
                                              errors: x.map { _ in 1 }, color: red),
                                       Series(label: "flat", x: x, y: x.map { _ in 5 }, color: blue)])
        let canvas = zigzag.render()
        let frame = try legendBox(canvas)
        let data = pixels(of: red, in: canvas).union(pixels(of: blue, in: canvas))
        let outsideLegend = data.filter { !($0[0] >= frame[0] && $0[0] <= frame[2] && $0[1] >= frame[1] && $0[1] <= frame[3]) }
        XCTAssertGreaterThan(outsideLegend.map { $0[1] }.min()!, frame[3], "all data below the legend")
        let axes = zigzag.makeAxes(legendWidth: 0)
        XCTAssertGreaterThan(frame[0], axes.left, "legend inside the axes")
    }

    func testLegendGoesOutsideWhenHeadroomWouldWasteThePlot() throws {
        let x = Array(0..<10).map(Double.init)
        let many = (0..<8).map { k in Series(label: "series \(k)", x: x, y: x.map { ($0 + Double(k)).truncatingRemainder(dividingBy: 3) }) }
        let plot = LinePlot(series: many, width: 640, height: 300, yRange: 0...2)
        let canvas = plot.render()
        let frame = try legendBox(canvas)
        let inside = plot.makeAxes(legendWidth: 0)
        XCTAssertGreaterThan(frame[0], plot.makeAxes(legendWidth: frame[2] - frame[0] + 8).right, "legend right of the axes")
        XCTAssertLessThan(frame[2], canvas.width, "legend fits on the canvas")
        XCTAssertLessThan(frame[0], inside.right, "the axes shrank to make room")
    }

    func testEveryMarkerIsDrawnCentredAndSymmetric() {
        for marker in Marker.allCases where marker != .none {
            var canvas = Canvas(width: 21, height: 21)
            canvas.drawMarker(marker, x: 10, y: 10, radius: 4, red)
            let ink = pixels(of: red, in: canvas)
            XCTAssertTrue(ink.contains([10, 10]) || marker == .triangle && ink.contains([10, 9]), "\(marker) covers its centre")
            XCTAssertEqual(Set(ink.map { 20 - $0[0] }), Set(ink.map { $0[0] }), "\(marker) symmetric left–right")
            XCTAssertTrue(ink.allSatisfy { abs($0[0] - 10) <= 5 && abs($0[1] - 10) <= 5 }, "\(marker) within its radius")
        }
    }

    func testPlotPNGHasTheRequestedSize() throws {
        let dir = try makeTemporaryDirectory(self)
        let plot = LinePlot(title: "PSNR vs snapshots", xLabel: "snapshots", yLabel: "PSNR (dB)",
                            series: [Series(label: "teacher", x: [1, 2, 4], y: [20, 22, 23], errors: [0.5, 0.4, 0.3])])
        try plot.writePNG(to: dir + "/plot.png")
        let back = try PNGFile.read(path: dir + "/plot.png").image
        XCTAssertEqual(back.width, 640)
        XCTAssertEqual(back.height, 420)
        XCTAssertEqual(back, plot.render().rasterImage)
    }
}
