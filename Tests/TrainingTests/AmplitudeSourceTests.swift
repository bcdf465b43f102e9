import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
@testable import Training
import XCTest

/// Scene sources with an amplitude channel: folders of phase/amplitude pairs and stacks of complex
/// fields, cut alike in I and A, split by file or field, and used by the trainer and evaluation.
final class AmplitudeSourceTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "phasemask-amplitude-\(UUID().uuidString)"
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

    /// `count` pairs `phase/NAME` + `amplitude/NAME` with A = 1 − I, of varied sizes, some nested, one
    /// HDF5 pair (amplitude stored as PNG against an HDF5 phase file is allowed: names match without
    /// the extension).
    func makePairs(_ count: Int) throws {
        for k in 0..<count {
            let (w, h) = (20 + 3 * k, 14 + k % 4)
            let name = k % 3 == 0 ? "day\(k % 2)/cell\(k)" : "cell\(k)"
            try png("phase/\(name).png", w, h) { self.texture($0 + 13 * k) }
            try png("amplitude/\(name).png", w, h) { 255 - self.texture($0 + 13 * k) }
        }
        let h5 = try HDF5File.create(path: path("phase/stack.h5"))
        let values = (0..<12 * 10).map { Float(texture($0)) / 255 }
        try h5.write(values, shape: [12, 10], to: "/image")
        try h5.close()
        try png("amplitude/stack.png", 10, 12) { 255 - self.texture($0) }
    }

    func testPairFolderCutsPhaseAndAmplitudeAlike() throws {
        try makePairs(11)
        let pairs = try ImagePairFolder(directory)
        let phaseOnly = try ImageFolder(path("phase"))
        XCTAssertEqual(pairs.phase.files.count, 12)
        var report = ImagePairFolder.Report(), phaseReport = ImageFolder.Report()
        var turnsSeen = Set<Int>()
        for split in SceneSplit.allCases {
            let scenes = try pairs.scenes(split, count: 30, size: 8, report: &report)
            XCTAssertEqual(scenes.shape, [30, 2, 8, 8])
            let i = SceneChannels.phase(scenes), a = SceneChannels.amplitude(scenes)!
            // A = 1 − I survives every crop, resize, flip and quarter turn only if both got the same one.
            for k in 0..<i.count { XCTAssertEqual(a.pointer[k], 1 - i.pointer[k], accuracy: 2e-6, "\(split) pixel \(k)") }
            // Channel 0 is exactly what the phase folder alone gives (same files per split, same draws).
            let alone = try phaseOnly.scenes(split, count: 30, size: 8, report: &phaseReport)
            XCTAssertTrue(i.isBitIdentical(to: alone), "\(split)")
            for s in 0..<30 {
                var g = SeededGenerator(seed: Trainer.streamSeed([SceneSplits.dataSeed, split.tag, ImageFolder.streamTag, UInt64(s)]))
                _ = g.next(); _ = g.uniformDouble()
                let crop = RandomCrop(&g)
                turnsSeen.insert(crop.quarterTurns + (crop.flip ? 4 : 0))
            }
        }
        XCTAssertEqual(turnsSeen.count, 8, "the scenes above went through all 8 symmetries")
    }

    func testAPairWhoseAmplitudeIsCutDifferentlyBreaksTheRelation() throws {
        // The relation check above can fail: a pair whose amplitude image is mirrored does not keep A = 1 − I.
        try makePairs(4)
        try png("amplitude/cell1.png", 23, 15) { k in 255 - self.texture((k / 23) * 23 + 22 - k % 23 + 13) }
        let pairs = try ImagePairFolder(directory)
        var report = ImagePairFolder.Report()
        var worst: Float = 0
        for split in SceneSplit.allCases {
            let scenes = try pairs.scenes(split, count: 20, size: 8, report: &report)
            let i = SceneChannels.phase(scenes), a = SceneChannels.amplitude(scenes)!
            worst = max(worst, (0..<i.count).map { abs(a.pointer[$0] - (1 - i.pointer[$0])) }.max()!)
        }
        XCTAssertGreaterThan(worst, 0.05)
    }

    func testUnmatchedAndAmbiguousPairFilesAreNamed() throws {
        try makePairs(4)
        try png("phase/lonely.png", 8, 8, texture)
        try png("amplitude/day0/orphan.bmp.png", 8, 8, texture)
        XCTAssertThrowsError(try ImagePairFolder(directory)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(directory + ": unmatched file(s)"), text)
            XCTAssertTrue(text.contains("phase/lonely.png") && text.contains("amplitude/day0/orphan.bmp.png"), text)
        }
        try FileManager.default.removeItem(atPath: path("amplitude/day0/orphan.bmp.png"))
        try png("amplitude/lonely.png", 8, 8, texture)
        try BMPFile.writeGray8([UInt8](repeating: 1, count: 64), width: 8, height: 8, to: path("amplitude/lonely.bmp"))
        XCTAssertThrowsError(try ImagePairFolder(directory)) { error in
            XCTAssertTrue("\(error)".contains("amplitude/lonely.bmp and amplitude/lonely.png have the same name"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: path("amplitude/lonely.bmp"))
        try png("amplitude/lonely.png", 9, 8, texture)
        XCTAssertNoThrow(try ImagePairFolder(directory), "names match now")
        var report = ImagePairFolder.Report()
        XCTAssertThrowsError(try ImagePairFolder(directory).images("lonely.png", report: &report)) { error in
            XCTAssertEqual("\(error)", path("amplitude") + "/lonely.png: is 9×8 pixels, its phase image phase/lonely.png 8×8; "
                           + "a pair needs images of the same size")
        }
        try FileManager.default.removeItem(atPath: path("amplitude"))
        XCTAssertThrowsError(try ImagePairFolder(directory)) { XCTAssertTrue("\($0)".contains("has no amplitude/ subfolder"), "\($0)") }
    }

    /// Five 8×8 fields x = c·A·exp(j(φmin + span·I)) with A = 1 − I/2 (I = 0 somewhere, so max A = 1)
    /// and c = 2.5, in `model`'s phase range; returns (I, A) `[5, 1, 8, 8]`.
    func writeFields(_ file: String, dataset: String, model: SceneModel) throws -> (Tensor, Tensor) {
        var g = SeededGenerator(seed: 5)
        let i = Tensor.uniform([5, 1, 8, 8], generator: &g)
        for b in 0..<5 { i.pointer[b * 64 + 3] = 0; i.pointer[b * 64 + 9] = 1 }
        let a = Tensor(i.array.map { 1 - $0 / 2 }, shape: i.shape)
        let x = try SceneModel(phaseMin: model.phaseMin, phaseMax: model.phaseMax, amplitudeAtZero: 0, amplitudeAtOne: 1)
            .field(i, amplitude: a)
        for k in 0..<x.storage.count { x.storage.pointer[k] *= 2.5 }
        let h5 = try HDF5File.create(path: path(file))
        try h5.write(x.storage, to: dataset)
        try h5.close()
        return (i, a)
    }

    func testComplexFieldsGiveBackTheirPhaseAndAmplitudeImages() throws {
        let model = SceneModel(phaseMin: -.pi / 2, phaseMax: .pi / 2, amplitudeAtZero: 0.2, amplitudeAtOne: 1)
        let (i, a) = try writeFields("fields.h5", dataset: "/group/scenes", model: model)
        let fields = try ComplexFieldScenes(ComplexFieldDataset(path: path("fields.h5"), dataset: "/group/scenes"), model: model)
        XCTAssertEqual(fields.outside, 0)
        XCTAssertLessThan(maxAbsDifference(SceneChannels.phase(fields.images), i), 2e-6)
        XCTAssertLessThan(maxAbsDifference(SceneChannels.amplitude(fields.images)!, a), 2e-6)
        let parts = SceneSplit.allCases.map { fields.fields(in: $0) }
        XCTAssertEqual(parts.map(\.count), [3, 1, 1])
        XCTAssertEqual(Set(parts.joined()), Set(0..<5))
        let scenes = try fields.scenes(.train, count: 12, size: 8)
        for k in 0..<(12 * 64) {
            XCTAssertEqual(scenes.pointer[(k / 64 * 2 + 1) * 64 + k % 64], 1 - scenes.pointer[(k / 64 * 2) * 64 + k % 64] / 2,
                           accuracy: 2e-6)
        }
        // Through --data: the spelling, the mixture and the scenes agree.
        let source = try DataSource(parsing: path("fields.h5") + ":/group/scenes")
        XCTAssertEqual(source.description, "complex:" + path("fields.h5") + ":/group/scenes")
        XCTAssertTrue(source.hasAmplitude)
        let splits = try SceneMixture([source]).splits(SplitCounts(train: 12, validation: 2, test: 2), size: 8, sceneModel: model)
        XCTAssertTrue(splits.train.isBitIdentical(to: scenes))
        XCTAssertEqual(splits.notes, [])

        // Under a narrower range the phases above it go to the nearer end, with a note.
        let narrow = SceneModel(phaseMin: -.pi / 2, phaseMax: 0, amplitudeAtZero: 0.2, amplitudeAtOne: 1)
        let clipped = try SceneMixture([source]).splits(SplitCounts(train: 1, validation: 1, test: 1), size: 8, sceneModel: narrow)
        let above = i.array.filter { Double($0) * .pi - .pi / 2 > SceneModel.outsideTolerance }.count
        XCTAssertEqual(clipped.notes, ["complex:\(path("fields.h5")):/group/scenes: \(above) pixel(s) with a phase outside the range "
                                       + "-1.5708:0 rad set to the nearer end (I = 0 or 1)"])
    }

    func testComplexFieldsThatCannotBeUsedAreRefused() throws {
        let h5 = try HDF5File.create(path: path("bad.h5"))
        try h5.write([Float](repeating: 1, count: 2 * 8 * 8 * 2), shape: [2, 8, 8, 2], to: "/two")
        try h5.write([Float](repeating: 1, count: 3 * 8 * 8), shape: [3, 8, 8], to: "/real")
        try h5.write([Float](repeating: 0, count: 3 * 8 * 8 * 2), shape: [3, 8, 8, 2], to: "/dark")
        try h5.close()
        func problem(_ dataset: String, model: SceneModel = .standard) -> String {
            do {
                _ = try ComplexFieldScenes(ComplexFieldDataset(path: path("bad.h5"), dataset: dataset), model: model)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(problem("/two").hasPrefix(path("bad.h5") + ": /two: holds 2 field(s); at least 3"), problem("/two"))
        XCTAssertTrue(problem("/real").contains("expected a complex field [H, W, 2] or a stack [B, H, W, 2]"), problem("/real"))
        XCTAssertEqual(problem("/dark"), path("bad.h5") + ": /dark: complex scene 0 is zero everywhere: it has no amplitude to normalize")
        XCTAssertThrowsError(try DataSource(parsing: "complex:fields.txt")) { XCTAssertTrue("\($0)".contains("complex:FILE.h5:/DATASET"), "\($0)") }
        XCTAssertThrowsError(try DataSource(parsing: path("missing.h5") + ":/x").checkAvailable()) {
            XCTAssertTrue("\($0)".contains("missing.h5"), "\($0)")
        }
    }

    func testPairSourcesParseRecordAndMixWithPhaseOnlySources() throws {
        try makePairs(4)
        let plain = try DataSource(parsing: directory)
        XCTAssertEqual(plain.kind, .pairs(directory!), "a folder holding phase/ and amplitude/ is a pair folder")
        XCTAssertEqual(try DataSource(parsing: "pairs:\(directory!)@2"), DataSource(.pairs(directory), weight: 2))
        XCTAssertEqual(try DataSource(parsing: "folder:\(directory!)").kind, .folder(directory), "folder: stays a plain folder")
        let decoded = try JSONDecoder().decode([DataSource].self, from: JSONEncoder().encode([plain]))
        XCTAssertEqual(decoded, [plain])
        XCTAssertTrue(plain.hasAmplitude)
        XCTAssertFalse(DataSource(.synthetic([.blobs])).hasAmplitude)

        let mixture = SceneMixture([plain, DataSource(.synthetic([.blobs]))])
        let splits = try mixture.splits(SplitCounts(train: 6, validation: 2, test: 2), size: 8, sceneModel: .standard)
        XCTAssertEqual(splits.train.shape, [6, 2, 8, 8])
        let order = mixture.assignment(6)
        for (k, source) in order.enumerated() {
            let scene = splits.train.slice(k..<(k + 1))
            let i = SceneChannels.phase(scene), a = SceneChannels.amplitude(scene)!
            if source == 1 {
                XCTAssertTrue(a.isBitIdentical(to: i), "synthetic scenes get A = I")
            } else {
                for p in 0..<64 { XCTAssertEqual(a.pointer[p], 1 - i.pointer[p], accuracy: 2e-6) }
            }
        }
    }

    func testPurePhaseModelRefusesAnAmplitudeSource() throws {
        try makePairs(4)
        var config = Preset.tiny.config(mode: .e2e)
        config.setDataSources([try DataSource(parsing: directory)])
        XCTAssertEqual(config.settingsProblems(), ["--data pairs:\(directory!) has an amplitude channel, but the amplitude range 1:1 gives every "
                                           + "pixel the same amplitude and would ignore it; give --amplitude-range A0:A1 with A0 ≠ A1 "
                                           + "(e.g. 0:1 for x = A·exp(jφ))"])
        config.sceneModel.amplitudeAtZero = 0.2
        XCTAssertEqual(config.settingsProblems(), [])
        config.setDataSources([DataSource(.synthetic([.blobs]))])
        config.sceneModel = .standard
        XCTAssertEqual(config.settingsProblems(), [], "phase-only sources need no amplitude range")
    }

    func testSystemAndEvaluationUseTheAmplitudeChannel() throws {
        var config = Preset.tiny.config(mode: .e2e)
        config.sceneModel = SceneModel(amplitudeAtZero: 0.2, amplitudeAtOne: 1)
        let system = try PhaseRetrievalSystem(config: config)
        var g = SeededGenerator(seed: 3)
        let i = Tensor.uniform([4, 1, 16, 16], generator: &g)
        let a = Tensor(i.array.map { 1 - $0 }, shape: i.shape)
        let scenes = SceneChannels.withAmplitude(i)
        for k in 0..<4 { (scenes.pointer + (2 * k + 1) * 256).update(from: a.pointer + k * 256, count: 256) }
        let x = try system.scene(scenes)
        XCTAssertTrue(x.storage.isBitIdentical(to: try config.sceneModel.field(i, amplitude: a).storage))
        XCTAssertFalse(x.storage.isBitIdentical(to: try system.scene(i).storage))
        let withA = try Evaluation.evaluate(system, images: scenes, batchSize: 4)
        let withoutA = try Evaluation.evaluate(system, images: i, batchSize: 4)
        XCTAssertEqual(withA.count, 4)
        XCTAssertNotEqual(withA.psnr, withoutA.psnr, "the amplitude channel reaches the measurements")
        let (estimates, _) = try Evaluation.reconstruct(system, images: scenes, batchSize: 3)
        XCTAssertEqual(estimates.shape, [4, 1, 16, 16])
    }

    func testOldCheckpointsHaveNoAmplitudeChannel() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/legacy-0.1").path
        let config = try Checkpoint.configuration(at: fixtures + "/teacher.h5")
        XCTAssertFalse(config.effectiveDataSources.contains(where: \.hasAmplitude))
        XCTAssertNil(config.amplitudeProblem)
        XCTAssertEqual(config.settingsProblems(), [])
    }
}
