import Autodiff
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import Training
import XCTest

/// Checkpoints written before the global-phase setting existed keep the behaviour they were trained
/// with. The fixture (Tests/Fixtures/legacy-0.1, README there) is a tiny teacher written by PhaseMask
/// 0.1 with a CDP file and that version's own reconstruction of it.
final class LegacyCheckpointTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-0.1").path

    func testOldCheckpointReadsAsRandomStart() throws {
        let loaded = try Checkpoint.load(Self.fixtures + "/teacher.h5")
        XCTAssertEqual(loaded.system.config.globalPhase, .randomStart)
        XCTAssertEqual(loaded.system.initialization.globalPhase, .randomStart)
        XCTAssertEqual(loaded.system.config.schedule, .constant)

        let old = try HDF5File.open(path: Self.fixtures + "/est.h5")
        defer { try? old.close() }
        let oldInitialization = try old.readTensor("/initialization")
        // `ReconstructionTests` checks that today's reconstruction of the fixture matches 0.1's.

        // The same checkpoint read with today's default convention gives a different initialization:
        // the comparison of `ReconstructionTests` is not vacuous.
        var config = loaded.system.config
        config.globalPhase = .aligned
        let aligned = try PhaseRetrievalSystem(config: config)
        aligned.copyState(from: loaded.system)
        XCTAssertEqual(oldInitialization.shape[0], 1)
        let cdp = try HDF5File.open(path: Self.fixtures + "/cdp.h5")
        defer { try? cdp.close() }
        let tape = Tape(recording: false)
        let z = aligned.initialization.estimate(measurements: tape.constant(try cdp.readTensor("/cdp")),
                                                masks: tape.constant(aligned.masks.value),
                                                kernel: tape.constant(aligned.filter.value))
        XCTAssertGreaterThan(maxAbsDifference(z.field.storage, oldInitialization), 1e-2)
    }
}
