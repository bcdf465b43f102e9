import Foundation
import Storage
import TensorCore
@testable import Training
import XCTest

/// `--data DIR`: reading a folder of PNG, BMP, TIFF and HDF5 images, splitting it by file, cutting crops.
final class ImageFolderTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "phasemask-folder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// A gray PNG of `width × height` whose pixel i is `value(i)`.
    func png(_ name: String, _ width: Int, _ height: Int, _ value: (Int) -> UInt8) throws {
        try FileManager.default.createDirectory(atPath: (path(name) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try PNGFile.write(.gray8((0..<width * height).map(value), width: width, height: height), to: path(name))
    }

    /// Texture whose every pixel differs from its neighbours (crops and transforms are visible).
    func texture(_ i: Int) -> UInt8 { UInt8((i * 37 + (i / 7) * 11) % 251) }

    func testReadsEveryFormatColourAndOddSizes() throws {
        try png("gray.png", 20, 13) { _ in 51 }
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        try PNGFile.write(.rgb8([UInt8](repeating: 0, count: 3 * 17 * 31).enumerated().map { i, _ in [200, 100, 50][i % 3] },
                                width: 17, height: 31), to: path("sub/colour.PNG"))
        try PNGFile.write(.gray16([UInt16](repeating: 65535, count: 35), width: 5, height: 7), to: path("deep.png"))
        try BMPFile.writeGray8([UInt8](repeating: 102, count: 9 * 11), width: 9, height: 11, to: path("slm.bmp"))
        let h5 = try HDF5File.create(path: path("stack.h5"))
        try h5.write([Float](repeating: 0.25, count: 6 * 4), shape: [6, 4], to: "/a/unit")
        try h5.write((0..<5 * 5).map { Double($0) - 3 }, shape: [5, 5], to: "/b/radians")
        try h5.write([UInt8](repeating: 255, count: 4 * 4), shape: [4, 4], to: "/bytes")
        try h5.write([Float](repeating: 0, count: 2 * 4 * 4), shape: [2, 4, 4], to: "/volume")
        try h5.close()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: path("README.txt")))
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: path(".DS_Store")))

        let folder = try ImageFolder(directory)
        XCTAssertEqual(folder.files, ["deep.png", "gray.png", "slm.bmp", "stack.h5", "sub/colour.PNG"])
        XCTAssertEqual(folder.ignored, ["README.txt"])
        var report = ImageFolder.Report()
        func only(_ name: String) throws -> Tensor {
            let images = try folder.images(name, report: &report)
            XCTAssertEqual(images.count, 1, name)
            return images[0]
        }
        let gray = try only("gray.png")
        XCTAssertEqual(gray.shape, [1, 1, 13, 20])
        XCTAssertEqual(gray.buffer.max()!, 0.2, accuracy: 1e-6)
        let colour = try only("sub/colour.PNG")
        XCTAssertEqual(colour.shape, [1, 1, 31, 17])
        XCTAssertEqual(colour.pointer[0], Float(RasterImage.luma(200, 100, 50)) / 255)
        XCTAssertEqual(try only("deep.png").buffer.min()!, 1)
        XCTAssertEqual(try only("slm.bmp").pointer[0], 0.4, accuracy: 1e-6)
        let stack = try folder.images("stack.h5", report: &report)
        XCTAssertEqual(stack.map(\.shape), [[1, 1, 6, 4], [1, 1, 5, 5], [1, 1, 4, 4]], "the 3-D dataset is skipped")
        XCTAssertEqual(stack[0].buffer.max()!, 0.25, "floats inside [0, 1] are kept")
        XCTAssertEqual(stack[1].buffer.min()!, 0)
        XCTAssertEqual(stack[1].buffer.max()!, 1, "floats outside [0, 1] are stretched")
        XCTAssertEqual(stack[2].buffer.min()!, 1, "uint8 / 255")
        XCTAssertEqual(report.colour, 1)
        XCTAssertEqual(report.stretched, 1)
        XCTAssertEqual(report.skippedDatasets, 1)
        let notes = report.notes("folder:x", folder: folder)
        XCTAssertTrue(notes.contains { $0.contains("1 colour image(s) converted to gray") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("README.txt") }, "\(notes)")
    }

    /// TIFF files beside PNG ones: listed, read like PNG (16-bit gray / 65535, colour → luma with a note,
    /// float outside [0, 1] stretched with a note), and cut into scenes of every split.
    func testTIFFScenesAreReadBesidePNG() throws {
        try png("a.png", 12, 10, texture)
        try FileManager.default.createDirectory(atPath: path("cam"), withIntermediateDirectories: true)
        let frame = (0..<14 * 9).map { UInt16($0 * 500) }
        try TIFFFile.write(.gray16(frame, width: 14, height: 9), to: path("cam/frame.tif"), compression: .deflate)
        var rgb: [UInt8] = []
        for i in 0..<8 * 6 { rgb += [UInt8(i * 5), 100, UInt8(255 - i)] }
        try TIFFFile.write(.rgb8(rgb, width: 8, height: 6), to: path("colour.TIFF"))
        try TIFFFile.write(.gray32f((0..<25).map { Float($0) - 5 }, width: 5, height: 5), to: path("phase.tif"))
        let folder = try ImageFolder(directory)
        XCTAssertEqual(folder.files, ["a.png", "cam/frame.tif", "colour.TIFF", "phase.tif"])
        XCTAssertEqual(folder.ignored, [])
        var report = ImageFolder.Report()
        let deep = try folder.images("cam/frame.tif", report: &report)
        XCTAssertEqual(deep.map(\.shape), [[1, 1, 9, 14]])
        XCTAssertEqual(deep[0].array, frame.map { Float($0) / 65535 })
        let colour = try folder.images("colour.TIFF", report: &report)[0]
        XCTAssertEqual(colour.pointer[7], Float(RasterImage.luma(35, 100, 248)) / 255)
        let phase = try folder.images("phase.tif", report: &report)[0]
        XCTAssertEqual(phase.array, (0..<25).map { Float($0) / 24 })
        XCTAssertEqual([report.colour, report.stretched, report.transparent], [1, 1, 0])
        let notes = report.notes("folder:x", folder: folder)
        XCTAssertEqual(notes, ["folder:x: 1 colour image(s) converted to gray (Rec. 601 luma)",
                               "folder:x: 1 float image(s) outside [0, 1] stretched to [0, 1]"])
        XCTAssertNoThrow(try everySplit())
    }

    func testDamagedTIFFIsNamed() throws {
        for k in 0..<3 { try png("good\(k).png", 12, 12, texture) }
        try Data("II*\0".utf8).write(to: URL(fileURLWithPath: path("scan.tif")))
        XCTAssertNoThrow(try ImageFolder(directory), "listing does not decode")
        XCTAssertThrowsError(try everySplit()) { error in
            XCTAssertTrue("\(error)".hasPrefix(path("scan.tif") + ": ") && "\(error)".contains("TIFF header"), "\(error)")
        }
    }

    /// Four 8×8 scenes of every split of the folder (so every file is read).
    func everySplit() throws {
        let folder = try ImageFolder(directory)
        var report = ImageFolder.Report()
        for split in SceneSplit.allCases { _ = try folder.scenes(split, count: 4, size: 8, report: &report) }
    }

    func testUnreadableFileIsNamed() throws {
        for k in 0..<4 { try png("good\(k).png", 12, 12, texture) }
        try Data([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).write(to: URL(fileURLWithPath: path("broken.png")))
        XCTAssertThrowsError(try everySplit()) { error in
            XCTAssertTrue("\(error)".contains("broken.png"), "\(error)")
        }
    }

    func testTooSmallImageIsRefused() throws {
        for k in 0..<3 { try png("good\(k).png", 12, 12, texture) }
        try png("dot.png", 1, 1) { _ in 9 }
        XCTAssertThrowsError(try everySplit()) { error in
            XCTAssertTrue("\(error)".contains("dot.png") && "\(error)".contains("1×1"), "\(error)")
        }
    }

    func testFoldersThatCannotBeUsedAreRefusedClearly() throws {
        XCTAssertThrowsError(try ImageFolder(directory)) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
        try Data("x".utf8).write(to: URL(fileURLWithPath: path("notes.txt")))
        XCTAssertThrowsError(try ImageFolder(directory)) {
            XCTAssertTrue("\($0)".contains("no PNG, BMP, TIFF or HDF5 image") && "\($0)".contains("notes.txt"), "\($0)")
        }
        try png("a.png", 8, 8, texture)
        try png("b.png", 8, 8, texture)
        XCTAssertThrowsError(try ImageFolder(directory)) { XCTAssertTrue("\($0)".contains("at least 3"), "\($0)") }
        XCTAssertThrowsError(try ImageFolder(directory + "/missing")) { XCTAssertTrue("\($0)".contains("no such folder"), "\($0)") }
    }

    func testSplitIsByFileAndNoSceneCrossesIt() throws {
        // File k is a constant image of gray k + 1: a scene's value names the file it was cut from.
        for k in 0..<25 { try png(String(format: "img%02d.png", k), 10 + k % 4, 9 + k % 3) { _ in UInt8(k + 1) } }
        let folder = try ImageFolder(directory)
        let parts = SceneSplit.allCases.map { folder.files(in: $0) }
        XCTAssertEqual(parts.map(\.count), [19, 3, 3], "⌈25/10⌉ = 3 test and 3 validation files")
        XCTAssertEqual(Set(parts.joined()), Set(folder.files))
        var report = ImageFolder.Report()
        var sourcesBySplit: [Set<Int>] = []
        for (k, split) in SceneSplit.allCases.enumerated() {
            let scenes = try folder.scenes(split, count: 40, size: 8, report: &report)
            let sources = Set(scenes.buffer.map { Int(($0 * 255).rounded()) - 1 })
            let files = Set(parts[k].map { Int($0.dropFirst(3).prefix(2))! })
            XCTAssertTrue(sources.isSubset(of: files), "\(split) scenes come only from \(split) files: \(sources) vs \(files)")
            XCTAssertGreaterThan(sources.count, 1, "\(split) scenes are cut from several files")
            sourcesBySplit.append(sources)
        }
        XCTAssertTrue(sourcesBySplit[0].isDisjoint(with: sourcesBySplit[2]))
        XCTAssertTrue(sourcesBySplit[1].isDisjoint(with: sourcesBySplit[2]))
        XCTAssertTrue(sourcesBySplit[0].isDisjoint(with: sourcesBySplit[1]))
        // Adding files (⌈n/10⌉ 3 → 4, less than doubling) moves no training file into the test split.
        for k in 25..<40 { try png(String(format: "img%02d.png", k), 10, 10) { _ in UInt8(k + 1) } }
        let grown = try ImageFolder(directory)
        XCTAssertTrue(Set(grown.files(in: .test)).isDisjoint(with: parts[0]))
        // Another data seed splits differently.
        XCTAssertNotEqual(folder.files(in: .test, seed: 1), parts[2])
    }

    func testCropsAreReproducibleFromTheSeed() throws {
        for k in 0..<5 { try png("t\(k).png", 30 + k, 21) { self.texture($0 + k) } }
        let folder = try ImageFolder(directory)
        var report = ImageFolder.Report()
        let a = try folder.scenes(.train, count: 6, size: 8, report: &report)
        let b = try folder.scenes(.train, count: 6, size: 8, report: &report)
        XCTAssertTrue(a.isBitIdentical(to: b))
        let longer = try folder.scenes(.train, count: 9, size: 8, report: &report)
        XCTAssertEqual(longer.slice(0..<6).array, a.array, "a longer request starts with the same scenes")
        let reseeded = try folder.scenes(.train, count: 6, size: 8, seed: 99, report: &report)
        XCTAssertNotEqual(reseeded.array, a.array)
        XCTAssertNotEqual(a.slice(0..<1).array, a.slice(1..<2).array)
        XCTAssertGreaterThanOrEqual(a.buffer.min()!, 0)
        XCTAssertLessThanOrEqual(a.buffer.max()!, 1)
    }

    func testCropSideSpansHalfTheSceneToTheWholeImage() {
        var crop = RandomCrop(scale: 0, x: 0, y: 0, flip: false, quarterTurns: 0)
        XCTAssertEqual(crop.side(shorter: 100, size: 16), 8)
        XCTAssertEqual(crop.side(shorter: 5, size: 16), 5, "never larger than the image")
        crop.scale = 0.999_999
        XCTAssertEqual(crop.side(shorter: 100, size: 16), 100)
        crop.scale = 0.5
        XCTAssertEqual(crop.side(shorter: 32, size: 16), 16, "log-uniform: the geometric mean at the middle")
    }

    func testCropCutsTheRightPixelsAndTheEightSymmetriesDiffer() {
        // A 10×12 ramp; scale 0 at scene size 8 gives crop side 4, the corner draws put it bottom-right
        // (rows 6…9, columns 8…11), and the 4×4 crop is enlarged to 8×8.
        let ramp = Tensor((0..<10 * 12).map { Float($0) / 120 }, shape: [1, 1, 10, 12])
        var corner = [Float](repeating: -1, count: 64)
        RandomCrop(scale: 0, x: 0.999, y: 0.999, flip: false, quarterTurns: 0).apply(ramp, size: 8, into: &corner)
        XCTAssertEqual(corner[0], Float(6 * 12 + 8) / 120)
        XCTAssertEqual(corner[63], Float(9 * 12 + 11) / 120)
        XCTAssertEqual(corner.min()!, Float(6 * 12 + 8) / 120)

        // A 4×4 image at size 4 with the largest scale is used whole, unresampled; the 8 symmetries are 8 different permutations.
        let small = Tensor((0..<16).map { Float($0) }, shape: [1, 1, 4, 4])
        func transformed(flip: Bool, turns: Int) -> [Float] {
            var p = [Float](repeating: -1, count: 16)
            RandomCrop(scale: 0.999_999, x: 0.3, y: 0.6, flip: flip, quarterTurns: turns).apply(small, size: 4, into: &p)
            return p
        }
        XCTAssertEqual(transformed(flip: false, turns: 0), small.array)
        var seen = Set<[Float]>()
        for flip in [false, true] {
            for turns in 0..<4 {
                let p = transformed(flip: flip, turns: turns)
                XCTAssertEqual(p.sorted(), small.array, "a permutation of the pixels")
                seen.insert(p)
            }
        }
        XCTAssertEqual(seen.count, 8)
        // A quarter turn counter-clockwise brings the last column to the top row; a flip mirrors rows.
        XCTAssertEqual(Array(transformed(flip: false, turns: 1)[0..<4]), [3, 7, 11, 15])
        XCTAssertEqual(Array(transformed(flip: true, turns: 0)[0..<4]), [3, 2, 1, 0])
    }
}
