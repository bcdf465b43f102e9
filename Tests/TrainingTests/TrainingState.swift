import Foundation
import TensorCore
import TestSupport
import Training
import XCTest

/// Asserts that the checkpoints at `a` and `b` hold the same training state bit for bit: every parameter,
/// every batch-norm running statistic and Adam's step counts and both moments, by name and in order (so
/// two lists of different lengths fail instead of being cut to the shorter one), and the same progress.
func assertSameTrainingState(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let x = try Checkpoint.load(a), y = try Checkpoint.load(b)
    XCTAssertEqual(x.progress, y.progress, "progress", file: file, line: line)
    XCTAssertEqual(x.system.parameters.map(\.name), y.system.parameters.map(\.name), "parameter names", file: file, line: line)
    for (p, q) in zip(x.system.parameters, y.system.parameters) where p.name == q.name {
        XCTAssertTrue(bitIdentical(p.value, q.value), "parameter \(p.name) differs", file: file, line: line)
    }
    let bx = x.system.unet.buffers, by = y.system.unet.buffers
    XCTAssertEqual(bx.map(\.name), by.map(\.name), "batch-norm buffer names", file: file, line: line)
    XCTAssertGreaterThan(bx.count, 0, "no batch-norm buffers to compare", file: file, line: line)
    for (p, q) in zip(bx, by) where p.name == q.name {
        XCTAssertTrue(bitIdentical(p.tensor, q.tensor), "batch-norm buffer \(p.name) differs", file: file, line: line)
    }
    guard let sx = x.optimizerState, let sy = y.optimizerState else {
        return XCTFail("a checkpoint lacks its optimizer state", file: file, line: line)
    }
    XCTAssertEqual(sx.steps, sy.steps, "Adam step counts", file: file, line: line)
    XCTAssertEqual(sx.firstMoments.count, x.system.parameters.count, file: file, line: line)
    XCTAssertEqual(sx.firstMoments.count, sy.firstMoments.count, file: file, line: line)
    XCTAssertEqual(sx.secondMoments.count, sy.secondMoments.count, file: file, line: line)
    for (k, (m, n)) in zip(sx.firstMoments, sy.firstMoments).enumerated() {
        XCTAssertTrue(bitIdentical(m, n), "Adam first moment of \(x.system.parameters[k].name) differs", file: file, line: line)
    }
    for (k, (v, w)) in zip(sx.secondMoments, sy.secondMoments).enumerated() {
        XCTAssertTrue(bitIdentical(v, w), "Adam second moment of \(x.system.parameters[k].name) differs", file: file, line: line)
    }
}

extension Trainer {
    /// A trainer writing `<directory>/checkpoint.h5` and `<directory>/log.jsonl` (the names a run folder
    /// uses), resuming the checkpoint there when `resume` is set.
    convenience init(config: TrainingConfig, splits: SceneSplits, teacher: PhaseRetrievalSystem?, directory: String,
                     resume: Bool = false) throws {
        let checkpoint = directory + "/checkpoint.h5"
        try self.init(config: config, splits: splits, teacher: teacher, checkpoint: checkpoint,
                      logFile: directory + "/log.jsonl", resumingFrom: resume ? try Checkpoint.load(checkpoint) : nil)
    }
}
