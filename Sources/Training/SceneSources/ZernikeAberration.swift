import Foundation
import TensorCore

/// Aberration phase screen: a random combination of Zernike polynomials `Zₙᵐ` of radial order
/// n = 1…`maximumOrder` (every azimuthal m, piston left out), stretched onto a random sub-range of
/// [0, 1] (`randomContrast`).
///
/// The unit disc circumscribes the scene (ρ = distance from the centre / (size·√2/2)), so the screen
/// fills the whole `[size, size]` plane with no aperture edge. Coefficient of `Zₙᵐ`: `N(0, 1)/n`, so low
/// orders (tilt, defocus, astigmatism) dominate as in real optics.
struct ZernikeAberration: SceneGenerator {
    let size: Int
    static let maximumOrder = 5
    /// `(n, m)` of every term; m < 0 selects the sine term.
    let terms: [(n: Int, m: Int)]
    /// `[terms.count][size·size]`: each polynomial sampled at the pixel centres.
    private let basis: [[Float]]

    init(size: Int) {
        self.size = size
        var terms: [(Int, Int)] = []
        for n in 1...Self.maximumOrder { for m in stride(from: -n, through: n, by: 2) { terms.append((n, m)) } }
        self.terms = terms
        let half = Double(size) / 2, radius = half * 2.0.squareRoot()
        basis = terms.map { term in
            (0..<size * size).map { i in
                let dx = Double(i % size) + 0.5 - half, dy = Double(i / size) + 0.5 - half
                return Float(Self.zernike(n: term.0, m: term.1, rho: (dx * dx + dy * dy).squareRoot() / radius,
                                          theta: atan2(dy, dx)))
            }
        }
    }

    func render(into plane: UnsafeMutablePointer<Float>, generator g: inout SeededGenerator) {
        let count = size * size
        for i in 0..<count { plane[i] = 0 }
        for (t, term) in terms.enumerated() {
            let a = g.normal() / Float(term.n)
            basis[t].withUnsafeBufferPointer { z in for i in 0..<count { plane[i] += a * z[i] } }
        }
        let (contrast, offset) = randomContrast(&g)
        stretch(plane, count: count, contrast: contrast, offset: offset)
    }

    /// `Zₙᵐ(ρ, θ) = Rₙ^|m|(ρ)·cos(mθ)` for m ≥ 0 and `Rₙ^|m|(ρ)·sin(|m|θ)` for m < 0 (unnormalized).
    static func zernike(n: Int, m: Int, rho: Double, theta: Double) -> Double {
        let r = radial(n: n, m: abs(m), rho: rho)
        return m >= 0 ? r * cos(Double(m) * theta) : r * sin(Double(-m) * theta)
    }

    /// `Rₙᵐ(ρ) = Σₖ₌₀^{(n−m)/2} (−1)ᵏ (n−k)! / (k! ((n+m)/2−k)! ((n−m)/2−k)!) ρ^{n−2k}`; needs
    /// 0 ≤ m ≤ n with n − m even (0 otherwise).
    static func radial(n: Int, m: Int, rho: Double) -> Double {
        guard m >= 0, m <= n, (n - m) % 2 == 0 else { return 0 }
        func factorial(_ k: Int) -> Double { k < 2 ? 1 : (2...k).reduce(1.0) { $0 * Double($1) } }
        var sum = 0.0
        for k in 0...((n - m) / 2) {
            let c = factorial(n - k) / (factorial(k) * factorial((n + m) / 2 - k) * factorial((n - m) / 2 - k))
            sum += (k % 2 == 0 ? c : -c) * pow(rho, Double(n - 2 * k))
        }
        return sum
    }
}
