import Figures
import Foundation
import Storage
import TensorCore
import XCTest

/// The four kinds of figure PhaseMask writes, rendered from small synthetic data and read back.
/// Set FIGURES_EXAMPLES_DIR to keep the PNGs for looking at; otherwise they go to a temporary
/// directory that is removed afterwards.
final class ExampleFigureTests: XCTestCase {
    private func outputDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["FIGURES_EXAMPLES_DIR"], !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return dir
        }
        return try makeTemporaryDirectory(self)
    }

    /// Writes `canvas`, reads it back and checks it survived exactly.
    private func writeAndReadBack(_ canvas: Canvas, _ path: String) throws {
        try canvas.writePNG(to: path)
        let back = try PNGFile.read(path: path).image
        XCTAssertEqual(back.width, canvas.width)
        XCTAssertEqual(back.height, canvas.height)
        XCTAssertEqual(back, canvas.rasterImage, path)
    }

    /// A random phase mask, uniform in [0, 2π), `n × n`.
    private func randomMask(_ n: Int, _ generator: inout SeededGenerator) -> Tensor {
        Tensor.uniform([1, 1, n, n], low: 0, high: 2 * .pi, generator: &generator)
    }

    func testPhaseMapOfARandomMask() throws {
        var generator = SeededGenerator(seed: 11)
        let mask = randomMask(32, &generator)
        let figure = FigureGrid(title: "Random phase mask", panels: [[ImagePanel.phase(mask, upscale: 8, caption: "32 × 32, seed 11")]])
        let canvas = figure.render()
        try writeAndReadBack(canvas, try outputDirectory() + "/example-phase-map.png")
        // Each mask pixel is an 8 × 8 block of its phase's colour: find block (0, 0) by its colour.
        let colour = ColorMap.twilightLike.color(Double(mask[0, 0, 0, 0]), in: 0...(2 * .pi))
        let block = try XCTUnwrap(boundingBox(of: colour, in: canvas))
        XCTAssertGreaterThanOrEqual(block[2] - block[0] + 1, 8)
    }

    func testLogScaledDiffractionPatternOfAMaskedScene() throws {
        var generator = SeededGenerator(seed: 12)
        let n = 64
        let mask = randomMask(n, &generator)
        // A disc scene times the mask's phase factor; its CDP is |F(e^{iφ} x)|².
        let field = ComplexField(zeros: [1, 1, n, n])
        for y in 0..<n {
            for x in 0..<n where hypot(Double(x - n / 2), Double(y - n / 2)) < 20 {
                let phi = mask.pointer[y * n + x]
                field[y * n + x] = (cos(phi), sin(phi))
            }
        }
        let spectrum = FFT.forward(field)
        let cdp = Tensor(uninitialized: [1, 1, n, n])
        for i in 0..<n * n { cdp.pointer[i] = spectrum[i].re * spectrum[i].re + spectrum[i].im * spectrum[i].im }
        let figure = FigureGrid(title: "Coded diffraction pattern", columnTitles: ["log scale", "decibels"], panels: [[
            ImagePanel.intensity(cdp, upscale: 4, caption: "ε = 1e−4 · max"),
            ImagePanel.intensity(cdp, scale: .decibels(floor: -40), upscale: 4, caption: "floor −40 dB"),
        ]])
        let canvas = figure.render()
        try writeAndReadBack(canvas, try outputDirectory() + "/example-cdp.png")
        // The brightest sample is drawn in the map's top colour (log and dB alike).
        XCTAssertFalse(pixels(of: ColorMap.viridisLike.color(at: 1), in: canvas).isEmpty)
    }

    func testPlotWithTwoSeriesAndErrorBars() throws {
        let k: [Double] = [1, 2, 3, 4, 6, 8]
        let plot = LinePlot(title: "Teacher PSNR vs number of snapshots", xLabel: "snapshots", yLabel: "PSNR (dB)", series: [
            Series(label: "teacher", x: k, y: k.map { 18 + 6 * (1 - exp(-$0 / 2.5)) }, errors: k.map { 0.3 + 0.05 * $0 }),
            Series(label: "student (1 snapshot)", x: k, y: k.map { 17.5 + 3 * (1 - exp(-$0 / 3)) },
                   errors: k.map { _ in 0.6 }, marker: .square),
        ])
        let canvas = plot.render()
        XCTAssertEqual(canvas.width, 640)
        XCTAssertEqual(canvas.height, 420)
        try writeAndReadBack(canvas, try outputDirectory() + "/example-plot.png")
    }

    func testTwoByFiveReconstructionGrid() throws {
        var generator = SeededGenerator(seed: 13)
        let methods = ["ground truth", "teacher", "random", "E2E", "student"]
        var rows: [[ImagePanel?]] = []
        for r in 0..<2 {
            let truth = Tensor(uninitialized: [1, 1, 28, 28])
            for y in 0..<28 {
                for x in 0..<28 { truth[0, 0, y, x] = (abs(x - 14) < 6 + 3 * r && abs(y - 14) < 10 - 3 * r) ? 0.9 : 0.1 }
            }
            rows.append(methods.indices.map { c in
                guard c > 0 else { return ImagePanel(truth, range: 0...1, upscale: 4) }
                let noisy = Tensor.normal([1, 1, 28, 28], std: 0.05 * Float(c), generator: &generator)
                noisy.accumulate(truth)
                return ImagePanel(noisy, range: 0...1, upscale: 4,
                                  caption: String(format: "PSNR %.1f dB\nSSIM %.2f", 28 - 2.5 * Double(c), 0.9 - 0.06 * Double(c)))
            })
        }
        let figure = FigureGrid(title: "Reconstructions", rowTitles: ["scene 1", "scene 2"], columnTitles: methods, panels: rows)
        let canvas = figure.render()
        try writeAndReadBack(canvas, try outputDirectory() + "/example-grid.png")
        XCTAssertGreaterThan(canvas.width, 5 * 28 * 4)
        XCTAssertGreaterThan(canvas.height, 2 * 28 * 4 + 2 * 2 * BitmapFont.height(scale: 2))
    }
}
