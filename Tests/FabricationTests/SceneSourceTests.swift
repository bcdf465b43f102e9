import Fabrication
import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

final class SceneSourceTests: XCTestCase {
    func testParsesTheThreeKindsOfSpec() throws {
        XCTAssertEqual(try SceneSource(parsing: "fashion-mnist:test:12", fashionMNISTDirectory: "/d"),
                       .fashionMNIST(split: .test, index: 12, directory: "/d"))
        XCTAssertEqual(try SceneSource(parsing: "out/d.h5:/verification/scenes"),
                       .field(path: "out/d.h5", dataset: "/verification/scenes"))
        XCTAssertEqual(try SceneSource(parsing: "scene.png"), .image(path: "scene.png"))
        for bad in ["fashion-mnist:test", "fashion-mnist:valid:3", "fashion-mnist:test:-1", "fashion-mnist:test:x"] {
            XCTAssertThrowsError(try SceneSource(parsing: bad), bad)
        }
    }

    func testImagesAreResizedIntensities() throws {
        let (dir, cleanup) = try temporaryDirectory("scene")
        defer { cleanup() }
        let path = dir.appendingPathComponent("s.png").path
        try PNGFile.write(.gray8([0, 255, 51, 102], width: 2, height: 2), to: path)
        guard case .intensity(let same) = try SceneSource.image(path: path).load(height: 2, width: 2) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(same.array, [0, 1, 0.2, 0.4])
        guard case .intensity(let big) = try SceneSource.image(path: path).load(height: 4, width: 4) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(big.shape, [1, 1, 4, 4])
        XCTAssertLessThan(maxAbsDifference(big, Resize.resize(same, height: 4, width: 4)), 1e-7)
        XCTAssertThrowsError(try SceneSource.image(path: dir.appendingPathComponent("s.jpg").path).load(height: 2, width: 2))
    }

    func testFashionMNISTImageComesFromTheFile() throws {
        let directory = IDXFile.fashionMNISTDirectory
        try XCTSkipUnless(FileManager.default.fileExists(atPath: directory + "/t10k-images-idx3-ubyte.gz"))
        guard case .intensity(let x) = try SceneSource.fashionMNIST(split: .test, index: 2, directory: directory)
            .load(height: 28, width: 28) else { return XCTFail("expected intensities") }
        let images = try IDXFile.readImages(path: directory + "/t10k-images-idx3-ubyte.gz", limit: 3)
        XCTAssertEqual(x.array, images.image(2).map { Float($0) / 255 })
    }

    func testFieldsComeFromHDF5WithTheMaskSize() throws {
        let (dir, cleanup) = try temporaryDirectory("scene-field")
        defer { cleanup() }
        let path = dir.appendingPathComponent("f.h5").path
        let file = try HDF5File.create(path: path)
        let field = randomMask([3, 4, 2], seed: 2)
        try file.write(field, to: "/x")
        try file.close()
        guard case .field(let x) = try SceneSource.field(path: path, dataset: "/x").load(height: 3, width: 4) else {
            return XCTFail("expected a field")
        }
        XCTAssertEqual(x.shape, [1, 3, 4])
        XCTAssertEqual(x.storage.array, field.array)
        XCTAssertThrowsError(try SceneSource.field(path: path, dataset: "/x").load(height: 4, width: 4)) {
            XCTAssertTrue("\($0)".contains("f.h5"))
        }
        XCTAssertThrowsError(try SceneSource.field(path: path, dataset: "/missing").load(height: 3, width: 4))
    }
}
