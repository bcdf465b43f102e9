import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

/// The sensing geometry in the design file: `/sensing` (format version 3 for the near field), read back
/// and checked; a design written before 0.4 reads as the far field and recomputes its stored CDPs.
final class NearFieldDesignFileTests: XCTestCase {
    let metadata = DesignMetadata(softwareVersion: "0.4-test", created: Date(timeIntervalSince1970: 1_790_000_000))

    func makeExport() throws -> DesignExport {
        let slm = try profile(columns: 14, rows: 11, gray2Pi: 218, inverted: false)
        let settings = ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: slm)
        return try DesignExport(mask: randomMask([2, 3, 4], seed: 41), settings: settings)
    }

    var nearField: SensingModel {
        try! SensingModel(oversampling: 2, propagation: .fresnel(try! NearFieldGeometry(pitch: 8e-6, wavelength: 633e-9,
                                                                                       distance: 0.15e-3)))
    }

    func testNearFieldGeometryRoundTripsAsVersion3() throws {
        let (dir, cleanup) = try temporaryDirectory("design-near")
        defer { cleanup() }
        let export = try makeExport(), path = dir.appendingPathComponent("d.h5").path
        let scenes = randomField([1, 3, 4], seed: 42)
        let simulator = try Simulator(oversampling: 2, propagation: nearField.propagation)
        let v = try VerificationData.compute(scenes: scenes, export: export, oversampling: 2, measure: simulator.measure)
        try DesignFile.write(export, metadata: metadata, verification: v, sensing: nearField, to: path)
        let stored = try DesignFile.read(path: path)
        XCTAssertEqual(stored.sensing, nearField)
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertEqual(try file.intAttribute("format_version"), 3)
        XCTAssertEqual(try file.stringAttribute("propagation", of: "/sensing"), "fresnel")
        XCTAssertEqual(try file.doubleAttribute("distance_m", of: "/sensing"), 0.15e-3)
        XCTAssertEqual(try file.intAttribute("pad", of: "/sensing"), 2)
        // The stored CDPs are the near-field ones, not the far field's.
        let far = try Simulator(oversampling: 2).measure(scenes, export.quantized.phases)
        XCTAssertGreaterThan(maxAbsDifference(try XCTUnwrap(stored.verification).cdp, far), 1e-2)
        XCTAssertLessThan(maxAbsDifference(try XCTUnwrap(stored.verification).cdp,
                                           try simulator.measure(scenes, export.quantized.phases)), 1e-6)
    }

    func testFarFieldDesignStaysVersion1AndRecordsItsGeometry() throws {
        let (dir, cleanup) = try temporaryDirectory("design-far")
        defer { cleanup() }
        let path = dir.appendingPathComponent("d.h5").path
        try DesignFile.write(try makeExport(), metadata: metadata, to: path)
        XCTAssertEqual(try DesignFile.read(path: path).sensing, .farField)
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertEqual(try file.intAttribute("format_version"), 1)
        XCTAssertEqual(try file.stringAttribute("propagation", of: "/sensing"), "far-field")
        XCTAssertEqual(try file.attributeNames(of: "/sensing"), ["pad", "propagation"])
    }

    /// `Tests/Corpus/design/valid.h5` was written before `/sensing` existed: it reads as the far field at
    /// its verification oversampling, and that sensing model recomputes its stored CDPs.
    func testOldDesignReadsAsTheFarFieldWithItsNumbers() throws {
        let old = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/design/valid.h5").path
        let file = try HDF5File.open(path: old)
        XCTAssertFalse(file.exists("/sensing"))
        try file.close()
        let design = try DesignFile.read(path: old)
        let v = try XCTUnwrap(design.verification)
        XCTAssertEqual(design.sensing, try SensingModel(oversampling: v.oversampling))
        let y = try Simulator(oversampling: design.sensing.oversampling, propagation: design.sensing.propagation)
            .measure(v.scenes, design.quantized.phases)
        XCTAssertLessThan(maxAbsDifference(y, v.cdp), 1e-5 * max(1, maxAbs(v.cdp)))
    }

    /// A padding that disagrees with the verification data is refused on writing (no file appears); a
    /// geometry the grid cannot hold, an unknown model or a negative distance on reading, naming the file
    /// and the object.
    func testBadSensingGroupsAreNamed() throws {
        let (dir, cleanup) = try temporaryDirectory("design-bad-sensing")
        defer { cleanup() }
        let path = dir.appendingPathComponent("d.h5").path
        let scenes = randomField([1, 3, 4], seed: 43), export = try makeExport()
        let simulator = try Simulator(oversampling: 2, propagation: nearField.propagation)
        let v = try VerificationData.compute(scenes: scenes, export: export, oversampling: 2, measure: simulator.measure)
        XCTAssertThrowsError(try DesignFile.write(export, metadata: metadata, verification: v,
                                                  sensing: try SensingModel(oversampling: 3, propagation: nearField.propagation), to: path)) {
            XCTAssertEqual("\($0)", "\(path): verification CDPs at oversampling 2 but a sensing geometry padded by 3")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])

        let far = try SensingModel(oversampling: 2, propagation: .fresnel(try NearFieldGeometry(pitch: 8e-6, wavelength: 633e-9, distance: 1)))
        try DesignFile.write(export, metadata: metadata, sensing: far, to: path)
        XCTAssertThrowsError(try DesignFile.read(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): /sensing: fresnel propagation over z = 1000 mm aliases on the 6×8 grid"), "\($0)")
        }
        for (attributes, message) in [([("propagation", HDF5Attribute.string("fraunhofer"))],
                                       "/sensing propagation 'fraunhofer' is not one of far-field, angular-spectrum, fresnel"),
                                      ([("propagation", .string("fresnel")), ("pixel_pitch_m", .double(8e-6)),
                                        ("wavelength_m", .double(5e-7)), ("distance_m", .double(-1e-3))],
                                       "/sensing: the distance must be positive and finite, got -1 mm")] {
            let other = dir.appendingPathComponent("sensing.h5").path
            let file = try HDF5File.create(path: other)
            try file.createGroup("/sensing")
            for (name, value) in attributes { try file.setAttribute(name, value, on: "/sensing") }
            try file.close()
            let read = try HDF5File.open(path: other)
            XCTAssertThrowsError(try SensingAttributes.read(from: read, on: "/sensing")) {
                XCTAssertEqual("\($0)", "\(other): \(message)")
            }
            try read.close()
        }
    }
}

/// Near-field CDPs are sensor images: camera frames show them as they are (no centring of a zero
/// frequency), and reading the window back gives the same grid.
final class NearFieldFrameTests: XCTestCase {
    func testNearFieldFramesAreNotCentred() {
        let y = (0..<(6 * 4)).map { Float($0) }
        for centred in [true, false] {
            let g = FrameGeometry(gridHeight: 6, gridWidth: 4, bin: 2, left: 1, top: 0, centred: centred)
            let sensor = g.render(y, width: 10, height: 12)
            XCTAssertEqual(g.grid(from: sensor, width: 10).map { $0 / 4 }, y.map { $0 / 4 }, "centred \(centred)")
            // The window's top-left sensor pixel shows grid pixel (0, 0) only without centring.
            XCTAssertEqual(sensor[1], centred ? y[3 * 4 + 2] / 4 : y[0] / 4, "centred \(centred)")
        }
        var rendering = FrameRendering()
        rendering.centred = false
        XCTAssertFalse(try! rendering.layout(gridHeight: 6, gridWidth: 4).geometry.centred)
    }
}
