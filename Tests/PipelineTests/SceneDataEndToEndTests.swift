import Foundation
import Storage
import TensorCore
import TestSupport
import Training
import XCTest

/// The product on scenes other than FashionMNIST, from the command line at tiny size and without any
/// dataset installed: design on synthetic phase objects, then evaluate on a folder of images.
final class SceneDataEndToEndTests: XCTestCase {
    func testDesignOnSyntheticScenesThenEvaluateOnAFolder() throws {
        let dir = NSTemporaryDirectory() + "phasemask-scenes-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        func run(_ args: [String]) throws -> CommandLineTool.Result {
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, 0, "phasemask \(args.joined(separator: " ")) failed:\n\(r.output)\n\(r.error)")
            return r
        }

        let design = try run(["design", "--preset", "tiny", "--snapshots", "2", "--levels", "4", "--train-size", "32",
                              "--test-size", "8", "--finetune-epochs", "1", "--data", "synthetic:blobs,polygons",
                              "--work", dir + "/work", "--out", dir + "/masks", "--name", "t", "--threads", "1"])
        XCTAssertEqual(design.lines(startingWith: "loading ").count, 2, "teacher and student:\n\(design.output)")
        XCTAssertTrue(design.lines(startingWith: "loading ").allSatisfy { $0.hasPrefix("loading synthetic:blobs,polygons (32/") },
                      design.output)
        XCTAssertEqual(design.lines(startingWith: "verify: "), ["verify: passed"])

        // The checkpoint records the sources; the design file stores the design's own first test scenes.
        let checkpoint = dir + "/work/finetune/checkpoint.h5"
        let config = try Checkpoint.configuration(at: checkpoint)
        XCTAssertEqual(config.dataSources, [DataSource(.synthetic([.blobs, .polygons]))])
        let file = try HDF5File.open(path: dir + "/masks/t.h5")
        let stored = try file.readTensor("/verification/scenes")
        try file.close()
        let scenes = try SceneSplits.testScenes(config, count: 4)
        XCTAssertEqual(stored.shape, [4, 16, 16, 2])
        let phaseScale = Float(config.phaseScale)
        for i in 0..<scenes.count {
            XCTAssertEqual(stored.pointer[2 * i], cos(phaseScale * scenes.pointer[i]), accuracy: 1e-5, "scene value \(i)")
        }

        // evaluate on a folder of another kind of scene (smooth ramps cut from 5 PNG files).
        for k in 0..<5 {
            let image = RasterImage.gray8((0..<40 * 30).map { UInt8(($0 % 40) * 6 + k) }, width: 40, height: 30)
            try PNGFile.write(image, to: "\(dir)/images/ramp\(k).png")
        }
        let own = try run(["evaluate", "--model", checkpoint, "--threads", "1"])
        XCTAssertEqual(own.lines(startingWith: "test (").count, 1, own.output)
        XCTAssertTrue(own.output.hasPrefix("test (8 images): PSNR "), own.output)
        let other = try run(["evaluate", "--model", checkpoint, "--data", dir + "/images", "--test-size", "4", "--threads", "1"])
        XCTAssertTrue(other.output.hasPrefix("test (4 images of folder:\(dir)/images): PSNR"), other.output)
    }
}
