import Foundation
import TensorCore

/// Image-quality metrics on images in [0, 1] (data range 1), as the paper and its lineage report them.
///
/// Both metrics clip the estimate to [0, 1] first and return the mean over the images of a batch.
/// Images are `[N, 1, H, W]` (or `[N, H, W]`).
public enum ImageMetrics {
    /// Peak signal-to-noise ratio in dB, `10·log10(1 / MSE)` per image (data range 1), then averaged.
    /// An image identical to its reference has infinite PSNR; it is capped at 100 dB.
    public static func psnr(estimate: Tensor, reference: Tensor) -> Double {
        let (n, pixels) = layout(estimate, reference)
        var total = 0.0
        for i in 0..<n {
            var mse = 0.0
            for p in 0..<pixels {
                let e = min(max(Double(estimate.pointer[i * pixels + p]), 0), 1)
                let d = e - Double(reference.pointer[i * pixels + p])
                mse += d * d
            }
            mse /= Double(pixels)
            total += mse > 1e-10 ? 10 * log10(1 / mse) : 100
        }
        return total / Double(n)
    }

    /// Structural similarity (Wang et al. 2004) with an 11×11 Gaussian window (σ = 1.5), K1 = 0.01,
    /// K2 = 0.03, data range 1, population (biased) local statistics, averaged over the positions where
    /// the window fits entirely inside the image ("valid" region; scikit-image's default cropping gives
    /// the same set). Images smaller than 11×11 are refused.
    public static func ssim(estimate: Tensor, reference: Tensor) -> Double {
        let (n, pixels) = layout(estimate, reference)
        let h = estimate.shape[estimate.rank - 2], w = estimate.shape[estimate.rank - 1]
        precondition(h >= window && w >= window, "SSIM needs images of at least \(window)×\(window), got \(h)×\(w)")
        var total = 0.0
        var a = [Double](repeating: 0, count: pixels), b = a
        for i in 0..<n {
            for p in 0..<pixels {
                a[p] = min(max(Double(estimate.pointer[i * pixels + p]), 0), 1)
                b[p] = Double(reference.pointer[i * pixels + p])
            }
            total += ssim(a, b, height: h, width: w)
        }
        return total / Double(n)
    }

    static let window = 11
    static let sigma = 1.5

    /// Normalized 1-D Gaussian taps of the separable SSIM window.
    static let taps: [Double] = {
        let r = Double(window / 2)
        let g = (0..<window).map { exp(-pow(Double($0) - r, 2) / (2 * sigma * sigma)) }
        let s = g.reduce(0, +)
        return g.map { $0 / s }
    }()

    /// Mean SSIM of one image pair (row-major `height × width` arrays).
    static func ssim(_ x: [Double], _ y: [Double], height h: Int, width w: Int) -> Double {
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        let mx = blur(x, h, w), my = blur(y, h, w)
        let xx = blur(zip(x, x).map(*), h, w), yy = blur(zip(y, y).map(*), h, w), xy = blur(zip(x, y).map(*), h, w)
        var s = 0.0
        for k in 0..<mx.count {
            let vx = xx[k] - mx[k] * mx[k], vy = yy[k] - my[k] * my[k], cxy = xy[k] - mx[k] * my[k]
            s += ((2 * mx[k] * my[k] + c1) * (2 * cxy + c2))
                / ((mx[k] * mx[k] + my[k] * my[k] + c1) * (vx + vy + c2))
        }
        return s / Double(mx.count)
    }

    /// Separable "valid" Gaussian filtering: output `(h − 10) × (w − 10)`.
    static func blur(_ v: [Double], _ h: Int, _ w: Int) -> [Double] {
        let oh = h - window + 1, ow = w - window + 1
        var rows = [Double](repeating: 0, count: h * ow)
        for r in 0..<h {
            for c in 0..<ow {
                var s = 0.0
                for t in 0..<window { s += taps[t] * v[r * w + c + t] }
                rows[r * ow + c] = s
            }
        }
        var out = [Double](repeating: 0, count: oh * ow)
        for r in 0..<oh {
            for c in 0..<ow {
                var s = 0.0
                for t in 0..<window { s += taps[t] * rows[(r + t) * ow + c] }
                out[r * ow + c] = s
            }
        }
        return out
    }

    private static func layout(_ a: Tensor, _ b: Tensor) -> (images: Int, pixels: Int) {
        precondition(a.shape == b.shape, "metric: estimate \(a.shape) vs reference \(b.shape)")
        let h = a.shape[a.rank - 2], w = a.shape[a.rank - 1]
        return (a.count / (h * w), h * w)
    }
}
