import Foundation
import Storage
import XCTest

/// Bad `--data` given to the built `phasemask`: one line `Error: …` naming the source or file and the
/// problem, a plain failure status, and nothing left where the outputs would have gone.
final class SceneDataCLITests: XCTestCase {
    /// Folders of bad scene data inside `root`, by name.
    func makeFolders(_ root: String) throws -> [String: String] {
        let fm = FileManager.default
        var folders: [String: String] = [:]
        for name in ["empty", "junk", "tiny", "tiff", "two"] {
            folders[name] = root + "/" + name
            try fm.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
        }
        let good = RasterImage.gray8((0..<144).map { UInt8($0) }, width: 12, height: 12)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: root + "/junk/readme.txt"))
        for k in 0..<3 { try PNGFile.write(good, to: root + "/tiny/ok\(k).png") }
        try PNGFile.write(.gray8([7], width: 1, height: 1), to: root + "/tiny/dot.png")
        for k in 0..<3 { try PNGFile.write(good, to: root + "/tiff/ok\(k).png") }
        try Data("II*\0".utf8).write(to: URL(fileURLWithPath: root + "/tiff/scan.TIF"))
        for k in 0..<2 { try PNGFile.write(good, to: root + "/two/ok\(k).png") }
        return folders
    }

    func testBadSceneDataGivesOneLineErrorsAndNoOutput() throws {
        let root = try Fault.temporaryDirectory(self, "scene-data")
        let f = try makeFolders(root)
        let cases: [(data: String, fragments: [String])] = [
            (f["empty"]!, ["empty", "no images"]),
            (f["junk"]!, ["no PNG, BMP, TIFF or HDF5 image", "readme.txt"]),
            (f["tiny"]!, ["dot.png", "1×1"]),
            (f["tiff"]!, ["scan.TIF", "TIFF"]),
            (f["two"]!, ["at least 3"]),
            ("synthetic:blobs,clouds", ["unknown synthetic generator 'clouds'"]),
            ("synthetic:blobs@0", ["synthetic:blobs@0", "positive number"]),
            (root + "/missing", ["missing", "no such directory"]),
        ]
        let commands: [[String]] = [
            ["train", "--mode", "e2e", "--preset", "tiny", "--train-size", "16", "--val-size", "4", "--test-size", "4",
             "--batch", "4", "--threads", "1", "--out", "OUT/run"],
            ["design", "--preset", "tiny", "--snapshots", "2", "--train-size", "16", "--test-size", "4",
             "--threads", "1", "--work", "OUT/work", "--out", "OUT/masks"],
        ]
        for (data, fragments) in cases {
            for command in commands {
                let parent = try Fault.temporaryDirectory(self, "scene-data-out")
                let arguments = (command + ["--data", data]).map { $0.replacingOccurrences(of: "OUT", with: parent + "/out") }
                let (status, _, err) = try PhaseMaskProcess.run(arguments, timeout: 120)
                let label = arguments.joined(separator: " ")
                XCTAssertTrue(status != 0 && status < 128, "\(label): exit status \(status)")
                XCTAssertEqual(err.split(whereSeparator: \.isNewline).count, 1, "\(label): \(err)")
                XCTAssertTrue(err.hasPrefix("Error: "), "\(label): \(err)")
                for fragment in fragments { XCTAssertTrue(err.contains(fragment), "\(label): '\(err)' should mention '\(fragment)'") }
                XCTAssertEqual(Fault.listing(parent), [], "\(label) left files behind")
            }
        }
    }
}
