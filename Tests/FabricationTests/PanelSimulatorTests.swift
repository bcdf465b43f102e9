import Fabrication
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// Unit-amplitude scenes `[B, H, W]` of random phase.
func randomScenes(_ b: Int, _ h: Int, _ w: Int, seed: UInt64) -> ComplexField {
    let phase = randomMask([b, h, w], seed: seed, range: 0...3)
    let field = ComplexField(uninitialized: [b, h, w])
    for i in 0..<phase.count {
        field.pointer[2 * i] = cos(phase.pointer[i])
        field.pointer[2 * i + 1] = sin(phase.pointer[i])
    }
    return field
}

final class PanelSimulatorTests: XCTestCase {
    /// 2×2 design, superpixel 4 (footprint 8×8, M = 8), zero mask, uniform scene, blaze of 4 pixels:
    /// the unmodulated light is one bin η·M² at (0, 0), the modulated light one bin (1 − η)·M²·sinc²(1/4)
    /// at (0, M/4 = 2), and nothing else.
    func testZeroOrderAndFirstOrderLandWhereTheArithmeticPutsThem() throws {
        let p = try profile(columns: 12, rows: 10)
        let layout = try SLMLayout(designHeight: 2, designWidth: 2, profile: p, superpixel: 4)
        let chain = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), carrier: .blaze(periodX: 4, periodY: 0))
        let eta = 0.25
        let panel = try PanelSimulator(chain: chain, zeroOrder: eta)
        let scene = ComplexField(real: Tensor([Float](repeating: 1, count: 4), shape: [1, 2, 2]), imaginary: Tensor(zeros: [1, 2, 2]))
        let sensor = try panel.sensor(scenes: scene, displays: try chain.encode(Tensor(zeros: [1, 2, 2])))
        XCTAssertEqual(sensor.shape, [1, 1, 8, 8])
        let sinc = sin(Double.pi / 4) / (Double.pi / 4)
        for u in 0..<8 {
            for v in 0..<8 {
                let expected = (u, v) == (0, 0) ? eta * 64 : (u, v) == (0, 2) ? (1 - eta) * 64 * sinc * sinc : 0
                XCTAssertEqual(Double(sensor[0, 0, u, v]), expected, accuracy: 1e-4, "bin \(u),\(v)")
            }
        }
    }

    /// Without unmodulated light, the first-order window divided by its divisor is the CDP the sensing
    /// model gives for the decoded frames, for blazes either way along either axis and oversampling 1 or 2.
    func testTheFirstOrderWindowIsTheDesignCDP() throws {
        let p = try profile(columns: 20, rows: 18)
        let layout = try SLMLayout(designHeight: 4, designWidth: 4, profile: p, superpixel: 4)
        let mask = levelMask([2, 4, 4], levels: 8, seed: 21)
        let scenes = randomScenes(2, 4, 4, seed: 22)
        for carrier in [Carrier.blaze(periodX: 4, periodY: 0), .blaze(periodX: 0, periodY: -4), .blaze(periodX: 8, periodY: 4)] {
            for f in [1, 2] {
                let chain = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), carrier: carrier)
                let displays = try chain.encode(mask)
                let panel = try PanelSimulator(chain: chain, zeroOrder: 0, oversampling: f)
                let window = try panel.window()
                let expected = try Simulator(oversampling: f).measure(scenes, try chain.decode(displays))
                let got = try window.extract(try panel.sensor(scenes: scenes, displays: displays))
                XCTAssertLessThan(DesignVerifier.relativeError(got, expected), 1e-4, "\(carrier), f = \(f)")
            }
        }
    }

    /// With 20 % of the light unmodulated, the window without a carrier holds the zero order on top of
    /// the CDP; a blaze moves the CDP away from it.
    func testACarrierMovesTheCDPAwayFromTheZeroOrder() throws {
        let p = try profile(columns: 64, rows: 64)
        let layout = try SLMLayout(designHeight: 8, designWidth: 8, profile: p, superpixel: 8)
        let mask = levelMask([1, 8, 8], levels: 8, seed: 31)
        let scenes = randomScenes(1, 8, 8, seed: 32)
        func windowError(_ carrier: Carrier?) throws -> Double {
            let chain = try DisplayChain(layout: layout, encoder: GrayEncoder(profile: p), carrier: carrier)
            let displays = try chain.encode(mask)
            let panel = try PanelSimulator(chain: chain, zeroOrder: 0.2)
            let expected = try Simulator().measure(scenes, try chain.decode(displays))
            return DesignVerifier.relativeError(try panel.window().extract(try panel.sensor(scenes: scenes, displays: displays)), expected)
        }
        let without = try windowError(nil), with = try windowError(.blaze(periodX: 4, periodY: 4))
        XCTAssertGreaterThan(without, 0.1)
        XCTAssertLessThan(with, without / 10, "without \(without), with \(with)")
        // A lens (|f| above the 6.47 mm this footprint needs) refocuses the camera onto the first order
        // and blurs the zero order over the sensor instead of moving it.
        let lens = try windowError(.lens(focalLength: 0.008))
        XCTAssertLessThan(lens, without / 2, "without \(without), lens \(lens)")
    }

    func testRefusesAnImpossibleFraction() throws {
        let p = try profile()
        let chain = DisplayChain(layout: try SLMLayout(designHeight: 2, designWidth: 2, profile: p), encoder: GrayEncoder(profile: p))
        for eta in [-0.1, 1, .nan] {
            XCTAssertThrowsError(try PanelSimulator(chain: chain, zeroOrder: eta)) {
                XCTAssertTrue("\($0)".hasPrefix("--zero-order: the unmodulated fraction must be in [0, 1)"), "\($0)")
            }
        }
    }
}
