import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import Training
import XCTest

/// Scenes with an amplitude channel from the command line at tiny size: train on a folder of
/// phase/amplitude pairs, evaluate on it and on a stack of complex fields, and the refusals of a
/// pure-phase model (a new run without --amplitude-range, an old checkpoint).
final class AmplitudeEndToEndTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-0.1").path

    /// A pair folder of five 24×20 ramps with A = 1 − I in `dir/pairs`; returns its path.
    func makePairs(in dir: String) throws -> String {
        let pairs = dir + "/pairs"
        for sub in ["phase", "amplitude"] {
            try FileManager.default.createDirectory(atPath: "\(pairs)/\(sub)", withIntermediateDirectories: true)
        }
        for k in 0..<5 {
            let values = (0..<24 * 20).map { UInt8(($0 % 24) * 9 + ($0 / 24) * 2 + k) }
            try PNGFile.write(.gray8(values, width: 24, height: 20), to: "\(pairs)/phase/s\(k).png")
            try PNGFile.write(.gray8(values.map { 255 - $0 }, width: 24, height: 20), to: "\(pairs)/amplitude/s\(k).png")
        }
        return pairs
    }

    func run(_ args: [String], status: Int32 = 0) throws -> CommandLineTool.Result {
        let r = try CommandLineTool.run(args, timeout: 300)
        XCTAssertEqual(r.status, status, "phasemask \(args.joined(separator: " ")):\n\(r.output)\n\(r.error)")
        return r
    }

    func testTrainOnPairsThenEvaluateOnPairsAndComplexFields() throws {
        let dir = NSTemporaryDirectory() + "phasemask-amplitude-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pairs = try makePairs(in: dir)
        let train = ["train", "--mode", "e2e", "--preset", "tiny", "--data", pairs, "--train-size", "32", "--val-size", "8",
                     "--test-size", "8", "--batch", "8", "--threads", "1"]

        // Without an amplitude range the channel would be ignored: refused before anything is written.
        let refused = try run(train + ["--out", dir + "/pure"], status: 64)
        XCTAssertEqual(refused.error.split(whereSeparator: \.isNewline).count, 1, refused.error)
        XCTAssertTrue(refused.error.hasPrefix("Error: --data pairs:\(pairs) has an amplitude channel, but the amplitude range 1:1"),
                      refused.error)
        XCTAssertTrue(refused.error.contains("give --amplitude-range A0:A1"), refused.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pure"))

        let trained = try run(train + ["--amplitude-range", "0.2:1", "--out", dir + "/run"])
        XCTAssertEqual(trained.lines(startingWith: "loading "), ["loading pairs:\(pairs) (32/8/8 images at 16×16)"])
        XCTAssertEqual(trained.lines(startingWith: "test (").count, 1, trained.output)
        let checkpoint = dir + "/run/checkpoint.h5"
        let config = try Checkpoint.configuration(at: checkpoint)
        XCTAssertEqual(config.dataSources, [DataSource(.pairs(pairs))])
        XCTAssertEqual(config.sceneModel, SceneModel(amplitudeAtZero: 0.2, amplitudeAtOne: 1))

        // evaluate on the checkpoint's own pairs and on them given again: the scores it prints are those
        // of the scenes with their amplitude channel.
        let scenes = try SceneSplits.testScenes(config)
        XCTAssertEqual(scenes.shape, [8, 2, 16, 16])
        let expected = try Evaluation.evaluate(try Checkpoint.load(checkpoint).system, images: scenes, batchSize: config.batchSize)
        let own = try run(["evaluate", "--model", checkpoint, "--threads", "1"])
        XCTAssertTrue(own.output.hasPrefix(String(format: "test (8 images): PSNR %.2f dB  SSIM %.4f", expected.psnr, expected.ssim)),
                      own.output)
        let again = try run(["evaluate", "--model", checkpoint, "--data", pairs, "--test-size", "4", "--threads", "1"])
        XCTAssertTrue(again.output.hasPrefix("test (4 images of pairs:\(pairs)): PSNR "), again.output)

        // A stack of complex fields x = 3·(1 − I)·exp(jπI) is read with the checkpoint's phase range.
        var g = SeededGenerator(seed: 9)
        let i = Tensor.uniform([4, 1, 16, 16], generator: &g)
        let x = try SceneModel(amplitudeAtZero: 1, amplitudeAtOne: 0).field(i)
        for k in 0..<x.storage.count { x.storage.pointer[k] *= 3 }
        let h5 = try HDF5File.create(path: dir + "/fields.h5")
        try h5.write(x.storage, to: "/scenes")
        try h5.close()
        let fields = try run(["evaluate", "--model", checkpoint, "--data", dir + "/fields.h5:/scenes", "--test-size", "4",
                              "--threads", "1"])
        XCTAssertTrue(fields.output.hasPrefix("test (4 images of complex:\(dir)/fields.h5:/scenes): PSNR "), fields.output)

        // A pure-phase checkpoint written by 0.1 still loads, and refuses scenes with an amplitude channel.
        let old = try run(["evaluate", "--model", Self.fixtures + "/teacher.h5", "--data", pairs, "--threads", "1"], status: 1)
        XCTAssertEqual(old.error, "Error: \(Self.fixtures)/teacher.h5: was trained on scenes with phase 0:3.14159 rad: --data "
                       + "pairs:\(pairs) has an amplitude channel, but the amplitude range 1:1 gives every pixel the same amplitude "
                       + "and would ignore it; score it on scenes without one, or train with --amplitude-range A0:A1 (A0 ≠ A1)\n")
    }

    /// `design` on pairs: every stage trains with the amplitude channel, and the design file's
    /// verification scenes are the design's test scenes with their own amplitude images.
    func testDesignOnPairsStoresVerificationScenesWithTheirAmplitude() throws {
        let dir = NSTemporaryDirectory() + "phasemask-amplitude-design-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pairs = try makePairs(in: dir)
        let design = try run(["design", "--preset", "tiny", "--snapshots", "2", "--levels", "4", "--train-size", "32",
                              "--test-size", "8", "--finetune-epochs", "1", "--data", pairs, "--amplitude-range", "1:0.4",
                              "--work", dir + "/work", "--out", dir + "/masks", "--name", "t", "--threads", "1"])
        XCTAssertEqual(design.lines(startingWith: "loading "), Array(repeating: "loading pairs:\(pairs) (32/32/8 images at 16×16)", count: 2))
        XCTAssertEqual(design.lines(startingWith: "verify: "), ["verify: passed"])
        let config = try Checkpoint.configuration(at: dir + "/work/finetune/checkpoint.h5")
        XCTAssertEqual(config.dataSources, [DataSource(.pairs(pairs))])
        let scenes = try SceneSplits.testScenes(config, count: 4)
        let expected = try config.sceneModel.field(SceneChannels.phase(scenes), amplitude: SceneChannels.amplitude(scenes))
        let file = try HDF5File.open(path: dir + "/masks/t.h5")
        let stored = try file.readTensor("/verification/scenes")
        try file.close()
        XCTAssertEqual(stored.shape, [4, 16, 16, 2])
        XCTAssertLessThan(maxAbsDifference(stored, expected.storage), 1e-5)
        let withoutAmplitude = try config.sceneModel.field(SceneChannels.phase(scenes))
        XCTAssertGreaterThan(maxAbsDifference(stored, withoutAmplitude.storage), 0.1, "A = 1 − I differs from A = I")
    }

    /// A pair folder with a file that has no partner stops `train` with one line naming it, before anything is written.
    func testUnmatchedPairFileIsNamedOnTheCommandLine() throws {
        let dir = NSTemporaryDirectory() + "phasemask-amplitude-orphan-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pairs = try makePairs(in: dir)
        try PNGFile.write(.gray8([UInt8](repeating: 9, count: 64), width: 8, height: 8), to: pairs + "/amplitude/extra.png")
        let r = try CommandLineTool.run(["train", "--mode", "e2e", "--preset", "tiny", "--data", pairs, "--amplitude-range", "0:1",
                                         "--threads", "1", "--out", dir + "/run"], timeout: 120)
        XCTAssertTrue(r.status != 0 && r.status < 128, "exit status \(r.status)")
        XCTAssertEqual(r.error, "Error: \(pairs): unmatched file(s) without a partner of the same name in the other subfolder: "
                       + "amplitude/extra.png; every phase/NAME.* needs an amplitude/NAME.* and the other way round\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"))
    }
}
