import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

/// Camera frames → CDPs: dark and flat arithmetic, the centred and binned window, and frames written by
/// `FrameRendering` read back to the CDPs they came from.
final class FrameImportTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "phasemask-frames-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func frame(_ counts: [Float], width: Int = 2, name: String, bits: Int = 16) -> CameraFrame {
        CameraFrame(path: name, width: width, height: counts.count / width, counts: counts, bits: bits,
                    fullScale: Float((1 << bits) - 1), storage: "test")
    }

    /// corrected = (raw − dark)/g, g = (flat − dark)/mean(flat − dark), by hand:
    /// flat − dark = 100, 200, 100, 200 (mean 150) → g = 2/3, 4/3, 2/3, 4/3; raw − dark = 100, 200, 50, 90.
    func testDarkAndFlatArithmetic() throws {
        let raw = frame([110, 210, 60, 100], name: "raw"), dark = frame([10, 10, 10, 10], name: "dark")
        let flat = frame([110, 210, 110, 210], name: "flat")
        let both = try FrameCorrection(dark: dark, flat: flat).apply(raw)
        for (got, want) in zip(both, [150, 150, 75, 67.5] as [Float]) { XCTAssertEqual(got, want, accuracy: 1e-4) }
        XCTAssertEqual(try FrameCorrection(dark: dark).apply(raw), [100, 200, 50, 90])
        // Without a dark frame the flat is its own gain: 110, 210, 110, 210 over their mean 160.
        let flatOnly = try FrameCorrection(flat: flat).apply(raw)
        for (got, want) in zip(flatOnly, [160, 160, 60 * 160 / 110, 100 * 160 / 210] as [Float]) { XCTAssertEqual(got, want, accuracy: 1e-3) }
        XCTAssertEqual(try FrameCorrection().apply(raw), raw.counts)
        // Below the dark frame the signal stays negative (no clipping bias).
        XCTAssertEqual(try FrameCorrection(dark: frame([120, 10, 10, 10], name: "d2")).apply(raw)[0], -10)
    }

    func testBadCalibrationFramesAreRefusedNamingThem() throws {
        let raw = frame([110, 210, 60, 100], name: "raw")
        XCTAssertThrowsError(try FrameCorrection(dark: frame([1, 2, 3, 4, 5, 6], name: "dark6")).apply(raw)) { error in
            XCTAssertEqual("\(error)", "dark6: is 2×3 pixels; the frame raw is 2×2")
        }
        XCTAssertThrowsError(try FrameCorrection(dark: frame([10, 10, 10, 10], name: "dark"), flat: frame([110, 210, 10, 210], name: "flat"))) {
            XCTAssertTrue("\($0)".hasPrefix("flat: the flat field at row 1, column 0 (10.0 counts) is not above the dark frame"), "\($0)")
        }
        XCTAssertThrowsError(try FrameCorrection(flat: frame([0, 0, 0, 0], name: "black"))) {
            XCTAssertTrue("\($0)".hasPrefix("black: the flat field's mean"), "\($0)")
        }
    }

    /// render then grid is the identity; the zero frequency sits in the middle of the window; the window
    /// with the most light is found; saturation flags are ORed over each block.
    func testGeometryRoundTripCentringAndSearch() throws {
        let g = FrameGeometry(gridHeight: 5, gridWidth: 6, bin: 3, left: 4, top: 2)
        var rng = SeededGenerator(seed: 3)
        let y = (0..<30).map { _ in Float.random(in: 0.5...2, using: &rng) }
        let sensor = g.render(y, width: 25, height: 22)
        for (got, want) in zip(g.grid(from: sensor, width: 25), y) { XCTAssertEqual(got, want, accuracy: 1e-5) }
        // y[0] (zero frequency) lands at grid pixel (⌊5/2⌋, ⌊6/2⌋) = (2, 3): sensor row 2 + 6, column 4 + 9.
        XCTAssertEqual(sensor[(2 + 2 * 3) * 25 + 4 + 3 * 3], y[0] / 9, accuracy: 1e-6)
        XCTAssertEqual(sensor[0], 0)
        let found = FrameGeometry.brightestWindow(sensor, width: 25, height: 22, windowWidth: 18, windowHeight: 15)
        XCTAssertEqual([found.left, found.top], [4, 2])
        var flags = [Bool](repeating: false, count: 25 * 22)
        flags[(2 + 2 * 3 + 1) * 25 + 4 + 3 * 3 + 2] = true   // inside the block of y[0]
        XCTAssertEqual(g.grid(from: flags, width: 25).enumerated().filter { $0.element }.map(\.offset), [0])
        XCTAssertEqual(g.crop, [4, 2, 18, 15])
    }

    /// Frames from `FrameRendering` — 16-bit, and 12-bit left-justified on a black level with its dark
    /// frame, binned and offset on a larger sensor — come back as the CDPs, normalized to Σ = H·W.
    func testRenderedFramesImportToTheirCDPs() throws {
        let (h, w, l) = (6, 5, 2)
        let phi = Tensor((0..<(l * h * w)).map { Float($0 % 7) * 0.9 }, shape: [l, h, w])
        let x = try SceneModel.standard.field(Tensor((0..<(h * w)).map { Float($0 % 4) / 3 }, shape: [1, 1, h, w]))
        let cdp = try SensingModel(oversampling: 2).measure(x, masks: phi)
        for (bits, dark, tolerance) in [(16, 0.0, 2e-4), (12, 150.0, 4e-3)] {
            var r = FrameRendering()
            (r.bits, r.bin, r.sensor, r.offset, r.darkLevel) = (bits, 2, (31, 29), (3, 1), dark)
            let files = try r.write(cdp, to: dir + "/f\(bits).tif")
            XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent },
                           ["f\(bits)_b0_l0.tif", "f\(bits)_b0_l1.tif"] + (dark > 0 ? ["f\(bits)_dark.tif"] : []))
            var o = FrameImport.Options(frames: Array(files.prefix(2)))
            (o.bin, o.dark) = (2, dark > 0 ? files[2] : nil)
            let m = try FrameImport.measure(o, sceneHeight: h, sceneWidth: w, oversampling: 2)
            XCTAssertEqual(m.cdp.shape, [1, l, 12, 10])
            XCTAssertEqual(m.geometry.crop, [3, 1, 20, 24])
            XCTAssertEqual(m.saturatedCount, 0)
            XCTAssertEqual(m.storage[0], bits == 12 ? "16-bit TIFF, 12-bit data left-justified (÷ 16)" : "16-bit TIFF")
            let peak = cdp.buffer.max()!
            XCTAssertLessThan(maxAbsDifference(m.cdp, cdp) / peak, Float(tolerance), "\(bits)-bit")
            for s in 0..<l {
                let sum = m.cdp.buffer[(s * 120)..<((s + 1) * 120)].reduce(0.0) { $0 + Double($1) }
                XCTAssertEqual(sum, Double(h * w), accuracy: 1e-3)
            }
        }
    }

    func testNormalizationRulesAndSaturation() throws {
        // A 4×4 frame, bin 1, for a 2×2 scene at f = 2: counts 1…16, pixel 5 saturated (8-bit 255).
        var counts = (1...16).map(Float.init)
        counts[5] = 255
        let path = dir + "/sat.png"
        try PNGFile.write(.gray8(counts.map { UInt8($0) }, width: 4, height: 4), to: path)
        var o = FrameImport.Options(frames: [path])
        o.normalization = .none
        let raw = try FrameImport.measure(o, sceneHeight: 2, sceneWidth: 2, oversampling: 2)
        XCTAssertEqual(raw.cdp.buffer.reduce(0, +), counts.reduce(0, +))
        XCTAssertEqual(raw.saturatedCount, 1)
        // Sensor pixel (row 1, column 1) is window pixel (1, 1) → CDP index ((1 − 2) mod 4, (1 − 2) mod 4) = (3, 3).
        XCTAssertEqual(raw.saturated[15], 1)
        XCTAssertEqual(raw.cdp.pointer[15], 255)
        o.normalization = .energy(10)
        XCTAssertEqual(try FrameImport.measure(o, sceneHeight: 2, sceneWidth: 2, oversampling: 2).cdp.buffer.reduce(0, +), 10,
                       accuracy: 1e-4)
        o.normalization = .parseval
        let parseval = try FrameImport.measure(o, sceneHeight: 2, sceneWidth: 2, oversampling: 2)
        XCTAssertEqual(parseval.cdp.buffer.reduce(0, +), 4, accuracy: 1e-5)
        XCTAssertEqual(parseval.scales, [4 / Double(counts.reduce(0, +))])
        XCTAssertTrue(parseval.rule.contains("H·W = 4"), parseval.rule)
    }

    func testWindowProblemsNameTheFrame() throws {
        let path = dir + "/small.tif"
        try TIFFFile.write(.gray16([UInt16](repeating: 100, count: 30 * 20), width: 30, height: 20), to: path)
        func failure(_ change: (inout FrameImport.Options) -> Void) -> String {
            var o = FrameImport.Options(frames: [path])
            change(&o)
            do { _ = try FrameImport.measure(o, sceneHeight: 8, sceneWidth: 8, oversampling: 1); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(failure { _ in }, "\(path): is 30×20 pixels, not a whole multiple of the design's 8×8 grid: give --bin K "
                       + "(the window is then placed where the most light falls) or --crop X,Y,W,H")
        XCTAssertEqual(failure { $0.bin = 3 }, "\(path): is 30×20 pixels, smaller than the design's 8×8 grid binned by 3 "
                       + "(24×24 sensor pixels)")
        XCTAssertEqual(failure { $0.crop = [16, 4, 16, 16] }, "\(path): is 30×20 pixels; the crop window [16, 4, 16, 16] does not fit in it")
        XCTAssertEqual(failure { $0.crop = [0, 0, 24, 16] }, "--crop: a 24×16 window is not the 8×8 grid times a whole bin factor")
        XCTAssertEqual(failure { $0.crop = [0, 0, 16, 16]; $0.bin = 3 }, "--crop: a 16×16 window bins the 8×8 grid by 2, not --bin 3")
        var o = FrameImport.Options(frames: [path])
        o.bin = 2
        XCTAssertEqual(try FrameImport.measure(o, sceneHeight: 8, sceneWidth: 8, oversampling: 1).geometry.crop, [7, 2, 16, 16],
                       "a uniform frame: the central window")
        let tiny = dir + "/tiny.tif"
        try TIFFFile.write(.gray8([UInt8](repeating: 1, count: 25), width: 5, height: 5), to: tiny)
        XCTAssertThrowsError(try FrameImport.measure(FrameImport.Options(frames: [tiny]), sceneHeight: 8, sceneWidth: 8, oversampling: 1)) {
            XCTAssertEqual("\($0)", "\(tiny): is 5×5 pixels, smaller than the design's 8×8 grid")
        }
    }
}
