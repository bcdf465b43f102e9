import Autodiff
import Foundation
import Optics
import TensorCore
@testable import Training
import XCTest

/// Data-parallel training and shared evaluation with ranks as threads (`ThreadGroup`): the same code
/// paths as under mpirun, without the transport (PipelineTests/MPIRunTests run the real thing).
final class DataParallelTests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "phasemask-data-parallel-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Shared evaluation gives one process's PSNR and SSIM bit for bit, also when the batches do not
    /// divide among the ranks, a rank has none, and scenes draw offsets and noise.
    func testSharedEvaluationIsOneProcessBitForBit() throws {
        var config = TrainerTests.config(.teacher, snapshots: 3)
        config.sceneModel.backgroundOffset = 0.4
        let images = TrainerTests.scenes(11, seed: 7)
        let noise = NoiseModel.poisson(photonsPerPixel: 50)
        let one = try Evaluation.evaluate(try PhaseRetrievalSystem(config: config), images: images, batchSize: 4, noise: noise,
                                          seed: 3, backgroundOffset: 0.4)
        for ranks in [2, 3, 4] {
            let shared = try ThreadGroup.run(ranks: ranks) { group in
                try Evaluation.evaluate(try PhaseRetrievalSystem(config: config), images: images, batchSize: 4, noise: noise,
                                        seed: 3, backgroundOffset: 0.4, group: group)
            }
            for (rank, r) in shared.enumerated() {
                XCTAssertEqual(r.psnr.bitPattern, one.psnr.bitPattern, "\(ranks) ranks, rank \(rank): PSNR \(r.psnr) vs \(one.psnr)")
                XCTAssertEqual(r.ssim.bitPattern, one.ssim.bitPattern, "\(ranks) ranks, rank \(rank): SSIM \(r.ssim) vs \(one.ssim)")
                XCTAssertEqual(r.count, 11)
            }
        }
    }

    /// Steps on shares of the batch (equal and unequal shares, noise, background offsets, a student
    /// with energy-normalized distillation, mask misalignment drawn each step) end with the parameters of one process up to the order of the
    /// kernels' batch sums, and every rank holds the same bits.
    func testDataParallelStepsMatchOneProcess() throws {
        var teacherConfig = TrainerTests.config(.teacher, snapshots: 3)
        teacherConfig.noise = .poisson(photonsPerPixel: 200)
        teacherConfig.sceneModel.backgroundOffset = 0.3
        var perturbed = TrainerTests.config(.e2e)
        perturbed.perturbation = MaskPerturbation(.misalignment, amplitude: 0.25)
        perturbed.noise = .gaussian(snrDB: 20)
        var studentConfig = TrainerTests.config(.student)
        studentConfig.teacherCheckpoint = "unused"; studentConfig.alpha = 0.6; studentConfig.beta = 0.2
        studentConfig.kdNormalization = .energy
        studentConfig.noise = .gaussian(snrDB: 25)
        for (label, config, ranks) in [("teacher", teacherConfig, 2), ("teacher", teacherConfig, 3), ("student", studentConfig, 2),
                                       ("perturbed e2e", perturbed, 2)] {
            let teacher = { config.mode == .student ? try PhaseRetrievalSystem(config: teacherConfig) : nil }
            let one = try Trainer(config: config, splits: TrainerTests.splits, teacher: try teacher(), directory: directory + "/one")
            let oneLosses = try steps(one, 3)
            let shared = try ThreadGroup.run(ranks: ranks) { group in
                let trainer = try Trainer(config: config, splits: TrainerTests.splits, teacher: try teacher(),
                                          checkpoint: self.directory + "/shared/checkpoint.h5", logFile: self.directory + "/shared/log.jsonl",
                                          group: group)
                return (try self.steps(trainer, 3), trainer.system.parameters.map { $0.value.copy() })
            }
            let name = "\(label) on \(ranks) ranks"
            for (rank, (losses, parameters)) in shared.enumerated() {
                XCTAssertEqual(losses.count, oneLosses.count)
                for (a, b) in zip(losses, oneLosses) { XCTAssertEqual(a, b, accuracy: 1e-5 * abs(b), "\(name): loss") }
                for (p, q) in zip(parameters, shared[0].1) { XCTAssertTrue(p.isBitIdentical(to: q), "\(name): rank \(rank) drifted from rank 0") }
            }
            // The biases of the convolutions in front of batch norm have an exact gradient of zero (the
            // normalization removes them): what they get is rounding noise, which Adam turns into steps
            // of random sign in any run (also between 1 and 2 threads). Every other parameter must agree.
            let kept = one.system.parameters.indices.filter { !Self.cancelledByBatchNorm(one.system.parameters[$0].name) }
            XCTAssertEqual(one.system.parameters.count - kept.count, 2 * (2 * config.depth + 1), "conv biases in front of batch norm")
            let difference = relativeDifference(kept.map { shared[0].1[$0] }, kept.map { one.system.parameters[$0].value })
            XCTAssertGreaterThan(difference.reference, 0)
            XCTAssertLessThan(difference.relative, 1e-5, "\(name): parameters against one process")
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// One step's gradient, summed over the ranks, is the gradient of the global batch's mean loss
    /// (shares weighted by b_r / B; batch norm over the global batch), on 2 and 3 ranks.
    func testSummedGradientsAreTheGlobalBatchGradient() throws {
        var config = TrainerTests.config(.teacher, snapshots: 3)
        config.rho = 0.05
        let batch = TrainerTests.splits.train.slice(0..<config.batchSize)
        let one = try Trainer(config: config, splits: TrainerTests.splits, teacher: nil, directory: directory + "/one")
        var rng = SeededGenerator(seed: 9)
        _ = try one.accumulateGradients(batch, generator: &rng)
        let expected = one.system.parameters.map { $0.gradient.copy() }
        for ranks in [2, 3] {
            let gradients = try ThreadGroup.run(ranks: ranks) { group in
                let trainer = try Trainer(config: config, splits: TrainerTests.splits, teacher: nil,
                                          checkpoint: self.directory + "/shared/checkpoint.h5", logFile: self.directory + "/shared/log.jsonl",
                                          group: group)
                var rng = SeededGenerator(seed: 9)
                _ = try trainer.accumulateSharedGradients(batch, generator: &rng)
                return trainer.system.parameters.map { $0.gradient.copy() }
            }
            for (k, p) in one.system.parameters.enumerated() where !Self.cancelledByBatchNorm(p.name) {
                let d = relativeDifference([gradients[0][k]], [expected[k]])
                XCTAssertLessThan(d.relative, 1e-5, "\(ranks) ranks: ∂L/∂\(p.name)")
                for rank in 1..<ranks { XCTAssertTrue(gradients[rank][k].isBitIdentical(to: gradients[0][k]), "rank \(rank): ∂L/∂\(p.name)") }
            }
        }
    }

    /// A rank built from another seed (as a rank that read another checkpoint would be) is reported on
    /// every rank before any step.
    func testRanksStartingFromDifferentStatesAreRefused() throws {
        let outcomes = try ThreadGroup.run(ranks: 2) { group -> String in
            var config = TrainerTests.config(.e2e)
            config.seed = UInt64(group.rank)
            let trainer = try Trainer(config: config, splits: TrainerTests.splits, teacher: nil,
                                      checkpoint: self.directory + "/checkpoint.h5", logFile: self.directory + "/log.jsonl", group: group)
            trainer.log = { _ in }
            do { try trainer.run() } catch let error as RanksDisagree { return error.description }
            return "trained"
        }
        for text in outcomes { XCTAssertTrue(text.hasPrefix("rank 1 starts from other parameters"), text) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/checkpoint.h5"))
    }

    func testMoreRanksThanImagesInABatchAreRefused() throws {
        let messages = try ThreadGroup.run(ranks: 3) { group -> String in
            var config = TrainerTests.config(.e2e)
            config.batchSize = 2
            do {
                _ = try Trainer(config: config, splits: TrainerTests.splits, teacher: nil, checkpoint: self.directory + "/c.h5",
                                logFile: self.directory + "/log.jsonl", group: group)
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(messages, Array(repeating: "invalid configuration: 3 processes need a batch of at least 3 images, got 2", count: 3))
    }

    /// `unet.<block>.conv1.bias`, `unet.<block>.conv2.bias`: the biases of a `ConvBlock`'s
    /// convolutions, each followed by batch norm.
    static func cancelledByBatchNorm(_ name: String) -> Bool {
        name.hasSuffix(".conv1.bias") || name.hasSuffix(".conv2.bias")
    }

    /// Three steps on the first batch, each with its own stream; the total losses.
    func steps(_ trainer: Trainer, _ count: Int) throws -> [Double] {
        let batch = TrainerTests.splits.train.slice(0..<trainer.config.batchSize)
        return try (0..<count).map { s in
            var rng = SeededGenerator(seed: UInt64(s))
            return try trainer.trainStep(batch, generator: &rng).total
        }
    }

    func relativeDifference(_ a: [Tensor], _ b: [Tensor]) -> (relative: Double, reference: Double) {
        var difference = 0.0, reference = 0.0
        for (x, y) in zip(a, b) {
            for i in 0..<x.count {
                difference += pow(Double(x.pointer[i]) - Double(y.pointer[i]), 2)
                reference += pow(Double(y.pointer[i]), 2)
            }
        }
        return ((difference / reference).squareRoot(), reference)
    }
}
