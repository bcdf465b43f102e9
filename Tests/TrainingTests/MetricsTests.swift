import TensorCore
import Training
import XCTest

final class MetricsTests: XCTestCase {
    func testPSNROfKnownError() {
        let ref = Tensor(repeating: 0.5, shape: [1, 1, 4, 4])
        let est = Tensor(repeating: 0.6, shape: [1, 1, 4, 4])   // MSE = 0.01 → 20 dB
        XCTAssertEqual(ImageMetrics.psnr(estimate: est, reference: ref), 20, accuracy: 1e-4)
        // Clipping: an estimate of 1.5 counts as 1.
        let over = Tensor(repeating: 1.5, shape: [1, 1, 4, 4]), one = Tensor(repeating: 0.9, shape: [1, 1, 4, 4])
        XCTAssertEqual(ImageMetrics.psnr(estimate: over, reference: one), 20, accuracy: 1e-4)
    }

    func testSSIMOfImageWithItselfIsOne() {
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.uniform([2, 1, 16, 16], generator: &rng)
        XCTAssertEqual(ImageMetrics.ssim(estimate: x, reference: x), 1, accuracy: 1e-9)
    }

    /// Hand computation on 11×11 images (one window position): x constant 0.2, y constant 0.6 gives
    /// μx = 0.2, μy = 0.6, σ = 0, so SSIM = (2·0.12 + C1) / (0.04 + 0.36 + C1) · (C2 / C2).
    func testSSIMHandComputedConstantImages() {
        let x = Tensor(repeating: 0.2, shape: [1, 1, 11, 11]), y = Tensor(repeating: 0.6, shape: [1, 1, 11, 11])
        let c1 = 0.0001
        XCTAssertEqual(ImageMetrics.ssim(estimate: x, reference: y), (0.24 + c1) / (0.40 + c1), accuracy: 1e-6)
    }

    /// Hand computation with structure: on an 11×11 image the window sees every pixel, so with Gaussian
    /// weights g, SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)) where all moments are
    /// g-weighted. For y = a·x + b: σxy = a·σx², σy² = a²σx².
    func testSSIMHandComputedAffineImage() {
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.uniform([1, 1, 11, 11], low: 0.2, high: 0.6, generator: &rng)
        let y = Tensor(uninitialized: [1, 1, 11, 11])
        for i in 0..<121 { y.pointer[i] = 0.5 * x.pointer[i] + 0.3 }
        // Weighted moments of x computed here independently with the 2-D Gaussian window.
        var g = [Double](repeating: 0, count: 121), gs = 0.0
        for r in 0..<11 { for c in 0..<11 {
            g[r * 11 + c] = exp(-(Double((r - 5) * (r - 5) + (c - 5) * (c - 5))) / (2 * 1.5 * 1.5)); gs += g[r * 11 + c]
        } }
        var mx = 0.0, mxx = 0.0
        for i in 0..<121 { let v = Double(x.pointer[i]); mx += g[i] / gs * v; mxx += g[i] / gs * v * v }
        let vx = mxx - mx * mx, my = 0.5 * mx + 0.3, vy = 0.25 * vx, cxy = 0.5 * vx
        let (c1, c2) = (0.0001, 0.0009)   // (K₁·L)², (K₂·L)² with K₁ = 0.01, K₂ = 0.03, data range L = 1
        let expected = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        XCTAssertEqual(ImageMetrics.ssim(estimate: y, reference: x), expected, accuracy: 1e-5)
    }
}
