import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

final class HDF5FileTests: XCTestCase {
    private func roundTrip<T: HDF5Element & Equatable>(_ values: [T], shape: [Int], in dir: String) throws {
        let path = dir + "/\(T.self).h5"
        let file = try HDF5File.create(path: path)
        try file.write(values, shape: shape, to: "/data")
        try file.close()
        let reopened = try HDF5File.open(path: path)
        let (back, backShape) = try reopened.read(T.self, "/data")
        XCTAssertEqual(back, values, "\(T.self)")
        XCTAssertEqual(backShape, shape)
        XCTAssertEqual(try reopened.datasetInfo("/data").type, T.hdf5ElementType)
    }

    func testRoundTripOfEveryElementType() throws {
        let dir = try makeTemporaryDirectory(self)
        try roundTrip([Float(1.5), -2, .pi, 0, 1e-30, 7, 8, 9], shape: [2, 2, 2], in: dir)
        try roundTrip([Double.pi, -1e300, 0.1], shape: [3], in: dir)
        try roundTrip([Int32.min, -1, 0, Int32.max], shape: [2, 2], in: dir)
        try roundTrip([Int64.min, 42, Int64.max], shape: [3, 1], in: dir)
        try roundTrip([UInt8](0...255), shape: [16, 16], in: dir)
        try roundTrip([UInt16(0), 1023, 65535], shape: [1, 3], in: dir)
        try roundTrip([Double(2.5)], shape: [], in: dir)
    }

    func testTensorRoundTripAndNestedGroups() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/t.h5"
        var rng = SeededGenerator(seed: 5)
        let phase = Tensor.normal([2, 3, 4], generator: &rng)
        let file = try HDF5File.create(path: path)
        try file.write(phase, to: "/mask/phase")
        try file.createGroup("/design/metrics/psnr")
        try file.write([UInt8](repeating: 3, count: 6), shape: [2, 3], to: "/slm/display")
        try file.close()

        let r = try HDF5File.open(path: path)
        XCTAssertTrue(bitIdentical(try r.readTensor("/mask/phase", shape: [2, 3, 4]), phase))
        XCTAssertEqual(try r.members(of: "/"), ["design", "mask", "slm"])
        XCTAssertEqual(try r.members(of: "/design/metrics"), ["psnr"])
        XCTAssertEqual(try r.kind(of: "/mask"), .group)
        XCTAssertEqual(try r.kind(of: "/mask/phase"), .dataset)
        XCTAssertTrue(r.exists("/design/metrics/psnr"))
        XCTAssertFalse(r.exists("/mask/phase/inner"))
        XCTAssertFalse(r.exists("/nothing/here"))
        let wide = try r.read(Float.self, "/mask/phase").values
        XCTAssertEqual(wide, phase.array)
    }

    func testAttributesOnGroupsAndDatasets() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/a.h5"
        let file = try HDF5File.create(path: path)
        try file.write([Float](repeating: 0, count: 4), shape: [2, 2], to: "/mask/phase")
        try file.setAttribute("units", .string("rad"), on: "/mask/phase")
        try file.setAttribute("comment", .string("λ = 632.8 nm, ünïcode"), on: "/mask")
        try file.setAttribute("wavelength", .double(632.8e-9), on: "/mask")
        try file.setAttribute("levels", .int(4), on: "/")
        try file.setAttribute("level_phases", .doubles([0, 1.5, 3, 4.5]), on: "/mask")
        try file.setAttribute("weights", .floats([0.25, 0.5]), on: "/mask/phase")
        try file.setAttribute("counts", .ints([1, -2, 3]))
        try file.setAttribute("levels", .int(8))   // replaces
        try file.close()

        let r = try HDF5File.open(path: path)
        XCTAssertEqual(try r.stringAttribute("units", of: "/mask/phase"), "rad")
        XCTAssertEqual(try r.stringAttribute("comment", of: "/mask"), "λ = 632.8 nm, ünïcode")
        XCTAssertEqual(try r.doubleAttribute("wavelength", of: "/mask"), 632.8e-9)
        XCTAssertEqual(try r.intAttribute("levels"), 8)
        XCTAssertEqual(try r.doubleAttribute("levels"), 8)
        XCTAssertEqual(try r.attribute("level_phases", of: "/mask"), .doubles([0, 1.5, 3, 4.5]))
        XCTAssertEqual(try r.attribute("weights", of: "/mask/phase"), .floats([0.25, 0.5]))
        XCTAssertEqual(try r.attribute("counts"), .ints([1, -2, 3]))
        XCTAssertEqual(try r.attributeNames(of: "/mask"), ["comment", "level_phases", "wavelength"])
        assertStorageError(.notFound, [path, "/mask", "'missing'"]) { try r.attribute("missing", of: "/mask") }
        assertStorageError(.mismatch, [path, "'units'", "not a scalar number"]) { try r.doubleAttribute("units", of: "/mask/phase") }
        assertStorageError(.notFound, [path, "/nope"]) { try r.attribute("units", of: "/nope") }
    }

    func testMissingWrongTypeAndWrongShapeAreClearErrors() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/e.h5"
        let file = try HDF5File.create(path: path)
        try file.write([Int32(1), 2, 3, 4], shape: [4], to: "/g/x")
        assertStorageError(.mismatch, [path, "/g/x", "already exists"]) { try file.write([Int32(1)], shape: [1], to: "/g/x") }
        assertStorageError(.mismatch, [path, "/g/y", "do not fill shape"]) { try file.write([Float(1)], shape: [2], to: "/g/y") }
        try file.close()

        let r = try HDF5File.open(path: path)
        assertStorageError(.notFound, [path, "/g/missing", "no such dataset"]) { try r.read(Int32.self, "/g/missing") }
        assertStorageError(.notFound, [path, "/a/b/c"]) { try r.read(Int32.self, "/a/b/c") }
        assertStorageError(.mismatch, [path, "/g/x", "int32", "expected float32"]) { try r.read(Float.self, "/g/x") }
        assertStorageError(.mismatch, [path, "/g/x", "[4]", "expected [2, 2]"]) { try r.read(Int32.self, "/g/x", shape: [2, 2]) }
        assertStorageError(.mismatch, [path, "/g", "is a group"]) { try r.read(Int32.self, "/g") }
        assertStorageError(.mismatch, [path, "/g/x", "expected floating point"]) { try r.readTensor("/g/x") }
        assertStorageError(.io, [path, "read-only"]) { try r.createGroup("/h") }
        assertStorageError(.mismatch, [path, "absolute"]) { try r.read(Int32.self, "g/x") }
    }

    func testRequireFiniteRejectsNaNAndInfinity() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/n.h5"
        let file = try HDF5File.create(path: path)
        assertStorageError(.invalidValue, [path, "/phase", "2 of 4", "index 1"]) {
            try file.write([Float(0), .nan, 1, .infinity], shape: [4], to: "/phase", requireFinite: true)
        }
        XCTAssertFalse(file.exists("/phase"))
        try file.write([Double(0), -.infinity], shape: [2], to: "/phase")
        try file.close()
        let r = try HDF5File.open(path: path)
        XCTAssertEqual(try r.read(Double.self, "/phase").values, [0, -.infinity])
        assertStorageError(.invalidValue, [path, "/phase", "NaN or infinite"]) {
            try r.read(Double.self, "/phase", requireFinite: true)
        }
        assertStorageError(.invalidValue, [path, "/phase"]) { try r.readTensor("/phase", requireFinite: true) }
    }

    func testUnclosedOrDiscardedFileLeavesNothingBehind() throws {
        let dir = try makeTemporaryDirectory(self)
        do {
            let file = try HDF5File.create(path: dir + "/dropped.h5")
            try file.write([Float(1)], shape: [1], to: "/x")
        }
        let discarded = try HDF5File.create(path: dir + "/discarded.h5")
        try discarded.write([Float(1)], shape: [1], to: "/x")
        discarded.discard()
        XCTAssertEqual(directoryListing(dir), [])

        try AtomicFile.write([1, 2, 3], to: dir + "/old.h5")
        do { _ = try HDF5File.create(path: dir + "/old.h5") }
        XCTAssertEqual(readBytes(dir + "/old.h5"), [1, 2, 3])
        XCTAssertEqual(directoryListing(dir), ["old.h5"])
    }

    func testTruncatedAndForeignFilesAreReported() throws {
        let dir = try makeTemporaryDirectory(self), path = dir + "/cut.h5"
        let file = try HDF5File.create(path: path)
        try file.write([Double](repeating: 1, count: 4096), shape: [64, 64], to: "/big")
        try file.setAttribute("units", .string("m"), on: "/big")
        try file.close()
        let bytes = readBytes(path)
        writeBytes(Array(bytes.prefix(bytes.count / 2)), path)
        assertStorageError(.truncated, [path, "truncated"]) { try HDF5File.open(path: path) }

        writeBytes(Array("not hdf5 at all".utf8), dir + "/text.h5")
        assertStorageError(.corrupt, [dir + "/text.h5", "not an HDF5 file"]) { try HDF5File.open(path: dir + "/text.h5") }
        assertStorageError(.notFound, [dir + "/none.h5"]) { try HDF5File.open(path: dir + "/none.h5") }
    }

    func testHDF5PrintsNothingOnStderrFromAnyThread() throws {
        let dir = try makeTemporaryDirectory(self), log = dir + "/stderr.txt"
        let file = try HDF5File.create(path: dir + "/x.h5")
        try file.write([Double](repeating: 1, count: 512), shape: [512], to: "/d")
        try file.close()
        let bytes = readBytes(dir + "/x.h5")
        writeBytes(Array(bytes.prefix(bytes.count / 2)), dir + "/junk.h5")   // fails inside H5Fopen
        let saved = dup(2)
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(fd, 2)
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                _ = try? HDF5File.open(path: dir + "/junk.h5")
                _ = try? HDF5File.open(path: dir + "/x.h5").read(Float.self, "/missing")
            }
        }
        group.wait()
        fflush(stderr)
        dup2(saved, 2)
        close(fd)
        close(saved)
        XCTAssertEqual(String(decoding: readBytes(log), as: UTF8.self), "")
    }
}
