import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import Training
import XCTest

/// `--noise camera:…` on train, evaluate, simulate and design: one syntax, one error line.
final class CameraNoiseCLITests: XCTestCase {
    var directory = ""

    override func setUp() {
        directory = NSTemporaryDirectory() + "phasemask-camera-noise-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    let sensorText = "camera:photons=500,read=2,well=5000,bits=10"
    let sensor = CameraNoise(photonsPerPixel: 500, readNoise: 2, fullWell: 5000, bits: 10)

    func run(_ arguments: [String]) throws -> CommandLineTool.Result {
        let result = try CommandLineTool.run(arguments, timeout: 300)
        XCTAssertEqual(result.status, 0, "\(arguments.prefix(2)): \(result.error)")
        return result
    }

    func testTrainEvaluateAndSimulateUnderCameraNoise() throws {
        let out = directory + "/e2e"
        _ = try run(["train", "--mode", "e2e", "--preset", "tiny", "--epochs", "1", "--train-size", "8", "--val-size", "4",
                     "--test-size", "4", "--batch", "4", "--iterations", "2", "--data", "synthetic:smooth", "--threads", "1",
                     "--noise", sensorText, "--out", out])
        XCTAssertEqual(try Checkpoint.configuration(at: out + "/checkpoint.h5").noise, .camera(sensor))

        let evaluated = try run(["evaluate", "--model", out + "/checkpoint.h5", "--noise", sensorText, "--threads", "1"])
        XCTAssertEqual(evaluated.lines.filter { $0.hasPrefix("test (4 images, \(NoiseModel.camera(sensor))): PSNR ") }.count, 1,
                       evaluated.output)

        // A 16×16 two-level mask written as a dataset, and a ramp scene.
        let masks = try HDF5File.create(path: directory + "/mask.h5")
        try masks.write((0..<256).map { Double(($0 / 3) % 2) * .pi / 2 }, shape: [1, 16, 16], to: "/phi")
        try masks.close()
        try PNGFile.write(RasterImage.gray8((0..<256).map { UInt8($0) }, width: 16, height: 16), to: directory + "/ramp.png")
        let simulated = try run(["simulate", "--mask", directory + "/mask.h5:/phi", "--scene", directory + "/ramp.png",
                                 "--noise", sensorText, "--seed", "4", "--out", directory + "/cdp.h5"])
        XCTAssertTrue(simulated.lines.contains { $0.hasPrefix("wrote \(directory)/cdp.h5: CDPs [1, 1, 16, 16], \(NoiseModel.camera(sensor)), ") },
                      simulated.output)
        let file = try HDF5File.open(path: directory + "/cdp.h5")
        XCTAssertEqual(try file.stringAttribute("noise", of: "/cdp"), NoiseModel.camera(sensor).description)
        let y = try file.readTensor("/cdp")
        try file.close()
        // Every value is a whole number of ADC steps of 5000/1023 e⁻ at c = 500/mean(clean y) = 500
        // (Parseval: the mean clean CDP of a unit-modulus scene is 1 with the orthonormal FFT).
        let gain = try XCTUnwrap(sensor.gain)
        for k in 0..<y.count {
            let dn = Double(y.pointer[k]) * 500 / gain
            XCTAssertEqual(dn, dn.rounded(), accuracy: 1e-2, "pixel \(k)")
        }
    }

    func testBadSensorsStopEveryCommandWithOneLine() throws {
        let out = directory + "/out"
        let cases: [(String, String)] = [
            ("camera:photons=-1,read=3", "camera noise needs a positive mean photon count per pixel, got photons=-1"),
            ("camera:photons=100,read=3,well=1000,bits=40", "camera ADC bits must be in 1…32, got bits=40"),
            ("camera:photons=100,read=-2", "camera read noise must be a finite number of electrons ≥ 0, got read=-2"),
            ("camera:photons=100,read=1,well=50", "camera full well must exceed the mean signal of 100 e⁻ per pixel, got well=50"),
        ]
        for (text, message) in cases {
            let commands: [[String]] = [
                ["train", "--mode", "e2e", "--preset", "tiny", "--noise", text, "--out", out],
                ["design", "--preset", "tiny", "--noise", text, "--work", out, "--out", out],
                ["evaluate", "--model", out + "/checkpoint.h5", "--noise", text],
                ["simulate", "--mask", out + "/m.h5", "--scene", "fashion-mnist:test:0", "--noise", text, "--out", out + "/cdp.h5"],
            ]
            for arguments in commands {
                let result = try CommandLineTool.run(arguments, timeout: 60)
                XCTAssertEqual(result.status, 64, "\(arguments[0]) \(text): \(result.error)")
                XCTAssertEqual(result.error, "Error: --noise: \(message)\n", "\(arguments[0]) \(text)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written")
    }
}
