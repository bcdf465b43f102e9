import Fabrication
import Foundation
import Storage
import TensorCore
import XCTest

/// Masks written by other tools (`FILE.h5:/DATASET`): the `units` attribute converts degrees and waves to
/// radians and refuses anything else; a 2-D `[H, W]` dataset is one snapshot; every conversion is noted.
final class MaskDatasetTests: XCTestCase {
    /// Writes `values` (float64, `shape`) as `/phi` with an optional `units` attribute; returns the path.
    func file(_ dir: URL, _ name: String, _ values: [Double], shape: [Int], units: HDF5Attribute? = nil) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let file = try HDF5File.create(path: path)
        try file.write(values, shape: shape, to: "/phi")
        if let units { try file.setAttribute("units", units, on: "/phi") }
        try file.close()
        return path
    }

    func testUnitsAreConvertedToRadians() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-units")
        defer { cleanup() }
        // The same three phases, 0, π/2 and π (and 3π/2), in each unit.
        let radians: [Double] = [0, .pi / 2, .pi, 3 * .pi / 2]
        let cases: [(String, [Double], HDF5Attribute?)] = [
            ("none.h5", radians, nil),
            ("rad.h5", radians, .string("rad")),
            ("radians.h5", radians, .string("Radians")),
            ("deg.h5", [0, 90, 180, 270], .string("deg")),
            ("degrees.h5", [0, 90, 180, 270], .string(" DEGREES ")),
            ("waves.h5", [0, 0.25, 0.5, 0.75], .string("waves")),
        ]
        for (name, values, units) in cases {
            let path = try file(dir, name, values, shape: [1, 2, 2], units: units)
            let (phases, notes) = try MaskDataset(parsing: path + ":/phi").load()
            XCTAssertEqual(phases.shape, [1, 2, 2], name)
            for i in 0..<4 { XCTAssertEqual(phases.pointer[i], Float(radians[i]), accuracy: 1e-6, "\(name) value \(i)") }
            let converted = name.hasPrefix("deg") || name.hasPrefix("waves")
            XCTAssertEqual(notes.count, converted ? 1 : 0, "\(name): \(notes)")
            if name == "deg.h5" { XCTAssertEqual(notes, ["\(path): /phi is in degrees (× π/180); converted to radians"]) }
            if name == "waves.h5" { XCTAssertEqual(notes, ["\(path): /phi is in waves (× 2π); converted to radians"]) }
        }
    }

    func testOtherUnitsAreRefused() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-bad-units")
        defer { cleanup() }
        let mm = try file(dir, "mm.h5", [0, 1, 2, 3], shape: [1, 2, 2], units: .string("mm"))
        XCTAssertThrowsError(try MaskDataset(parsing: mm + ":/phi").load()) {
            XCTAssertEqual("\($0)", "\(mm): /phi: units 'mm' are not a phase unit; expected rad, deg or waves")
        }
        let number = try file(dir, "number.h5", [0, 1, 2, 3], shape: [1, 2, 2], units: .double(1))
        XCTAssertThrowsError(try MaskDataset(parsing: number + ":/phi").load()) {
            XCTAssertEqual("\($0)", "\(number): /phi: the attribute 'units' is not a string; expected rad, deg or waves")
        }
    }

    func testTwoDimensionalMaskIsOneSnapshot() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-2d")
        defer { cleanup() }
        let values = (0..<6).map { Double($0) / 4 }
        let path = try file(dir, "flat.h5", values, shape: [2, 3])
        let (phases, notes) = try MaskDataset(parsing: path + ":/phi").load()
        XCTAssertEqual(phases.shape, [1, 2, 3])
        XCTAssertEqual(phases.array, values.map(Float.init))
        XCTAssertEqual(notes, ["\(path): /phi is one 2-D mask [2, 3]; read as 1 snapshot [1, 2, 3]"])
        // Both conversions at once: a 2-D mask in degrees.
        let deg = try file(dir, "flat-deg.h5", [0, 90, 180, 270, 360, 45], shape: [2, 3], units: .string("deg"))
        let both = try MaskDataset(parsing: deg + ":/phi").load()
        XCTAssertEqual(both.phases.shape, [1, 2, 3])
        XCTAssertEqual(both.phases.pointer[5], Float(Double.pi / 4), accuracy: 1e-7)
        XCTAssertEqual(both.notes.count, 2, "\(both.notes)")
    }

    func testOtherShapesAndBadValuesAreRefused() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-shapes")
        defer { cleanup() }
        let line = try file(dir, "line.h5", [0, 1, 2], shape: [3])
        XCTAssertThrowsError(try MaskDataset(parsing: line + ":/phi").load()) {
            XCTAssertEqual("\($0)", "\(line): /phi has shape [3]; a mask is [H, W] (one snapshot) or [L, H, W]")
        }
        let four = try file(dir, "four.h5", [0, 1, 2, 3], shape: [1, 1, 2, 2])
        XCTAssertThrowsError(try MaskDataset(parsing: four + ":/phi").load()) {
            XCTAssertEqual("\($0)", "\(four): /phi has shape [1, 1, 2, 2]; a mask is [H, W] (one snapshot) or [L, H, W]")
        }
        let nan = try file(dir, "nan.h5", [0, .nan, 2, 3], shape: [2, 2])
        XCTAssertThrowsError(try MaskDataset(parsing: nan + ":/phi").load()) {
            XCTAssertTrue("\($0)".hasPrefix(nan + ": /phi: "), "\($0)")
            XCTAssertTrue("\($0)".contains("NaN"), "\($0)")
        }
        XCTAssertThrowsError(try MaskDataset(parsing: "phases.h5")) {
            XCTAssertEqual("\($0)", "phases.h5: a mask dataset must be given as FILE.h5:/DATASET")
        }
        XCTAssertEqual(try MaskDataset(parsing: "a/b.h5:/group/phi"), MaskDataset(path: "a/b.h5", dataset: "/group/phi"))
    }

    /// `MaskSource.dataset` (simulate's `--mask FILE.h5:/DATASET`) passes the notes on.
    func testMaskSourceLogsTheConversions() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-source")
        defer { cleanup() }
        let path = try file(dir, "w.h5", [0, 0.5, 0.25, 1], shape: [2, 2], units: .string("waves"))
        var notes: [String] = []
        let masks = try MaskSource.dataset(MaskDataset(path: path, dataset: "/phi")).load { notes.append($0) }
        XCTAssertEqual(masks.shape, [1, 2, 2])
        XCTAssertEqual(masks.pointer[1], Float.pi, accuracy: 1e-6)
        XCTAssertEqual(notes.count, 2, "\(notes)")
    }
}
