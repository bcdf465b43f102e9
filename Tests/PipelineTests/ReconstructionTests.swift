import Foundation
import Pipeline
import Storage
import TestSupport
import XCTest

/// `Reconstruction.run` on the fixture PhaseMask 0.1 wrote (Tests/Fixtures/legacy-0.1, README there): a
/// tiny teacher, a CDP file and that version's own reconstruction of it, which today's must match.
final class ReconstructionTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-0.1").path

    func testOldCheckpointReconstructsAsBefore() throws {
        let output = NSTemporaryDirectory() + "phasemask-legacy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try Reconstruction.run(checkpoint: Self.fixtures + "/teacher.h5", cdpPath: Self.fixtures + "/cdp.h5",
                                            png: output + "/est.png", hdf5: output + "/est.h5")
        let old = try HDF5File.open(path: Self.fixtures + "/est.h5")
        defer { try? old.close() }
        let now = try HDF5File.open(path: output + "/est.h5")
        defer { try? now.close() }
        // Same machine: bit-identical; another CPU's OpenBLAS kernels move the last bits.
        XCTAssertLessThan(maxAbsDifference(try now.readTensor("/initialization"), try old.readTensor("/initialization")), 1e-4)
        XCTAssertLessThan(maxAbsDifference(result.estimates, try old.readTensor("/estimate")), 1e-4)
    }
}
