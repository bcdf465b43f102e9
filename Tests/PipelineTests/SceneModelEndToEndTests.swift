import Fabrication
import Foundation
import Optics
import Pipeline
import Storage
import TensorCore
import TestSupport
import Training
import XCTest

/// The scene model from the command line at tiny size on synthetic scenes: a phase range set on `train`
/// travels through the checkpoint, `--resume`, `export` (configuration and verification scenes),
/// `verify`, `simulate`, `reconstruct` and `evaluate`.
final class SceneModelEndToEndTests: XCTestCase {
    func testPhaseRangeRoundTripsThroughCheckpointExportVerifyAndSimulate() throws {
        let dir = NSTemporaryDirectory() + "phasemask-scene-model-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func run(_ args: [String], status: Int32 = 0) throws -> CommandLineTool.Result {
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, status, "phasemask \(args.joined(separator: " ")):\n\(r.output)\n\(r.error)")
            return r
        }
        let train = ["train", "--mode", "e2e", "--preset", "tiny", "--data", "synthetic:blobs,polygons", "--train-size", "32",
                     "--val-size", "8", "--test-size", "8", "--batch", "8", "--threads", "1", "--out", dir + "/run"]
        let range = SceneModel(phaseMin: 0, phaseMax: 2)

        // train and resume with the range; a resume without it is refused.
        _ = try run(train + ["--phase-range", "0:2"])
        let checkpoint = dir + "/run/checkpoint.h5"
        var config = try Checkpoint.configuration(at: checkpoint)
        XCTAssertEqual(config.sceneModel, range)
        XCTAssertEqual(config.phaseScale, 2)
        _ = try run(train + ["--phase-range", "0:2", "--epochs", "2", "--resume"])
        config = try Checkpoint.configuration(at: checkpoint)
        XCTAssertEqual(config.epochs, 2)
        let refused = try run(train + ["--epochs", "3", "--resume"], status: 1)
        XCTAssertTrue(refused.error.contains("was trained on scenes with phase 0:2 rad"), refused.error)

        // export records the model and builds its verification scenes with it; verify passes.
        _ = try run(["export", "--model", checkpoint, "--slm", "pluto-2", "--levels", "8", "--metrics-images", "8",
                     "--out", dir + "/masks", "--name", "d"])
        let designPath = dir + "/masks/d.h5"
        let design = try DesignFile.read(path: designPath)
        XCTAssertEqual(try ExportJob.sceneModel(ofDesignConfiguration: design.metadata.configurationJSON, path: designPath), range)
        XCTAssertTrue(design.metadata.configurationJSON.contains(#""training":{"#), design.metadata.configurationJSON)
        let scenes = try SceneSplits.testScenes(config, count: 4)
        let expected = try range.field(scenes)
        XCTAssertEqual(design.verification?.scenes.shape, [4, 16, 16])
        XCTAssertLessThan(maxAbsDifference(design.verification!.scenes.storage, expected.storage), 1e-6)
        XCTAssertTrue(try run(["verify", designPath]).output.contains("\nPASSED (tolerance"))

        // simulate takes the design's model; reconstruct scores against the stored I.
        let ramp = RasterImage.gray8((0..<256).map { UInt8(($0 % 16) * 17) }, width: 16, height: 16)
        try PNGFile.write(ramp, to: dir + "/ramp.png")
        let simulated = try run(["simulate", "--mask", designPath, "--scene", dir + "/ramp.png", "--out", dir + "/cdp.h5"])
        XCTAssertTrue(simulated.output.contains("scenes phase 0:2 rad"), simulated.output)
        let cdp = try HDF5File.open(path: dir + "/cdp.h5")
        XCTAssertEqual(try cdp.attribute("phase_range_rad", of: "/cdp"), .doubles([0, 2]))
        XCTAssertEqual(try cdp.doubleAttribute("phase_scale_rad", of: "/cdp"), 2)
        let intensity = try cdp.readTensor("/scene_intensity")
        let field = ComplexField(storage: try cdp.readTensor("/scene"))
        try cdp.close()
        XCTAssertTrue(bitIdentical(field.storage, try range.field(intensity).storage))
        let rec = try run(["reconstruct", "--model", dir + "/masks/d_recovery.h5", "--cdp", dir + "/cdp.h5",
                           "--out", dir + "/rec.png"])
        XCTAssertTrue(rec.output.contains("against the stored scene: PSNR"), rec.output)
        let estimate = try HDF5File.open(path: dir + "/rec.h5")
        XCTAssertEqual(try estimate.attribute("phase_range_rad", of: "/estimate"), .doubles([0, 2]))
        try estimate.close()

        // An amplitude image, an amplitude range and seeded background offsets on top of the design's range.
        let dots = RasterImage.gray8((0..<256).map { $0 % 3 == 0 ? 255 : 0 }, width: 16, height: 16)
        try PNGFile.write(dots, to: dir + "/dots.png")
        _ = try run(["simulate", "--mask", designPath, "--scene", dir + "/ramp.png", "--amplitude", dir + "/dots.png",
                     "--amplitude-range", "1:0.5", "--background-offset", "0.5", "--seed", "3", "--out", dir + "/cdp2.h5"])
        let file = try HDF5File.open(path: dir + "/cdp2.h5")
        let x = ComplexField(storage: try file.readTensor("/scene"))
        let i2 = try file.readTensor("/scene_intensity")
        guard case .floats(let offsets) = try file.attribute("background_offsets_rad", of: "/cdp") else {
            return XCTFail("background_offsets_rad should be a float list")
        }
        XCTAssertEqual(try file.stringAttribute("amplitude_source", of: "/cdp"), dir + "/dots.png")
        try file.close()
        XCTAssertEqual(offsets.count, 1)
        XCTAssertLessThanOrEqual(abs(offsets[0]), 0.5)
        for k in 0..<x.count {
            let (re, im) = x[k]
            XCTAssertEqual(hypot(re, im), k % 3 == 0 ? 0.5 : 1, accuracy: 1e-6, "pixel \(k)")
            let phase = 2 * i2.pointer[k] + (i2.pointer[k] == 0 ? offsets[0] : 0)
            XCTAssertEqual(circularDistance(Double(atan2(im, re)), Double(phase)), 0, accuracy: 1e-5, "pixel \(k)")
        }

        // evaluate: the checkpoint's model, offsets only when asked.
        let plain = try run(["evaluate", "--model", checkpoint, "--threads", "1"])
        XCTAssertTrue(plain.output.hasPrefix("test (8 images): PSNR"), plain.output)
        let offset = try run(["evaluate", "--model", checkpoint, "--background-offset", "pi/4", "--threads", "1"])
        XCTAssertTrue(offset.output.hasPrefix("test (8 images, background offsets ±0.785398 rad): PSNR"), offset.output)
    }
}

/// `design` with a scene model and learning-rate options: every stage records them, and a rerun with
/// another model retrains every stage in the same work folder (the fine-tuning included) instead of
/// reusing them.
final class SceneModelDesignTests: XCTestCase {
    func testDesignRecordsTheModelAndRetrainsWhenItChanges() throws {
        let dir = NSTemporaryDirectory() + "phasemask-scene-model-design-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func design(_ extra: [String]) throws -> String {
            let args = ["design", "--preset", "tiny", "--snapshots", "2", "--levels", "4", "--train-size", "32",
                        "--test-size", "8", "--finetune-epochs", "1", "--data", "synthetic:blobs,polygons",
                        "--work", dir + "/work", "--out", dir + "/masks", "--name", "t", "--threads", "1"] + extra
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, 0, "phasemask \(args.joined(separator: " ")):\n\(r.output)\n\(r.error)")
            XCTAssertTrue(r.output.contains("verify: passed"), r.output)
            return r.output
        }
        let model = SceneModel(phaseMin: -1, phaseMax: 1, backgroundOffset: 0.2, amplitudeAtZero: 1, amplitudeAtOne: 0.8)
        _ = try design(["--phase-range=-1:1", "--background-offset", "0.2", "--amplitude-range", "1:0.8",
                        "--lr", "0.003", "--schedule", "decay", "--decay", "0.5"])
        for stage in ["teacher", "student", "finetune"] {
            let config = try Checkpoint.configuration(at: "\(dir)/work/\(stage)/checkpoint.h5")
            XCTAssertEqual(config.sceneModel, model, stage)
            // The rate options reach every stage; fine-tuning inherits them from the student.
            XCTAssertEqual(config.learningRate, 0.003, stage)
            XCTAssertEqual(config.schedule, .decay, stage)
            XCTAssertEqual(config.decayFraction, 0.5, stage)
        }
        let path = dir + "/masks/t.h5"
        XCTAssertEqual(try ExportJob.sceneModel(ofDesignConfiguration: try DesignFile.read(path: path).metadata.configurationJSON,
                                                path: path), model)
        let again = try design([])
        XCTAssertTrue(again.contains("teacher: settings changed"), again)
        XCTAssertTrue(again.contains("student: settings changed"), again)
        XCTAssertEqual(try Checkpoint.configuration(at: dir + "/work/finetune/checkpoint.h5").sceneModel, .standard)
        XCTAssertEqual(try ExportJob.sceneModel(ofDesignConfiguration: try DesignFile.read(path: path).metadata.configurationJSON,
                                                path: path), .standard)
    }
}
