import Foundation
@testable import Pipeline
import TestSupport
import Training
import XCTest

/// The stage runner shared by `design` and `experiment`, through its four states.
final class StageTests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "phasemask-stage-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `stage` with `config`, returning the outcome and the states announced.
    func run(_ stage: Stage, _ config: TrainingConfig, force: Bool = false) throws -> (StageOutcome, [Stage.State]) {
        var announced: [Stage.State] = []
        let outcome = try stage.run(config, teacher: nil, force: force, announce: { state in
            announced.append(state)
            return state == .finished ? nil : "training \(state)"
        }, log: { _ in })
        return (outcome, announced)
    }

    func logLines(_ stage: Stage) throws -> Int {
        try String(contentsOfFile: stage.folder.log, encoding: .utf8).split(separator: "\n").count
    }

    func testAbsentTrainsFinishedIsReusedUnfinishedResumesStaleRetrains() throws {
        let stage = Stage(name: "e2e", folder: RunFolder(directory + "/e2e"))
        let config = TrainingJobTests.config(.e2e)
        XCTAssertEqual(stage.inspect(for: config).state, .absent)

        let (first, a) = try run(stage, config)
        XCTAssertEqual(a, [.absent])
        XCTAssertEqual(first.state, .absent)
        XCTAssertTrue(first.trained)
        XCTAssertEqual(first.history.count, 1)
        XCTAssertEqual(try Checkpoint.load(stage.checkpoint).progress, Checkpoint.Progress(epoch: 1, step: 0))

        let (reused, b) = try run(stage, config)
        XCTAssertEqual(b, [.finished])
        XCTAssertFalse(reused.trained)
        XCTAssertEqual(reused.history, first.history)
        for (p, q) in zip(reused.system.parameters, first.system.parameters) {
            XCTAssertTrue(bitIdentical(p.value, q.value), p.name)
        }

        var longer = config
        longer.epochs = 2
        XCTAssertEqual(stage.inspect(for: longer).state, .unfinished)
        let (resumed, c) = try run(stage, longer)
        XCTAssertEqual(c, [.unfinished])
        XCTAssertTrue(resumed.trained)
        XCTAssertEqual(resumed.history.count, 2)
        XCTAssertEqual(resumed.history[0], first.history[0], "the first epoch is kept, not trained again")
        XCTAssertEqual(try logLines(stage), 2)

        var other = config
        other.learningRate = 1e-3
        XCTAssertEqual(stage.inspect(for: other).state, .stale)
        let (retrained, d) = try run(stage, other)
        XCTAssertEqual(d, [.stale])
        XCTAssertEqual(retrained.history.count, 1)
        XCTAssertEqual(try logLines(stage), 1, "the stale run's log was cleared")
        XCTAssertEqual(try Checkpoint.load(stage.checkpoint).system.config.learningRate, 1e-3)
    }

    func testForceRetrainsAFinishedStage() throws {
        let stage = Stage(name: "e2e", folder: RunFolder(directory + "/e2e"))
        let config = TrainingJobTests.config(.e2e)
        _ = try run(stage, config)
        let (forced, announced) = try run(stage, config, force: true)
        XCTAssertEqual(announced, [.stale])
        XCTAssertEqual(forced.state, .stale)
        XCTAssertTrue(forced.trained)
        XCTAssertEqual(forced.history.count, 1)
    }
}
