import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import TestSupport
import XCTest

final class SimulatorTests: XCTestCase {
    func testMeasureMatchesThePlainLoopCDPs() throws {
        let masks = randomMask([2, 4, 6], seed: 70)
        let scenes = ComplexField(storage: randomMask([3, 4, 6, 2], seed: 71, range: -1...1))
        let fast = try Simulator().measure(scenes, masks)
        XCTAssertLessThan(DesignVerifier.relativeError(fast, naiveCDP(scenes, masks)), 1e-5)
    }

    func testImagesBecomePhaseObjectsAndNoiseIsSeeded() throws {
        let image = Tensor([0, 0.5, 1, 0.25], shape: [1, 1, 2, 2])
        let simulator = try Simulator(oversampling: 2, noise: .gaussian(snrDB: 20))
        let field = try simulator.field(.intensity(image))
        for i in 0..<4 {
            let (re, im) = field[i]
            // Circular: the default model's Float(π) lies a hair above π, so I = 1 may come out as −π.
            XCTAssertEqual(circularDistance(Double(atan2(im, re)), Double.pi * Double(image.pointer[i])), 0, accuracy: 1e-6)
            XCTAssertEqual(re * re + im * im, 1, accuracy: 1e-6)
        }
        let masks = randomMask([3, 2, 2], seed: 72)
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let a = try simulator.simulate(masks: masks, scene: field, generator: &g1)
        let b = try simulator.simulate(masks: masks, scene: field, generator: &g2)
        XCTAssertEqual(a.shape, [1, 3, 4, 4])
        XCTAssertTrue(bitIdentical(a, b))
        XCTAssertGreaterThan(DesignVerifier.relativeError(a, try simulator.measure(field, masks)), 0)
        XCTAssertThrowsError(try Simulator(oversampling: 0))
        XCTAssertThrowsError(try Simulator(noise: .poisson(photonsPerPixel: -1)))
        XCTAssertThrowsError(try simulator.simulate(masks: randomMask([1, 3, 3], seed: 1), scene: field, generator: &g1))
    }

    func testOutputFilesRoundTrip() throws {
        let (dir, cleanup) = try temporaryDirectory("simulate")
        defer { cleanup() }
        let simulator = try Simulator(oversampling: 2)
        let masks = randomMask([2, 3, 3], seed: 73)
        let scene = try simulator.field(.intensity(randomMask([1, 1, 3, 3], seed: 74, range: 0...1)))
        var g = SeededGenerator(seed: 1)
        let cdp = try simulator.simulate(masks: masks, scene: scene, generator: &g)
        let path = dir.appendingPathComponent("cdp.h5").path
        try simulator.write(cdp: cdp, scene: scene, masks: masks, maskSource: "m.h5", sceneSource: "s.png", seed: 1, to: path)
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertTrue(bitIdentical(try file.readTensor("/cdp"), cdp))
        XCTAssertEqual(try file.intAttribute("oversampling", of: "/cdp"), 2)
        let figure = dir.appendingPathComponent("cdp.png").path
        try Simulator.writeFigure(cdp: cdp, to: figure)
        XCTAssertGreaterThan(try PNGFile.read(path: figure).image.width, 2 * 6)
    }

    func testExportVerifiedWithTheSensingModel() throws {
        let (dir, cleanup) = try temporaryDirectory("simulate-verify")
        defer { cleanup() }
        let simulator = try Simulator(oversampling: 2)
        let slm = try profile(columns: 20, rows: 16, gray2Pi: 256)
        let export = try DesignExport(mask: randomMask([2, 6, 6], seed: 75),
                                      settings: ExportSettings(constraints: try PhaseConstraints(levels: 4), profile: slm))
        let scenes = try simulator.field(.intensity(randomMask([2, 1, 6, 6], seed: 76, range: 0...1)))
        let v = try VerificationData.compute(scenes: scenes, export: export, oversampling: 2, measure: simulator.measure)
        let paths = try export.writeAll(to: dir, stem: "e", metadata: DesignMetadata(softwareVersion: "test"), verification: v)
        let design = try DesignFile.read(path: paths[0])
        let frames = DesignVerifier.frameFiles(besides: design)
        XCTAssertEqual(frames.count, 2)
        XCTAssertTrue(try DesignVerifier.verify(design, frames: frames, measure: simulator.measure).passed)
        // gray2Pi = 256 is a multiple of K = 4: the panel shows exactly the quantized levels.
        let shown = try MaskSource.design(path: paths[0], displayed: true).load()
        for i in 0..<shown.count {
            XCTAssertLessThan(circularError(Double(shown.pointer[i]), Double(design.quantized.phases.pointer[i])), 1e-6)
        }
    }
}

