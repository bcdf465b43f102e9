import Fabrication
import Foundation
import TensorCore
import XCTest

func circularError(_ a: Double, _ b: Double) -> Double {
    abs(atan2(sin(a - b), cos(a - b)))
}

func profile(columns: Int = 16, rows: Int = 12, bits: Int = 8, gray2Pi: Int = 256, inverted: Bool = false) throws -> SLMProfile {
    try SLMProfile(name: "test", columns: columns, rows: rows, pixelPitch: 8e-6, bitDepth: bits, gray2Pi: gray2Pi,
                   designWavelength: 633e-9, inverted: inverted)
}

final class GrayMappingTests: XCTestCase {
    func testLinearRoundTripIsWithinHalfAGrayStep() throws {
        var g = SeededGenerator(seed: 11)
        for p in [try profile(), try profile(gray2Pi: 218), try profile(bits: 10, gray2Pi: 1024),
                  try profile(gray2Pi: 200, inverted: true), try profile(bits: 1, gray2Pi: 2)] {
            let encoder = GrayEncoder(profile: p)
            for _ in 0..<500 {
                let phi = Double.random(in: -20...20, using: &g)
                let gray = encoder.gray(forPhase: phi)
                XCTAssertTrue((0...p.maxGray).contains(gray))
                let back = try encoder.phase(forGray: gray)
                XCTAssertLessThanOrEqual(circularError(phi, back), Double.pi / Double(p.gray2Pi) + 1e-12)
            }
        }
    }

    func testTopOfTheRangeWrapsToZero() throws {
        let encoder = GrayEncoder(profile: try profile(gray2Pi: 218))
        XCTAssertEqual(encoder.gray(forPhase: 2 * Double.pi - 1e-9), 0)
        XCTAssertEqual(encoder.gray(forPhase: 2 * Double.pi * 217.6 / 218), 0)
        XCTAssertEqual(encoder.gray(forPhase: 2 * Double.pi * 217.4 / 218), 217)
        XCTAssertEqual(encoder.gray(forPhase: Double.pi), 109)
    }

    func testInvertedDisplayReversesGrayValues() throws {
        let p = try profile(gray2Pi: 200, inverted: true)
        let plain = GrayEncoder(profile: try profile(gray2Pi: 200))
        let inverted = GrayEncoder(profile: p)
        XCTAssertEqual(inverted.gray(forPhase: 0), p.maxGray)
        for phi in stride(from: 0.0, to: 2 * Double.pi, by: 0.1) {
            XCTAssertEqual(inverted.gray(forPhase: phi), p.maxGray - plain.gray(forPhase: phi))
        }
        XCTAssertEqual(try inverted.phase(forGray: p.maxGray), 0)
        XCTAssertThrowsError(try inverted.phase(forGray: 256))
    }

    func testLookupTableChoosesTheLeastPhaseError() throws {
        let csv = """
        # measured at 633 nm
        gray,phase
        0, 0.0
        10, 1.9
        20, 1.2
        30, 3.3
        40, 5.9
        55, 4.4
        """
        let p = try profile()
        let lut = try PhaseLUT.parse(csv: csv, maxGray: p.maxGray, source: "lut.csv")
        XCTAssertEqual(lut.entries.map(\.gray), [0, 10, 20, 30, 40, 55])
        let encoder = try GrayEncoder(profile: p, lut: lut)
        var g = SeededGenerator(seed: 3)
        for _ in 0..<300 {
            let phi = Double.random(in: 0..<(2 * Double.pi), using: &g)
            let chosen = encoder.gray(forPhase: phi)
            let best = lut.entries.map { circularError(phi, $0.phase) }.min()!
            XCTAssertEqual(circularError(phi, try encoder.phase(forGray: chosen)), best, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(best, lut.worstCaseError + 1e-12)
        }
        XCTAssertThrowsError(try encoder.phase(forGray: 5)) { XCTAssertTrue("\($0)".contains("lookup table")) }
    }

    func testLookupTableRejectsBadInput() {
        func expectError(_ csv: String, mentions text: String, line: UInt = #line) {
            XCTAssertThrowsError(try PhaseLUT.parse(csv: csv, maxGray: 255, source: "lut.csv"), line: line) { e in
                XCTAssertTrue("\(e)".contains("lut.csv") && "\(e)".contains(text), "\(e)", line: line)
            }
        }
        expectError("", mentions: "empty")
        expectError("# only a comment\n", mentions: "empty")
        expectError("0,0\n1,abc\n", mentions: "line 2")
        expectError("0,0\nx,1\n", mentions: "line 2")
        expectError("0,0\n1.5,1\n", mentions: "not an integer")
        expectError("0,0\n1,1,2\n", mentions: "line 2")
        expectError("0,0\n0,1\n", mentions: "twice")
        expectError("0,0\n300,1\n", mentions: "300")
        expectError("0,0\n", mentions: "at least 2")
        expectError("0,0\n1,nan\n", mentions: "line 2")
    }
}

final class TableSearchTests: XCTestCase {
    /// The encoder's binary search over a table agrees with the plain scan (`PhaseLUT.nearestGray`),
    /// also for sparse, non-monotonic tables with repeated phases and for phases on the midpoints.
    func testBinarySearchAgreesWithThePlainScan() throws {
        var g = SeededGenerator(seed: 41)
        let p = try profile(bits: 10, gray2Pi: 1024)
        for trial in 0..<20 {
            let count = [2, 3, 7, 64, 600][trial % 5]
            let grays = Array((0...p.maxGray).shuffled(using: &g).prefix(count))
            var phases = grays.map { _ in Double.random(in: -1...8, using: &g) }
            if count > 3 { phases[1] = phases[0]; phases[2] = phases[0] + 2 * Double.pi }   // repeats, ties to the lower gray
            let lut = try PhaseLUT(pairs: Array(zip(grays, phases)).map { (gray: $0.0, phase: $0.1) }, maxGray: p.maxGray, source: "t")
            let encoder = try GrayEncoder(profile: p, lut: lut)
            let sorted = lut.entries.map(\.phase).sorted()
            let midpoints = zip(sorted, sorted.dropFirst()).map { ($0 + $1) / 2 }
            for phi in (0..<300).map({ _ in Double.random(in: -7...14, using: &g) }) + sorted + midpoints {
                XCTAssertEqual(encoder.gray(forPhase: phi), lut.nearestGray(phi), "table of \(count), φ = \(phi)")
            }
        }
    }
}
