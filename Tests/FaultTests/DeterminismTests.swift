import Fabrication
import Foundation
import Storage
import XCTest

/// Same seed, same machine, same thread count → bit-identical checkpoints and exported masks. Two
/// separate `phasemask train` processes with two compute threads (so the threaded reductions run) must
/// agree on every parameter, Adam moment and batch-norm statistic; exporting each checkpoint must give
/// the same quantized mask, level indices, SLM frames (byte for byte), verification CDPs, lithography
/// bit planes and GDSII geometry. (`CrashSafeTrainingTests` shows the same for one thread across kills.)
final class DeterminismTests: XCTestCase {
    func testSameSeedAndThreadsGiveBitIdenticalCheckpointsAndExports() throws {
        let root = try Fault.temporaryDirectory(self, "determinism")
        let panel = root + "/panel.json"
        try Data(#"{"name": "small", "columns": 40, "rows": 24, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256, "designWavelength": 633e-9}"#.utf8)
            .write(to: URL(fileURLWithPath: panel))
        var designs: [String] = []
        for run in ["a", "b"] {
            let train = try PhaseMaskProcess.run(TinyTraining.arguments(epochs: 2, out: root + "/" + run, seed: 11, threads: 2))
            XCTAssertEqual(train.status, 0, train.err)
            let export = try PhaseMaskProcess.run(["export", "--model", TinyTraining.checkpoint(root + "/" + run), "--slm", panel,
                                                   "--levels", "4", "--scenes", "2", "--metrics-images", "0",
                                                   "--wavelength", "633e-9", "--index", "1.457", "--pitch", "8e-6",
                                                   "--out", root + "/" + run + "/masks"])
            XCTAssertEqual(export.status, 0, export.err)
            designs.append(root + "/" + run + "/masks")
        }
        let a = try TinyTraining.state(TinyTraining.checkpoint(root + "/a"))
        let b = try TinyTraining.state(TinyTraining.checkpoint(root + "/b"))
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        for (name, bits) in a { XCTAssertTrue(b[name] == bits, "\(name) differs between two runs with the same seed") }

        // The HDF5 design files differ only in their creation time: compare what they hold.
        let first = try HDF5File.open(path: designs[0] + "/design.h5"), second = try HDF5File.open(path: designs[1] + "/design.h5")
        defer { try? first.close(); try? second.close() }
        for object in ["/mask/phase", "/mask/phase_continuous", "/fabrication/height", "/verification/cdp", "/verification/cdp_display"] {
            let x = try first.readTensor(object), y = try second.readTensor(object)
            XCTAssertEqual(x.shape, y.shape, object)
            XCTAssertTrue((0..<x.count).allSatisfy { x.pointer[$0].bitPattern == y.pointer[$0].bitPattern }, "\(object) differs")
        }
        XCTAssertEqual(try first.read(Int32.self, "/mask/levels").values, try second.read(Int32.self, "/mask/levels").values)
        XCTAssertEqual(try first.read(UInt16.self, "/slm/display").values, try second.read(UInt16.self, "/slm/display").values)
        // Frames and bit planes byte for byte; GDSII by geometry (its header records the write time).
        let files = Fault.listing(designs[0]).filter { $0.hasSuffix(".bmp") || $0.hasSuffix(".png") }
        XCTAssertEqual(files.count, 2 + 2, "expected BMP + PNG frames and two bit planes, got \(files)")
        for name in files {
            XCTAssertEqual(FileManager.default.contents(atPath: designs[0] + "/" + name),
                           FileManager.default.contents(atPath: designs[1] + "/" + name), "\(name) differs")
        }
        XCTAssertEqual(try GDSReader.read(contentsOf: URL(fileURLWithPath: designs[0] + "/design.gds")),
                       try GDSReader.read(contentsOf: URL(fileURLWithPath: designs[1] + "/design.gds")))
    }
}
