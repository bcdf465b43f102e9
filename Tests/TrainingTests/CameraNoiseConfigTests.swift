import Foundation
import Optics
@testable import Training
import XCTest

/// A camera noise model in the checkpoint's configuration: its photons under the old key `photons`, its
/// sensor under the new keys `readNoise`, `fullWell` and `adcBits`, which no other model writes.
final class CameraNoiseConfigTests: XCTestCase {
    func decode(_ json: String) throws -> TrainingConfig {
        try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    }

    func testCameraKeysAreWrittenOnlyForACameraAndReadBack() throws {
        let plain = try jsonString(TrainingConfig())
        for key in ["readNoise", "fullWell", "adcBits"] {
            XCTAssertFalse(plain.contains("\"\(key)\""), "the default configuration has no \(key)")
        }
        var config = TrainingConfig()
        config.noise = .camera(CameraNoise(photonsPerPixel: 500, readNoise: 2.5, fullWell: 6000, bits: 10))
        let json = try jsonString(config)
        let expected = plain.replacingOccurrences(of: #""noise":"none""#, with: #""noise":"camera""#)
            .replacingOccurrences(of: #""photons":1000"#, with: #""photons":500"#)
            .replacingOccurrences(of: #""globalPhase""#, with: #""fullWell":6000,"globalPhase""#)  // sorted keys
            .replacingOccurrences(of: #"{"alpha""#, with: #"{"adcBits":10,"alpha""#)
            .replacingOccurrences(of: #""rho""#, with: #""readNoise":2.5,"rho""#)
        XCTAssertEqual(json, expected)
        XCTAssertEqual(try decode(json), config)

        config.noise = .camera(CameraNoise(photonsPerPixel: 500, readNoise: 0))
        let bare = try jsonString(config)
        XCTAssertTrue(bare.contains(#""readNoise":0"#), bare)
        XCTAssertFalse(bare.contains("fullWell") || bare.contains("adcBits"), bare)
        XCTAssertEqual(try decode(bare), config)
        XCTAssertEqual(try decode(#"{"noise":"camera","photons":40}"#).noise, .camera(CameraNoise(photonsPerPixel: 40, readNoise: 0)))
    }

    /// Sensor keys beside another model are not part of its meaning, as `snrDecibels` beside Poisson.
    func testSensorKeysBesideAnotherModelAreIgnored() throws {
        let json = #"{"noise":"poisson","photons":250,"readNoise":3,"fullWell":900,"adcBits":8}"#
        XCTAssertEqual(try decode(json).noise, .poisson(photonsPerPixel: 250))
    }

    func testAnImpossibleSensorIsASettingsProblem() {
        var c = TrainingConfig()
        c.noise = .camera(CameraNoise(photonsPerPixel: 100, readNoise: 1, fullWell: 1000, bits: 40))
        XCTAssertEqual(c.settingsProblems(), ["camera ADC bits must be in 1…32, got bits=40"])
    }
}
