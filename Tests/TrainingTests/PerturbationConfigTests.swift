import Autodiff
import Foundation
import Optics
import TensorCore
import TestSupport
@testable import Training
import XCTest

/// The training-time mask perturbation (`TrainingConfig.perturbation`): stored with the configuration,
/// absent from old checkpoints, and applied only to the measuring masks of a training forward pass.
final class PerturbationConfigTests: XCTestCase {
    func testOldCheckpointsDecodeWithoutAPerturbation() throws {
        let loaded = try Checkpoint.load(LegacyCheckpointTests.fixtures + "/teacher.h5")
        XCTAssertNil(loaded.system.config.perturbation)
        let json = String(decoding: try JSONEncoder().encode(loaded.system.config), as: UTF8.self)
        XCTAssertFalse(json.contains("perturbation"), json)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8)), loaded.system.config)
    }

    func testThePerturbationRoundTripsThroughTheConfiguration() throws {
        var config = Preset.tiny.config(mode: .e2e)
        config.perturbation = MaskPerturbation(.misalignment, amplitude: 0.25)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        XCTAssertTrue(json.contains(#""perturbation":{"amplitude":0.25,"kind":"misalignment"}"#), json)
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, config)
        var other = config
        other.perturbation = nil
        XCTAssertFalse(config.trainsLike(other), "a run with another perturbation cannot resume this one")
    }

    func testSettingsRefuseWhatThePerturbationCannotDo() {
        var config = Preset.tiny.config(mode: .e2e)
        config.perturbation = MaskPerturbation(.layerDepth, amplitude: 0.05)
        XCTAssertEqual(config.settingsProblems(), [])
        config.levels = 6
        XCTAssertEqual(config.settingsProblems(), ["the layer-depth perturbation acts on K = 2^k binary lithography layers "
                                                   + "over a full 2π stroke; got K = 6, stroke 6.283185307179586 rad"])
        config.levels = 8
        config.perturbation = MaskPerturbation(.depthScale, amplitude: 0.9)
        XCTAssertEqual(config.settingsProblems(), ["perturbation depth-scale: amplitude 0.9 must be in 0…0.5 (mask units)"])
    }

    /// Training draws a realization for the measurements; evaluation measures with the nominal masks; a
    /// zero amplitude changes nothing even in training.
    func testOnlyTrainingMeasuresThroughAPerturbedMask() throws {
        var config = TrainerTests.config(.e2e)
        let nominal = try PhaseRetrievalSystem(config: config)
        config.perturbation = MaskPerturbation(.depthScale, amplitude: 0.2)
        let perturbed = try PhaseRetrievalSystem(config: config)
        config.perturbation = MaskPerturbation(.depthScale, amplitude: 0)
        let zero = try PhaseRetrievalSystem(config: config)
        let images = TrainerTests.scenes(2, seed: 4)
        func measurements(_ s: PhaseRetrievalSystem, training: Bool) throws -> Tensor {
            var rng = SeededGenerator(seed: 9)
            return try s.forward(images, tape: Tape(), training: training, generator: &rng).measurements.value
        }
        let reference = try measurements(nominal, training: true)
        XCTAssertTrue(try measurements(perturbed, training: false).isBitIdentical(to: reference))
        XCTAssertTrue(try measurements(zero, training: true).isBitIdentical(to: reference))
        XCTAssertGreaterThan(maxAbsDifference(try measurements(perturbed, training: true), reference), 1e-2)
        // The mask still gets its gradient through the perturbed measurements.
        let tape = Tape()
        var rng = SeededGenerator(seed: 9)
        let out = try perturbed.forward(images, tape: tape, training: true, generator: &rng)
        tape.backward(from: meanSquaredError(out.estimate, tape.constant(images)))
        XCTAssertGreaterThan(maxAbs(perturbed.masks.gradient), 0)
    }
}
