import Figures
import Foundation
import XCTest

/// Nice ticks, colour maps, intensity scales and the colour bar.
final class ScaleTests: XCTestCase {
    func testNiceTicksOnSeveralRanges() {
        func check(_ lo: Double, _ hi: Double, _ n: Int, _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
            let got = NiceTicks.values(lower: lo, upper: hi, targetCount: n).values
            XCTAssertEqual(got.count, expected.count, "\(lo)…\(hi): \(got)", file: file, line: line)
            for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: 1e-12, file: file, line: line) }
        }
        check(0, 1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1])
        check(0, 10, 5, [0, 2, 4, 6, 8, 10])
        check(-3.7, 12.2, 5, [0, 5, 10])
        check(0.61, 0.93, 4, [0.7, 0.8, 0.9])
        check(17.2, 29.9, 6, [18, 20, 22, 24, 26, 28])
        check(1, 8, 8, [1, 2, 3, 4, 5, 6, 7, 8])
        check(0.000_12, 0.000_31, 4, [0.000_15, 0.000_2, 0.000_25, 0.000_3])
        check(-1e6, 3e6, 4, [-1e6, 0, 1e6, 2e6, 3e6])
        check(5, 5, 5, [4.6, 4.8, 5.0, 5.2, 5.4])
        for (lo, hi) in [(0.0, 1.0), (-40.0, 0.0), (3.3, 3.9), (1e-3, 7e-3), (12.0, 980.0)] {
            let (values, step) = NiceTicks.values(lower: lo, upper: hi, targetCount: 5)
            let mantissa = step / pow(10, log10(step).rounded(.down))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(step)")
            XCTAssertTrue((3...11).contains(values.count), "\(lo)…\(hi) gave \(values)")
            XCTAssertTrue(values.allSatisfy { $0 >= lo - 1e-12 && $0 <= hi + 1e-12 })
        }
    }

    func testTickLabelsUseJustEnoughDigits() {
        XCTAssertEqual(NiceTicks.ticks(lower: 0, upper: 1, targetCount: 5).map(\.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(NiceTicks.ticks(lower: -40, upper: 0, targetCount: 4).map(\.label), ["−40", "−30", "−20", "−10", "0"])
        XCTAssertEqual(NiceTicks.label(0.15, step: 0.05), "0.15")
        XCTAssertEqual(NiceTicks.label(2.5e-5, step: 5e-6), "2.5e−5")
        XCTAssertEqual(NiceTicks.label(3e6, step: 1e6), "3e6")
        XCTAssertEqual(NiceTicks.label(1200, step: 200), "1200")
    }

    func testCyclicMapClosesOnItselfAndIsContinuous() {
        let map = ColorMap.twilightLike
        XCTAssertTrue(map.isCyclic)
        XCTAssertEqual(map.color(phase: 0), map.color(phase: 2 * .pi))
        XCTAssertEqual(map.color(phase: 1), map.color(phase: 1 + 4 * .pi))
        XCTAssertEqual(map.color(phase: -1), map.color(phase: 2 * .pi - 1))
        // Neighbouring phases around the whole circle, across 2π → 0 included, differ by little.
        let n = 720
        for k in 0..<n {
            let a = map.color(at: Double(k) / Double(n)), b = map.color(at: Double(k + 1) / Double(n))
            let d = max(abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b)))
            XCTAssertLessThanOrEqual(d, 6, "jump between steps \(k) and \(k + 1)")
        }
        // Light at 0, dark at π; blue-ish at π/2 and red-ish at 3π/2.
        XCTAssertGreaterThan(ColorMap.luminance(map.color(phase: 0)), 0.7)
        XCTAssertLessThan(ColorMap.luminance(map.color(phase: .pi)), 0.05)
        let quarter = map.color(phase: .pi / 2), threeQuarter = map.color(phase: 3 * .pi / 2)
        XCTAssertGreaterThan(quarter.b, quarter.r)
        XCTAssertGreaterThan(threeQuarter.r, threeQuarter.b)
    }

    func testSequentialMapsRiseInLuminance() {
        for map in [ColorMap.gray, ColorMap.viridisLike] {
            XCTAssertFalse(map.isCyclic)
            var previous = -1.0
            for k in 0...200 {
                let y = ColorMap.luminance(map.color(at: Double(k) / 200))
                XCTAssertGreaterThan(y, previous, "\(map.name) at step \(k)")
                previous = y
            }
            XCTAssertEqual(map.color(at: -3), map.color(at: 0), "clamped below")
            XCTAssertEqual(map.color(at: 7), map.color(at: 1), "clamped above")
        }
        XCTAssertEqual(ColorMap.gray.color(at: 0), .black)
        XCTAssertEqual(ColorMap.gray.color(at: 1), .white)
        XCTAssertEqual(ColorMap.viridisLike.color(at: .nan), ColorMap.viridisLike.invalid)
    }

    func testControlPointsLieInsideTheSRGBGamut() {
        for k in 0...100 {
            let t = Double(k) / 100
            let c = OKLCh(L: 0.62 + 0.30 * cos(2 * .pi * t), C: 0.15 * sin(.pi * t), h: 210 + 220 * t).linearSRGB
            for v in [c.r, c.g, c.b] { XCTAssertTrue(v > -1e-3 && v < 1 + 1e-3, "twilight-like at t = \(t): \(c)") }
        }
        // OKLab's neutral axis is gray: L = 1 is white.
        XCTAssertEqual(OKLCh(L: 1, C: 0, h: 0).color, .white)
    }

    func testIntensityScales() {
        let y: [Float] = [0, 1e-4, 1e-2, 1, .nan]
        let log = IntensityScale.log1p(epsilon: 1e-4).apply(y)
        XCTAssertEqual(log[0], 0)
        XCTAssertEqual(log[1], log10(2), accuracy: 1e-6)
        XCTAssertEqual(log[3], log10(1 + 1e4), accuracy: 1e-6)
        XCTAssertTrue(log[4].isNaN)
        let db = IntensityScale.decibels(floor: -30).apply(y)
        XCTAssertEqual(db[0], -30)
        XCTAssertEqual(db[1], -30, "−40 dB is clipped at the floor")
        XCTAssertEqual(db[2], -20, accuracy: 1e-4)
        XCTAssertEqual(db[3], 0)
        XCTAssertEqual(IntensityScale.decibels(floor: -30).displayRange(of: db), -30...0)
        XCTAssertEqual(IntensityScale.linear.displayRange(of: [2, 2]), 1.5...2.5)
    }

    func testColorBarDrawsTheMapTopToBottomWithTicks() {
        let bar = ColorBar(map: .gray, range: -40...0, label: "dB", textScale: 1, barWidth: 8)
        let height = 120
        let ticks = bar.resolvedTicks(height: height)
        XCTAssertEqual(ticks.first?.value, -40)
        XCTAssertEqual(ticks.last?.value, 0)
        var canvas = Canvas(width: bar.width(height: height) + 4, height: height + 2 * bar.overhang + 4, background: Color(1, 2, 3))
        let top = bar.overhang + 2
        bar.draw(on: &canvas, x: 2, y: top, height: height)
        XCTAssertEqual(canvas.pixel(x: 5, y: top), .white, "upper bound at the top")
        XCTAssertEqual(canvas.pixel(x: 5, y: top + height - 1), .black, "lower bound at the bottom")
        // Everything drawn fits in the reported width.
        let rightmost = (0..<canvas.height).flatMap { y in (0..<canvas.width).filter { canvas.pixel(x: $0, y: y) != Color(1, 2, 3) } }.max()!
        XCTAssertLessThan(rightmost, 2 + bar.width(height: height))
        XCTAssertGreaterThan(rightmost, 2 + bar.width(height: height) - 4, "the label reaches the right edge")
    }
}

extension ScaleTests {
    func testColorBarThinsCrowdedFixedTicksAndDropsALabelThatDoesNotFit() {
        let bar = ColorBar(map: .twilightLike, range: 0...(2 * .pi), label: "phase (rad)", ticks: ColorBar.phaseTicks, textScale: 2)
        XCTAssertEqual(bar.resolvedTicks(height: 300).map(\.label), ["0", "π/2", "π", "3π/2", "2π"])
        XCTAssertEqual(bar.resolvedTicks(height: 96).map(\.label), ["0", "π", "2π"])
        XCTAssertEqual(bar.resolvedTicks(height: 30).map(\.label), ["0", "2π"])
        let labelWidth = BitmapFont.width(of: "phase (rad)", scale: 2)
        XCTAssertEqual(bar.width(height: labelWidth) - bar.width(height: labelWidth - 1), 6 * 2 + BitmapFont.height(scale: 2),
                       "the label is drawn only when the strip is as long as it")
    }
}
