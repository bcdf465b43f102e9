import Autodiff
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
@testable import Training
import XCTest

/// The sensing geometry in the training configuration: absent = the far field (every older checkpoint),
/// written only for a near-field propagation, in SI units; checked against the image size.
final class PropagationConfigTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-0.1").path

    func decode(_ json: String) throws -> TrainingConfig {
        try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    }

    var nearField: SensingModel {
        try! SensingModel(oversampling: 2, propagation: .angularSpectrum(
            try! NearFieldGeometry(pitch: 8e-6, wavelength: 633e-9, distance: 1e-3)))
    }

    /// The 0.1 checkpoint has no `propagation` key: it is the far field without padding, and its system
    /// measures exactly as the far-field model always did.
    func testOldCheckpointReadsAsTheFarField() throws {
        let loaded = try Checkpoint.load(Self.fixtures + "/teacher.h5")
        XCTAssertEqual(loaded.system.config.sensing, .farField)
        XCTAssertEqual(loaded.system.sensing, .farField)
        XCTAssertEqual(loaded.system.initialization.propagation, .farField)
        XCTAssertEqual(loaded.system.initialization.oversampling, 1)
        let x = randomField([2, loaded.system.config.size, loaded.system.config.size], seed: 1)
        let y = loaded.system.sensing.measure(x, masks: loaded.system.masks.value)
        XCTAssertLessThan(maxAbsDifference(y, naiveCDP(x, masks: loaded.system.masks.value, oversampling: 1)), 1e-3)
    }

    func testFarFieldWritesNoKeyAndNearFieldRoundTrips() throws {
        let plain = try jsonString(TrainingConfig())
        XCTAssertFalse(plain.contains("propagation"), plain)
        var config = TrainingConfig()
        config.size = 16
        config.sensing = nearField
        let json = try jsonString(config)
        XCTAssertTrue(json.contains(#""propagation":{"distanceMetres":0.001,"model":"angular-spectrum","pad":2,"pixelPitchMetres":8e-06,"wavelengthMetres":6.33e-07}"#), json)
        XCTAssertEqual(try decode(json), config)
        XCTAssertEqual(config.settingsProblems(), [])
    }

    func testBadPropagationRecordsAreDecodingErrorsThatNameThem() {
        let cases = [
            (#"{"propagation":{"model":"fraunhofer"}}"#, "propagation model must be far-field, angular-spectrum, fresnel, got 'fraunhofer'"),
            (#"{"propagation":{"model":"fresnel","pixelPitchMetres":8e-6,"wavelengthMetres":6e-7}}"#,
             "fresnel propagation needs pixelPitchMetres, wavelengthMetres and distanceMetres"),
            (#"{"propagation":{"model":"fresnel","pixelPitchMetres":8e-6,"wavelengthMetres":6e-7,"distanceMetres":-0.001,"pad":2}}"#,
             "the distance must be positive and finite, got -1 mm"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try decode(json)) { error in
                guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(context.debugDescription, message)
            }
        }
    }

    /// The sampling check and the padding rules are settings problems; a student needs its teacher's geometry.
    func testGeometryProblemsAreSettingsAndWiringProblems() {
        var c = TrainingConfig()
        c.size = 16
        c.sensing = try! SensingModel(oversampling: 1, propagation: nearField.propagation)
        XCTAssertEqual(c.settingsProblems().count, 1)
        XCTAssertTrue(c.settingsProblems()[0].hasPrefix("angular-spectrum propagation over z = 1 mm aliases on the 16×16 grid"),
                      c.settingsProblems()[0])
        c.sensing = try! SensingModel(oversampling: 2)
        XCTAssertEqual(c.settingsProblems(), ["far-field training uses no zero padding, got 2 (--pad applies to near-field propagation)"])
        c.sensing = try! SensingModel(oversampling: 17, propagation: nearField.propagation)
        XCTAssertEqual(c.settingsProblems(), ["zero padding must be in 1…16, got 17"])

        var student = TrainingConfig()
        student.mode = .student; student.snapshots = 1; student.teacherCheckpoint = "t.h5"; student.size = 16
        var teacher = student
        teacher.mode = .teacher
        teacher.sensing = nearField
        XCTAssertEqual(student.wiringProblems(teacher: teacher), [
            "teacher was trained with the sensing geometry angular spectrum, pitch 8 µm, λ 633 nm, z 1 mm, pad 2; the student "
            + "asks for far field (give the same --propagation, --pixel-pitch-um, --wavelength-nm, --distance-mm and --pad)"])
        student.sensing = nearField
        XCTAssertEqual(student.wiringProblems(teacher: teacher), [])
    }

    /// A near-field checkpoint is format version 2 (a build that knows only version 1 would read it as
    /// the far field); a far-field one stays version 1; a version newer than this build's is refused.
    func testNearFieldCheckpointIsVersion2AndNewerVersionsAreRefused() throws {
        let dir = NSTemporaryDirectory() + "phasemask-checkpoint-version-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (sensing, version) in [(SensingModel.farField, 1), (nearField, 2)] {
            var c = Preset.tiny.config(mode: .teacher)
            c.snapshots = 2; c.sensing = sensing
            let path = dir + "/v\(version).h5"
            try Checkpoint.save(try PhaseRetrievalSystem(config: c), optimizer: nil, progress: .init(), history: [], to: path)
            let file = try HDF5File.open(path: path)
            XCTAssertEqual(try file.intAttribute("format_version"), version)
            try file.close()
            XCTAssertEqual(try Checkpoint.load(path).system.config.sensing, sensing)
        }
        let newer = dir + "/newer.h5"
        let file = try HDF5File.create(path: newer)
        try file.setAttribute("format", .string(Checkpoint.format))
        try file.setAttribute("format_version", .int(Checkpoint.formatVersion + 1))
        try file.close()
        XCTAssertThrowsError(try Checkpoint.load(newer)) {
            XCTAssertTrue("\($0)".contains("newer.h5") && "\($0)".contains("format version 3 is not supported"), "\($0)")
        }
    }

    /// A near-field system measures `[B, L, 2N, 2N]` CDPs and recovers from them (one forward pass).
    func testNearFieldSystemRunsForward() throws {
        var c = Preset.tiny.config(mode: .teacher)
        c.snapshots = 2
        c.sensing = nearField
        let system = try PhaseRetrievalSystem(config: c)
        var rng = SeededGenerator(seed: 3)
        let images = Tensor.uniform([2, 1, 16, 16], low: 0, high: 1, generator: &rng)
        let out = try system.forward(images, tape: Tape(recording: false), training: false, generator: &rng)
        XCTAssertEqual(out.measurements.shape, [2, 2, 32, 32])
        XCTAssertEqual(out.estimate.shape, [2, 1, 16, 16])
    }
}
