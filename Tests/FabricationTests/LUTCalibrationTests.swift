import Fabrication
import Foundation
import Optics
import TensorCore
import XCTest

final class LUTCalibrationTests: XCTestCase {
    let eightBit = try! profile()

    /// The fringe simulator's stack, read back: 64 columns hold 8 whole fringe periods, so each
    /// frame's phase comes back exactly.
    func calibrate(_ response: (Int) -> Double, profile p: SLMProfile, noise: Double = 0, wavelength: Double = 633e-9) throws -> LUTCalibration {
        var g = SeededGenerator(seed: 12)
        let grays = Array(0...p.maxGray)
        let frames = FringeStack.simulate(grays: grays, phase: response, rows: 16, columns: 64, period: 8, noise: noise, generator: &g)
        let phases = try FringeStack.phases(frames, source: "stack")
        let m = try LUTMeasurement(grays: grays, phases: phases, wavelength: 633e-9, maxGray: p.maxGray, source: "stack")
        return try LUTCalibration(m, wavelength: wavelength, maxGray: p.maxGray)
    }

    /// A gamma-shaped response of 2.6π is given back gray by gray over its 2π sub-range.
    func testAFringeStackFromTheSimulatorGivesBackItsLUT() throws {
        let truth = { (g: Int) in 2.6 * Double.pi * pow(Double(g) / 256, 1.2) }
        let c = try calibrate(truth, profile: eightBit)
        XCTAssertEqual(c.subRange.lowerBound, 0)   // the response steepens, so the finest 2π run starts at gray 0
        XCTAssertGreaterThan(c.table.entries.count, 190)
        for e in c.table.entries { XCTAssertEqual(e.phase, truth(e.gray), accuracy: 1e-4, "gray \(e.gray)") }
        XCTAssertLessThan(truth(c.table.entries.last!.gray), 2 * Double.pi)
        XCTAssertGreaterThan(truth(c.table.entries.last!.gray + 1), 2 * Double.pi - 0.05)
        let noisy = try calibrate(truth, profile: eightBit, noise: 0.2)
        let rms = (noisy.table.entries.map { pow(wrapToPi($0.phase - truth($0.gray)), 2) }.reduce(0, +)
                   / Double(noisy.table.entries.count)).squareRoot()
        XCTAssertLessThan(rms, 0.03)
        XCTAssertTrue(zip(noisy.fitted, noisy.fitted.dropFirst()).allSatisfy { $0 <= $1 }, "the fit is monotone")
    }

    /// A linear 2.5π response: δ = 2.5π/256, the sub-range ends at the last g with 2.5π g/256 < 2π − δ/2,
    /// g = 204; at 1266 nm (twice the measurement's 633 nm) the stroke is 1.25π and every gray is kept.
    func testTheSubRangeAndAnotherWavelength() throws {
        let c = try calibrate({ 2.5 * Double.pi * Double($0) / 256 }, profile: eightBit)
        XCTAssertEqual(c.table.entries.map(\.gray), Array(0...204))
        XCTAssertEqual(c.stroke, 2.5 * Double.pi, accuracy: 1e-4)
        let longer = try calibrate({ 2.5 * Double.pi * Double($0) / 256 }, profile: eightBit, wavelength: 1266e-9)
        XCTAssertEqual(longer.table.entries.count, 256)
        XCTAssertEqual(longer.table.entries[100].phase, 1.25 * Double.pi * 100 / 256, accuracy: 1e-4)
        XCTAssertTrue(longer.summary.contains("below 2π, all 256 levels"), longer.summary)
    }

    /// A falling response (an inverted panel) keeps its direction in the table.
    func testAFallingResponseIsMirroredBack() throws {
        let c = try calibrate({ -2.5 * Double.pi * Double($0) / 256 }, profile: eightBit)
        XCTAssertTrue(c.falling)
        XCTAssertEqual(c.table.entries.map(\.gray), Array(0...204))
        XCTAssertEqual(c.table.entries[10].phase, wrapPhase(-2.5 * Double.pi * 10 / 256), accuracy: 1e-4)
    }

    /// A 10-bit panel gets a 10-bit table and 1024 linearization levels with grays above 255.
    func testATenBitPanelGetsTenBitOutput() throws {
        let p = try profile(bits: 10, gray2Pi: 1024)
        let c = try calibrate({ 2.2 * Double.pi * Double($0) / 1024 }, profile: p)
        let linear = try c.linearization(levels: 1024, profile: p)
        XCTAssertEqual(linear.count, 1024)
        XCTAssertEqual(linear[512], Int((1024 / 2.2).rounded()))   // phase π at gray 1024·π/(2.2π)
        XCTAssertEqual(c.table.entries.last!.gray, 930)            // 2.2π g/1024 < 2π − δ/2 ⇔ g < 930.91 − 0.5
    }

    func testMonotoneFitPoolsAdjacentViolators() {
        XCTAssertEqual(LUTCalibration.monotoneFit([1, 3, 2, 4]), [1, 2.5, 2.5, 4])
        XCTAssertEqual(LUTCalibration.monotoneFit([3, 2, 1]), [2, 2, 2])
        XCTAssertEqual(LUTCalibration.monotoneFit([0, 1, 2]), [0, 1, 2])
    }

    func testMeasurementsWithGraysOutOfOrderOrMissingAreRefused() throws {
        XCTAssertThrowsError(try LUTMeasurement(grays: [0, 1, 3, 2], phases: [0, 1, 2, 3], wavelength: 633e-9, maxGray: 3, source: "m.csv")) {
            XCTAssertEqual("\($0)", "m.csv: gray levels are not in increasing order: gray 2 (entry 4) follows gray 3; list every gray level once, from 0 to 3")
        }
        XCTAssertThrowsError(try LUTMeasurement(grays: [0, 1, 3], phases: [0, 1, 2], wavelength: 633e-9, maxGray: 3, source: "m.csv")) {
            XCTAssertEqual("\($0)", "m.csv: 1 of the gray levels 0…3 are missing (2); a calibration needs every level")
        }
        let flat = Tensor([Float](repeating: 1, count: 2 * 16 * 32), shape: [2, 16, 32])
        XCTAssertThrowsError(try FringeStack.phases(flat, source: "s.h5: /frames")) {
            XCTAssertTrue("\($0)".hasPrefix("s.h5: /frames: no fringes found"), "\($0)")
        }
    }
}
