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

    /// A colour image whose aspect ratio is not the mask's: converted to gray (Rec. 601 luma), centre-cropped
    /// to the mask's aspect ratio and resized, each step noted.
    func testColourAndNonSquareImagesAreConvertedWithNotes() throws {
        let (dir, cleanup) = try temporaryDirectory("scene-colour")
        defer { cleanup() }
        let path = dir.appendingPathComponent("wide.png").path
        // 6×4 (W×H) RGB: pixel (y, x) = (40x, 60y, 10(x + y)).
        var rgb: [UInt8] = []
        for y in 0..<4 { for x in 0..<6 { rgb += [UInt8(40 * x), UInt8(60 * y), UInt8(10 * (x + y))] } }
        try PNGFile.write(.rgb8(rgb, width: 6, height: 4), to: path)
        var notes: [String] = []
        guard case .intensity(let x) = try SceneSource.image(path: path).load(height: 2, width: 2, log: { notes.append($0) }) else {
            return XCTFail("expected intensities")
        }
        // A square mask keeps the full height and the centred 4 of 6 columns (1…4), then halves each side.
        let crop = Tensor(uninitialized: [1, 1, 4, 4])
        for y in 0..<4 {
            for c in 0..<4 {
                let k = 3 * (y * 6 + c + 1)
                crop.pointer[y * 4 + c] = Float(RasterImage.luma(rgb[k], rgb[k + 1], rgb[k + 2])) / 255
            }
        }
        XCTAssertEqual(x.shape, [1, 1, 2, 2])
        XCTAssertLessThan(maxAbsDifference(x, Resize.resize(crop, height: 2, width: 2)), 1e-7)
        XCTAssertEqual(notes, ["\(path): colour image (rgb) converted to gray with the Rec. 601 luma weights",
                               "\(path): 6×4 pixels (W×H) centre-cropped to 4×4, the mask's aspect ratio, then resized to 2×2"])

        // A square gray image on a 2 × 4 (H × W) mask: the centred rows 1…2 of a 4 × 4 image.
        let square = dir.appendingPathComponent("square.png").path
        try PNGFile.write(.gray8((0..<16).map { UInt8($0 * 10) }, width: 4, height: 4), to: square)
        notes = []
        guard case .intensity(let band) = try SceneSource.image(path: square).load(height: 2, width: 4, log: { notes.append($0) }) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(band.array, (4..<12).map { Float($0 * 10) / 255 })
        XCTAssertEqual(notes, ["\(square): 4×4 pixels (W×H) centre-cropped to 4×2, the mask's aspect ratio"])

        // The same gray image on a square mask: nothing to convert, nothing noted.
        notes = []
        _ = try SceneSource.image(path: square).load(height: 2, width: 2, log: { notes.append($0) })
        XCTAssertEqual(notes, [])
    }

    /// TIFF scenes are read like PNG ones: 16-bit gray / 65535, colour to luma and float stretching noted.
    func testTIFFScenesAreRead() throws {
        let (dir, cleanup) = try temporaryDirectory("scene-tiff")
        defer { cleanup() }
        let frame = dir.appendingPathComponent("frame.tif").path
        try TIFFFile.write(.gray16([0, 65535, 13107, 26214], width: 2, height: 2), to: frame)
        var notes: [String] = []
        guard case .intensity(let x) = try SceneSource(parsing: frame).load(height: 2, width: 2, log: { notes.append($0) }) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(x.array, [0, 1, 0.2, 0.4])
        XCTAssertEqual(notes, [])
        let colour = dir.appendingPathComponent("colour.tiff").path
        try TIFFFile.write(.rgb8([200, 100, 50, 0, 0, 0, 9, 9, 9, 255, 255, 255], width: 2, height: 2), to: colour,
                           compression: .deflate)
        guard case .intensity(let c) = try SceneSource(parsing: colour).load(height: 2, width: 2, log: { notes.append($0) }) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(c.array, [Float(RasterImage.luma(200, 100, 50)) / 255, 0, 9 / 255, 1])
        let float = dir.appendingPathComponent("phase.TIF").path
        try TIFFFile.write(.gray32f([-1, 1, 3, 0], width: 2, height: 2), to: float)
        guard case .intensity(let f) = try SceneSource(parsing: float).load(height: 2, width: 2, log: { notes.append($0) }) else {
            return XCTFail("expected intensities")
        }
        XCTAssertEqual(f.array, [0, 0.5, 1, 0.25])
        XCTAssertEqual(notes, ["\(colour): colour image (rgb) converted to gray with the Rec. 601 luma weights",
                               "\(float): float image with values outside [0, 1] stretched to [0, 1]"])
    }

    func testFashionMNISTImageComesFromTheFile() throws {
        let directory = IDXFile.fashionMNISTDirectory
        try XCTSkipIf(FashionMNISTFixture.missing != nil, FashionMNISTFixture.missing ?? "")
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
