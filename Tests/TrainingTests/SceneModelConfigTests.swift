import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
@testable import Training
import XCTest

/// The scene model in the training configuration, checkpoints, training and evaluation.
final class SceneModelConfigTests: XCTestCase {
    /// `TrainingConfig()` as the version before the scene model wrote it (sorted keys).
    static let previousDefaultJSON = #"{"alpha":1,"batchSize":64,"beta":0,"channels":16,"dataDirectory":"\/usr\/share\/datasets\/fashion-mnist","dataSources":[],"depth":3,"epochs":5,"filterSize":5,"freezeMasks":false,"globalPhase":"aligned","initFromTeacher":false,"iterations":25,"learningRate":0.0005,"levels":8,"mode":"teacher","noise":"none","phaseScale":3.141592653589793,"photons":1000,"rho":0,"schedule":"constant","seed":0,"size":32,"snapshots":9,"snrDecibels":30,"stroke":6.283185307179586,"testSize":1000,"trainSize":4096,"truncation":0.4,"useCDPLoss":true,"useFeatureLoss":true,"validationSize":500,"warmupFraction":0.05,"weighting":"truncated"}"#

    func decode(_ json: String) throws -> TrainingConfig {
        try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    }

    /// The JSON of the default configuration is the previous one plus the keys added since: the scene
    /// model, the KD normalization and the decay schedule's share.
    func testDefaultJSONIsThePreviousOnePlusTheSceneModel() throws {
        let json = try jsonString(TrainingConfig())
        let model = #""sceneModel":{"amplitudeRange":[1,1],"backgroundOffset":0,"phaseRange":[0,3.141592653589793]},"#
        let expected = Self.previousDefaultJSON
            .replacingOccurrences(of: #""schedule":"#, with: model + #""schedule":"#)
            .replacingOccurrences(of: #""learningRate":"#, with: #""kdNormalization":"none","learningRate":"#)
            .replacingOccurrences(of: #""depth":"#, with: #""decayFraction":0.2,"depth":"#)
        XCTAssertEqual(json, expected)
        XCTAssertEqual(try decode(json), TrainingConfig())
    }

    func testOldConfigurationsMeanTheRangeZeroToTheirPhaseScale() throws {
        XCTAssertEqual(try decode(Self.previousDefaultJSON), TrainingConfig())
        let two = try decode(Self.previousDefaultJSON.replacingOccurrences(of: "3.141592653589793", with: "2"))
        XCTAssertEqual(two.sceneModel, SceneModel(phaseMin: 0, phaseMax: 2))
        XCTAssertEqual(two.phaseScale, 2)
        XCTAssertEqual(try decode("{}").sceneModel, .standard)
        // PhaseMask 0.1's checkpoint (no sceneModel key) reads as the standard model.
        let fixture = LegacyCheckpointTests.fixtures + "/teacher.h5"
        XCTAssertEqual(try Checkpoint.configuration(at: fixture).sceneModel, .standard)
        XCTAssertEqual(try Checkpoint.configuration(at: fixture).phaseScale, .pi)

        var c = TrainingConfig()
        c.sceneModel = SceneModel(phaseMin: -1, phaseMax: 1, backgroundOffset: 0.2, amplitudeAtZero: 1, amplitudeAtOne: 0.5)
        XCTAssertEqual(c.phaseScale, 2)
        let written = try jsonString(c)
        XCTAssertTrue(written.contains(#""phaseScale":2"#), written)
        XCTAssertEqual(try decode(written), c)
        XCTAssertThrowsError(try decode(written.replacingOccurrences(of: #""phaseScale":2"#, with: #""phaseScale":3"#))) {
            XCTAssertTrue("\($0)".contains("disagrees"), "\($0)")
        }
    }

    func testSceneModelIsASettingTheRunTrainsWith() {
        var a = TrainingConfig(), b = TrainingConfig()
        XCTAssertTrue(a.trainsLike(b))
        b.sceneModel.phaseMax = 2
        XCTAssertEqual(b.phaseScale, 2)
        XCTAssertFalse(a.trainsLike(b))
        a.sceneModel = SceneModel(phaseMin: 0, phaseMax: 2)
        XCTAssertTrue(a.trainsLike(b))
        b.sceneModel.backgroundOffset = 0.1
        XCTAssertFalse(a.trainsLike(b))
        b.sceneModel.phaseMax = 8
        XCTAssertTrue(b.settingsProblems().contains { $0.contains("more than 2π") }, "\(b.settingsProblems())")
        XCTAssertThrowsError(try PhaseRetrievalSystem(config: b))
    }

    /// Tiny system and images with a zero background (a blurred field shifted down and clipped at 0).
    func tinySystem(_ model: SceneModel) throws -> PhaseRetrievalSystem {
        var c = TrainerTests.config(.e2e)
        c.sceneModel = model
        return try PhaseRetrievalSystem(config: c)
    }

    static let backgroundScenes: Tensor = {
        let t = TrainerTests.scenes(8, seed: 21)
        for k in 0..<t.count { t.pointer[k] = max(0, 2 * t.pointer[k] - 1) }
        return t
    }()

    func testTrainingDrawsOffsetsAndEvaluationOnlyWhenAsked() throws {
        let images = Self.backgroundScenes
        let zeros = (0..<images.count).filter { images.pointer[$0] == 0 }.count
        XCTAssertGreaterThan(zeros, images.count / 5)

        // The standard model's scene is exp(jπI) as PhaseRetrievalSystem always built it, bit for bit.
        let standard = try tinySystem(.standard)
        XCTAssertTrue(bitIdentical(try standard.scene(images).storage,
                                   try Scene.phaseObject(images, phaseScale: Float(Double.pi)).storage))

        let system = try tinySystem(SceneModel(backgroundOffset: 0.5))
        system.copyState(from: standard)
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
        let drawn = try system.scene(images, offsets: true, generator: &g1)
        XCTAssertTrue(bitIdentical(drawn.storage, try system.scene(images, offsets: true, generator: &g2).storage))
        XCTAssertFalse(bitIdentical(drawn.storage, try system.scene(images).storage))
        XCTAssertTrue(bitIdentical(try system.scene(images).storage, try standard.scene(images).storage))

        // Evaluation: no offsets unless asked, whatever Δ the system was trained with.
        let plain = try Evaluation.reconstruct(standard, images: images, batchSize: 4).0
        XCTAssertTrue(bitIdentical(try Evaluation.reconstruct(system, images: images, batchSize: 4).0, plain))
        let asked = try Evaluation.reconstruct(system, images: images, batchSize: 4, seed: 9, backgroundOffset: 0.5).0
        XCTAssertFalse(bitIdentical(asked, plain))
        XCTAssertTrue(bitIdentical(try Evaluation.reconstruct(standard, images: images, batchSize: 4, seed: 9,
                                                              backgroundOffset: 0.5).0, asked))
        XCTAssertThrowsError(try Evaluation.reconstruct(system, images: images, batchSize: 4, backgroundOffset: -1))

        // Training steps see offsets: seeded, and different from a run without them.
        func firstLoss(_ model: SceneModel) throws -> Double {
            var c = TrainerTests.config(.e2e)
            c.sceneModel = model
            let directory = NSTemporaryDirectory() + "phasemask-scene-model-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let splits = SceneSplits(train: images, validation: images.slice(0..<4), test: images.slice(0..<4))
            let trainer = try Trainer(config: c, splits: splits, teacher: nil, directory: directory)
            var rng = SeededGenerator(seed: 5)
            return try trainer.trainStep(images.slice(0..<4), generator: &rng).task
        }
        let withOffsets = try firstLoss(SceneModel(backgroundOffset: 0.5))
        XCTAssertEqual(withOffsets, try firstLoss(SceneModel(backgroundOffset: 0.5)))
        XCTAssertNotEqual(withOffsets, try firstLoss(.standard))
    }

    func testPhaseRangeAndAmplitudeChangeTheMeasurements() throws {
        let images = Self.backgroundScenes.slice(0..<2)
        let standard = try tinySystem(.standard)
        func cdp(_ model: SceneModel) throws -> Tensor {
            let s = try tinySystem(model)
            s.copyState(from: standard)
            var g = SeededGenerator(seed: 0)
            return try s.forward(images, tape: Tape(recording: false), training: false, generator: &g).measurements.value
        }
        let reference = try cdp(.standard)
        XCTAssertFalse(bitIdentical(try cdp(SceneModel(phaseMin: 0, phaseMax: 2)), reference))
        // A range shifted by a constant is a global phase: the same CDPs up to rounding.
        XCTAssertLessThan(maxAbsDifference(try cdp(SceneModel(phaseMin: 1, phaseMax: 1 + .pi)), reference), 1e-5 * maxAbs(reference))
        let absorbing = try cdp(SceneModel(amplitudeAtZero: 1, amplitudeAtOne: 0.5))
        XCTAssertFalse(bitIdentical(absorbing, reference))
        // Σ y = ‖x‖² per sample and snapshot: smaller with absorption.
        XCTAssertLessThan(absorbing.sum(), reference.sum())
    }
}
