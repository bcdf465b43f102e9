import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

/// A mask `[1, H, W]` of phases 2π·a/G for random integers a (a whole number of gray steps on a
/// panel with 2π at gray G), and the integers.
func grayStepMask(_ h: Int, _ w: Int, gray2Pi: Int, seed: UInt64) -> (Tensor, [Int]) {
    var g = SeededGenerator(seed: seed)
    let a = (0..<(h * w)).map { _ in Int.random(in: 0..<gray2Pi, using: &g) }
    return (Tensor(a.map { Float(2 * Double.pi * Double($0) / Double(gray2Pi)) }, shape: [1, h, w]), a)
}

final class CorrectionTests: XCTestCase {
    var dir = URL(fileURLWithPath: "/")
    var cleanup: () -> Void = {}

    override func setUpWithError() throws { (dir, cleanup) = try temporaryDirectory("corrections-\(UUID().uuidString)") }
    override func tearDown() { cleanup() }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Hamamatsu: gray = (pattern gray + CAL gray) mod the 2π gray value (218), in the footprint and the margin.
    func testAHamamatsuCorrectionIsAddedExactlyModuloThe2PiGray() throws {
        let p = try profile(columns: 13, rows: 9, gray2Pi: 218)
        var g = SeededGenerator(seed: 1)
        let cal = (0..<(13 * 9)).map { _ in UInt8.random(in: 0...217, using: &g) }
        try BMPFile.writeGray8(cal, width: 13, height: 9, to: path("CAL_LSH0701234_633nm.bmp"))
        let correction = try PanelCorrection.load([try CorrectionFile(parsing: path("CAL_LSH0701234_633nm.bmp"))],
                                                  profile: p, wavelength: 633e-9)
        XCTAssertEqual(correction.records.map(\.kind), [.hamamatsu])
        XCTAssertEqual(correction.records[0].gray2Pi, 218)
        XCTAssertEqual(correction.records[0].wavelength, 633e-9, accuracy: 1e-18)
        XCTAssertEqual(correction.records[0].sha256, SHA256.hex(try Array(Data(contentsOf: dir.appendingPathComponent("CAL_LSH0701234_633nm.bmp")))))
        let layout = try SLMLayout(designHeight: 3, designWidth: 4, profile: p, superpixel: 2)
        let (mask, a) = grayStepMask(3, 4, gray2Pi: 218, seed: 2)
        let frame = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), correction: correction).encode(mask, snapshot: 0)
        for r in 0..<9 {
            for c in 0..<13 {
                let (i, j) = (r - layout.top, c - layout.left)
                let pattern = (0..<6).contains(i) && (0..<8).contains(j) ? a[(i / 2) * 4 + j / 2] : 0
                XCTAssertEqual(Int(frame[r, c]), (pattern + Int(cal[r * 13 + c])) % 218, "pixel \(r),\(c)")
            }
        }
    }

    /// A 16-bit generic PNG means 2π·v/65536; on a 10-bit panel with 1024 grays per 2π, v = 64·k adds k grays.
    func testASixteenBitImageOnATenBitPanelAddsItsGrayFraction() throws {
        let p = try profile(columns: 6, rows: 4, bits: 10, gray2Pi: 1024)
        var g = SeededGenerator(seed: 3)
        let k = (0..<24).map { _ in Int.random(in: 0...1023, using: &g) }
        try PNGFile.write(.gray16(k.map { UInt16($0 * 64) }, width: 6, height: 4), to: path("flat.png"))
        let correction = try PanelCorrection.load([try CorrectionFile(parsing: path("flat.png"))], profile: p, wavelength: 633e-9)
        XCTAssertEqual(correction.records[0].kind, .image)
        XCTAssertEqual(correction.records[0].gray2Pi, 65536)
        let layout = try SLMLayout(designHeight: 2, designWidth: 3, profile: p, superpixel: 2)
        let (mask, a) = grayStepMask(2, 3, gray2Pi: 1024, seed: 4)
        let frame = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), correction: correction).encode(mask, snapshot: 0)
        for r in 0..<4 { for c in 0..<6 { XCTAssertEqual(Int(frame[r, c]), (a[(r / 2) * 3 + c / 2] + k[r * 6 + c]) % 1024) } }
    }

    /// The order is φ + carrier + correction summed in radians, wrapped once, then the table: checked
    /// against the plain table scan per pixel, and against the order it must not be (each term through
    /// the table separately, grays added), which the table's uneven steps make differ.
    func testCompositionOrderIsOneSumThenTheTable() throws {
        let p = try profile(columns: 12, rows: 8)
        let pairs = (0...255).map { (gray: $0, phase: 2 * Double.pi * pow(Double($0) / 256, 1.3)) }   // a gamma-like table
        let lut = try PhaseLUT(pairs: pairs, maxGray: 255, source: "gamma")
        let encoder = try GrayEncoder(profile: p, lut: lut)
        let layout = try SLMLayout(designHeight: 2, designWidth: 3, profile: p, superpixel: 4)
        let mask = randomMask([1, 2, 3], seed: 5)
        var g = SeededGenerator(seed: 6)
        let flat = (0..<96).map { _ in Double.random(in: 0...6, using: &g) }
        let correction = PanelCorrection(records: [], phase: flat)
        let carrier = Carrier.blaze(periodX: 5, periodY: 0)
        let chain = try DisplayChain(layout: layout, encoder: encoder, carrier: carrier, correction: correction)
        let frame = try chain.encode(mask, snapshot: 0)
        let ramp = try carrier.phaseMap(layout: layout, wavelength: 633e-9)
        var otherOrder = 0
        for r in 0..<8 {
            for c in 0..<12 {
                let phi = Double(mask[0, r / 4, c / 4])
                let k = r * 12 + c
                XCTAssertEqual(Int(frame[r, c]), lut.nearestGray(wrapPhase(phi + ramp[k] + flat[k])), "pixel \(r),\(c)")
                let separately = (lut.nearestGray(phi) + lut.nearestGray(ramp[k]) + lut.nearestGray(flat[k])) % 256
                if separately != Int(frame[r, c]) { otherOrder += 1 }
            }
        }
        XCTAssertGreaterThan(otherOrder, 48, "adding grays term by term should differ from one sum through the table")
    }

    func testSantecCSVWithHeaderRowAndColumn() throws {
        let p = try profile(columns: 3, rows: 2, bits: 10, gray2Pi: 1000)
        try "Y/X,0,1,2\n0,0,250,500\n1,750,999,1\n".write(toFile: path("santec.csv"), atomically: true, encoding: .utf8)
        let correction = try PanelCorrection.load([try CorrectionFile(parsing: path("santec.csv"))], profile: p, wavelength: 633e-9)
        XCTAssertEqual(correction.records[0].kind, .santec)
        let expected = [0, 250, 500, 750, 999, 1].map { 2 * Double.pi * Double($0) / 1000 }
        for (x, y) in zip(correction.phase, expected) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        try "Y/X,0,1,2\n0,0,250,500\n1,750,1024,1\n".write(toFile: path("deep.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PanelCorrection.load([try CorrectionFile(parsing: path("deep.csv"))], profile: p, wavelength: 633e-9)) {
            XCTAssertEqual("\($0)", "\(path("deep.csv")): row 2, column 2: 1024.0 is not a gray value of the 10-bit test (0…1023)")
        }
        try "Y/X,0,1\n0,0,250\n1,750,1\n".write(toFile: path("narrow.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PanelCorrection.load([try CorrectionFile(parsing: path("narrow.csv"))], profile: p, wavelength: 633e-9)) {
            XCTAssertEqual("\($0)", "\(path("narrow.csv")): correction is 2×2 values after the header row and column; test has 3×2")
        }
    }

    /// An HDF5 map in radians made at 690 nm applies at 633 nm × 690/633; a name's `690nm` is read too.
    func testHDF5RadiansAndTheWavelengthScale() throws {
        let p = try profile(columns: 2, rows: 2)
        let file = try HDF5File.create(path: path("flat.h5"))
        try file.write([0.5, 1, 1.5, 2], shape: [2, 2], to: "/phase")
        try file.setAttribute("wavelength_m", .double(690e-9), on: "/phase")
        try file.close()
        let correction = try PanelCorrection.load([try CorrectionFile(parsing: path("flat.h5") + ":/phase")], profile: p, wavelength: 633e-9)
        XCTAssertEqual(correction.records[0].phaseScale, 690.0 / 633, accuracy: 1e-12)
        for (x, y) in zip(correction.phase, [0.5, 1, 1.5, 2]) { XCTAssertEqual(x, y * 690 / 633, accuracy: 1e-6) }
        XCTAssertEqual(CorrectionFile.wavelength(inName: "CAL_LSH0801234_690nm.bmp")!, 690e-9, accuracy: 1e-18)
        XCTAssertEqual(CorrectionFile.wavelength(inName: "wfc_1064.5nm_v2.bmp")!, 1064.5e-9, accuracy: 1e-18)
        XCTAssertNil(CorrectionFile.wavelength(inName: "flat.bmp"))
        XCTAssertEqual(try CorrectionFile(parsing: "meadowlark:wfc.bmp,2pi=255,wavelength=1.064e-6"),
                       CorrectionFile(path: "wfc.bmp", kind: .meadowlark, gray2Pi: 255, wavelength: 1.064e-6))
    }

    func testWrongSizeWrongDepthAndTwiceAreRefusedNamingTheFile() throws {
        let p = try profile(columns: 4, rows: 3)
        try BMPFile.writeGray8([UInt8](repeating: 1, count: 12), width: 3, height: 4, to: path("CAL_small.bmp"))
        try PNGFile.write(.gray16([UInt16](repeating: 1, count: 12), width: 4, height: 3), to: path("deep.png"))
        try PNGFile.write(.rgb8([UInt8](repeating: 9, count: 36), width: 4, height: 3), to: path("colour.png"))
        try BMPFile.writeGray8([UInt8](repeating: 7, count: 12), width: 4, height: 3, to: path("a.bmp"))
        try FileManager.default.copyItem(atPath: path("a.bmp"), toPath: path("b.bmp"))
        let cases: [([String], String)] = [
            ([path("CAL_small.bmp")], "\(path("CAL_small.bmp")): correction is 3×4 pixels; test has 4×3"),
            (["holoeye:" + path("deep.png")], "\(path("deep.png")): a holoeye correction is an 8-bit grayscale image; this file is 16-bit gray"),
            ([path("colour.png")], "\(path("colour.png")): a generic image correction is an 8- or 16-bit grayscale image; this file is 8-bit rgb"),
            ([path("a.bmp"), path("b.bmp")], "\(path("b.bmp")): is the same correction as \(path("a.bmp")) (sha256 "),
            ([path("missing.bmp")], "\(path("missing.bmp")): no such file"),
        ]
        for (specs, message) in cases {
            XCTAssertThrowsError(try PanelCorrection.load(try specs.map { try CorrectionFile(parsing: $0) }, profile: p, wavelength: 633e-9)) {
                XCTAssertTrue("\($0)".hasPrefix(message), "\($0)")
            }
        }
    }
}
