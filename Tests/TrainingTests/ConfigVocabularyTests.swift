import Foundation
import Optics
@testable import Training
import XCTest

/// The configuration stores the Optics types (`NoiseModel`, `SpectralInitialization.Weighting`) but
/// writes and reads them under the JSON keys checkpoints have always had; validation has two levels.
final class ConfigVocabularyTests: XCTestCase {
    /// The JSON of `TrainingConfig()` as this version writes it (SceneModelConfigTests pins it to the
    /// previous versions' JSON).
    var defaultJSON: String { get throws { try jsonString(TrainingConfig()) } }

    func decode(_ json: String) throws -> TrainingConfig {
        try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    }

    /// The default JSON with the noise and weighting keys replaced, as versions that stored the loose
    /// fields wrote them.
    func json(noise: String = "none", snr: String = "30", photons: String = "1000", weighting: String = "truncated",
              truncation: String = "0.4") throws -> String {
        try defaultJSON
            .replacingOccurrences(of: #""noise":"none""#, with: #""noise":"\#(noise)""#)
            .replacingOccurrences(of: #""snrDecibels":30"#, with: #""snrDecibels":\#(snr)"#)
            .replacingOccurrences(of: #""photons":1000"#, with: #""photons":\#(photons)"#)
            .replacingOccurrences(of: #""weighting":"truncated""#, with: #""weighting":"\#(weighting)""#)
            .replacingOccurrences(of: #""truncation":0.4"#, with: #""truncation":\#(truncation)"#)
    }

    func testOldNoiseKeysDecodeToTheNoiseModelAndAreWrittenBack() throws {
        let cases: [(json: String, model: NoiseModel)] = [
            (try json(), .none),
            (try json(noise: "gaussian", snr: "20"), .gaussian(snrDB: 20)),
            (try json(noise: "gaussian", snr: "-3.5"), .gaussian(snrDB: -3.5)),
            (try json(noise: "poisson", photons: "250"), .poisson(photonsPerPixel: 250)),
        ]
        for (text, model) in cases {
            let config = try decode(text)
            XCTAssertEqual(config.noise, model, text)
            XCTAssertEqual(try jsonString(config), text, "\(model) is written as it was read")
            var expected = TrainingConfig()
            expected.noise = model
            XCTAssertEqual(config, expected)
        }
        // The level a model does not use was never part of its meaning.
        XCTAssertEqual(try decode(try json(noise: "none", snr: "12", photons: "7")).noise, NoiseModel.none)
        XCTAssertEqual(try decode(try json(noise: "gaussian", snr: "12", photons: "7")).noise, .gaussian(snrDB: 12))
        XCTAssertEqual(try decode(#"{"noise":"poisson"}"#).noise, .poisson(photonsPerPixel: 1000))
        XCTAssertEqual(try decode("{}").noise, NoiseModel.none)
    }

    func testOldWeightingKeysDecodeToTheOpticsWeighting() throws {
        let truncated = try decode(try json(truncation: "0.25"))
        XCTAssertEqual(truncated.weighting, .truncated(fraction: 0.25))
        XCTAssertEqual(try jsonString(truncated), try json(truncation: "0.25"))
        let intensity = try decode(try json(weighting: "intensity"))
        XCTAssertEqual(intensity.weighting, .intensity)
        XCTAssertEqual(try jsonString(intensity), try json(weighting: "intensity"))
        XCTAssertEqual(try decode(try json(weighting: "intensity", truncation: "0.3")).weighting, .intensity)
        XCTAssertEqual(try decode(#"{"weighting":"intensity"}"#).weighting, .intensity)
        XCTAssertEqual(try decode(#"{"truncation":0.7}"#).weighting, .truncated(fraction: 0.7))
        XCTAssertEqual(TrainingConfig().weighting, .truncated(fraction: 0.4))
    }

    func testUnknownNamesAreDecodingErrorsThatNameThem() throws {
        XCTAssertThrowsError(try decode(try json(noise: "speckle"))) {
            XCTAssertTrue(oneLine($0).contains("noise must be none, gaussian, poisson or camera, got 'speckle'"), oneLine($0))
        }
        XCTAssertThrowsError(try decode(try json(weighting: "uniform"))) {
            XCTAssertTrue(oneLine($0).contains("weighting must be truncated or intensity, got 'uniform'"), oneLine($0))
        }
    }

    func testSettingsChecksJudgeTheOpticsValues() {
        var c = Preset.tiny.config(mode: .e2e)
        XCTAssertEqual(c.settingsProblems(), [])
        c.noise = .poisson(photonsPerPixel: 0)
        XCTAssertEqual(c.settingsProblems(), ["Poisson noise needs a positive mean photon count per pixel, got 0.0"])
        c.noise = .gaussian(snrDB: .infinity)
        XCTAssertEqual(c.settingsProblems(), ["Gaussian noise SNR must be a finite number of dB, got inf"])
        c.noise = .none
        c.weighting = .truncated(fraction: 1.5)
        XCTAssertEqual(c.settingsProblems(), ["truncation fraction must be in (0, 1], got 1.5"])
        c.weighting = .intensity
        XCTAssertEqual(c.settingsProblems(), [])
    }

    /// A student without a teacher checkpoint is a complete system (its settings are valid), but not a
    /// training job: `PhaseRetrievalSystem` builds it, its wiring is a problem (`TrainingJobTests` checks that
    /// `TrainingJob.train` refuses it).
    func testStudentWithoutTeacherIsASystemButNotAJob() throws {
        var c = TrainerTests.config(.student)
        c.alpha = 0.6; c.beta = 0.2
        XCTAssertEqual(c.settingsProblems(), [])
        XCTAssertEqual(c.wiringProblems(), ["student mode needs a teacher checkpoint"])
        XCTAssertNoThrow(try PhaseRetrievalSystem(config: c))
        for mode in [TrainingMode.teacher, .e2e, .random] {
            XCTAssertEqual(TrainerTests.config(mode).wiringProblems(), [], "\(mode) needs no teacher")
        }
    }

    func testWiringChecksCompareTheStudentWithItsTeacher() {
        let teacher = TrainerTests.config(.teacher, snapshots: 2)
        var student = TrainerTests.config(.student)
        student.teacherCheckpoint = "t.h5"
        XCTAssertEqual(student.wiringProblems(teacher: teacher), [])
        student.sceneModel.backgroundOffset = 0.2
        XCTAssertEqual(student.wiringProblems(teacher: teacher), [], "background offsets may differ")
        student.channels = 8
        student.sceneModel.phaseMax = 2
        XCTAssertEqual(student.wiringProblems(teacher: teacher), [
            "teacher has size 16, depth 2, channels 4; the student asks for 16, 2, 8",
            "teacher was trained on scenes with \(teacher.sceneModel); the student asks for "
                + "\(SceneModel(phaseMin: 0, phaseMax: 2)) (give the same --phase-range and --amplitude-range)",
        ])
        XCTAssertEqual(student.settingsProblems(), [], "a mismatch with the teacher is no settings problem")
    }
}
