import Foundation
import TensorCore

/// The k = log₂K binary layers of a K-level surface relief (lithography, docs/fabrication.md): layer
/// i = 1…k is bit k − i of the level index a pixel is etched to (layer 1 = most significant bit) and
/// adds the phase step 2π/2^i where it is set, so a pixel of etched level ℓ has phase 2πℓ/K — or
/// −2πℓ/K ≡ the design phase when the element is `conjugated` (it etches (K − ℓ) mod K).
public struct BinaryLayers: Equatable, Sendable {
    /// K = 2^k.
    public let levels: Int
    /// `[L, H, W]`.
    public let shape: [Int]
    /// The level each pixel is etched to, row-major over `shape`.
    public let etchedLevels: [Int]
    public let conjugated: Bool

    public init(levels: Int, shape: [Int], etchedLevels: [Int], conjugated: Bool = false) throws {
        guard levels >= 2, levels & (levels - 1) == 0 else {
            throw OpticsError("binary layers make K = 2^k levels; K = \(levels) is not a power of two")
        }
        guard shape.count == 3, shape.reduce(1, *) == etchedLevels.count else {
            throw OpticsError("\(etchedLevels.count) etched levels do not fill the mask shape \(shape)")
        }
        if let bad = etchedLevels.first(where: { !(0..<levels).contains($0) }) {
            throw OpticsError("etched level \(bad) is outside 0..<\(levels)")
        }
        self.levels = levels
        self.shape = shape
        self.etchedLevels = etchedLevels
        self.conjugated = conjugated
    }

    /// The layers of the uniform level nearest to each wrap(φ) of a mask `[L, H, W]` (radians),
    /// unconjugated: training's view of a continuous mask.
    public init(nearestLevelsOf phi: Tensor, levels: Int) throws {
        let k = Double(levels)
        let indices = (0..<phi.count).map { i in
            Int((wrapPhase(Double(phi.pointer[i])) * k / (2 * Double.pi)).rounded()) % max(levels, 1)
        }
        try self.init(levels: levels, shape: phi.shape, etchedLevels: indices)
    }

    /// k, the number of layers.
    public var count: Int { levels.trailingZeroBitCount }

    /// The phase step of layer i (1…k), 2π/2^i, negative for a conjugated element.
    public func step(_ i: Int) -> Double { (conjugated ? -2 : 2) * Double.pi / Double(1 << i) }

    /// 1 where layer i (1…k) etches pixel p, else 0.
    @inline(__always)
    public func bit(_ i: Int, _ p: Int) -> Double { Double((etchedLevels[p] >> (count - i)) & 1) }
}

/// A shift of one lithography layer, in pixels: + rows moves it down, + columns to the right.
public struct LayerShift: Equatable, Sendable {
    public var rows: Double
    public var columns: Double
    public init(rows: Double, columns: Double) {
        self.rows = rows
        self.columns = columns
    }
}

/// One realization of a `MaskPerturbation`: φ ↦ φ' = φ + Δ(φ), a pure function of the phase
/// `[L, H, W]` (radians). With w = wrap(φ) ∈ [0, 2π) per pixel:
///
/// - `depthScale(s)`: Δ = (s − 1)·w (the realized phase s·w).
/// - `layerDepth(ε)`: Δ = Σ_i ε_i · step_i · b_i (layer i's depth off by the fraction ε_i; `BinaryLayers`).
/// - `misalignment(shifts)`: Δ = Σ_i step_i · (b̃_i − b_i), b̃_i layer i's plane moved by `shifts[i]`. A
///   sub-pixel shift is the exact area overlap: b̃(r, c) is the etched share of pixel (r, c)'s area,
///   i.e. bilinear interpolation of b at (r − dy, c − dx), with nothing etched outside the mask; a
///   partly etched pixel takes the area-weighted mean phase of its parts.
/// - `crosstalk(σ)`: Δ = K∗w − w, K the mean over each pixel of the piecewise-constant w blurred by a
///   Gaussian of σ pixels (separable, `fringingKernel`), zero phase outside the mask (the panel's margin).
/// - `lutGamma(γ)`: Δ = 2π·((w/2π)^γ − w/2π).
///
/// Δ leaves φ's whole turns alone, so an unwrapped training mask keeps them; every Δ is 0 (and φ' is φ
/// bit for bit) when `isIdentity`.
public enum MaskError: Equatable, Sendable {
    case depthScale(Double)
    /// ε_i for layers 1…k.
    case layerDepth([Double])
    /// The shift of layers 1…k (layer 1's is zero when drawn by `MaskPerturbation`).
    case misalignment([LayerShift])
    case crosstalk(sigma: Double)
    case lutGamma(Double)

    /// True when the realization changes nothing.
    public var isIdentity: Bool {
        switch self {
        case .depthScale(let s): return s == 1
        case .layerDepth(let e): return e.allSatisfy { $0 == 0 }
        case .misalignment(let shifts): return shifts.allSatisfy { $0.rows == 0 && $0.columns == 0 }
        case .crosstalk(let sigma): return sigma == 0
        case .lutGamma(let gamma): return gamma == 1
        }
    }

    /// Whether `applied` needs the element's `BinaryLayers`.
    public var needsLayers: Bool {
        switch self {
        case .layerDepth, .misalignment: return true
        case .depthScale, .crosstalk, .lutGamma: return false
        }
    }

    /// φ' for the mask `phi` `[L, H, W]`; `layers` (of the same shape) for layer-depth and misalignment.
    public func applied(to phi: Tensor, layers: BinaryLayers? = nil) throws -> Tensor {
        if isIdentity { return phi.copy() }
        guard phi.rank == 3 else { throw OpticsError("a mask is [L, H, W], got \(phi.shape)") }
        let delta = try offset(phi, layers: layers)
        let out = Tensor(uninitialized: phi.shape)
        for i in 0..<phi.count { out.pointer[i] = Float(Double(phi.pointer[i]) + delta[i]) }
        return out
    }

    /// Δ per pixel (see the type's comment).
    func offset(_ phi: Tensor, layers: BinaryLayers?) throws -> [Double] {
        let n = phi.count
        func wrapped(_ i: Int) -> Double { wrapPhase(Double(phi.pointer[i])) }
        switch self {
        case .depthScale(let s):
            return (0..<n).map { (s - 1) * wrapped($0) }
        case .lutGamma(let gamma):
            return (0..<n).map { i in
                let x = wrapped(i) / (2 * Double.pi)
                return 2 * Double.pi * (pow(x, gamma) - x)
            }
        case .crosstalk(let sigma):
            let w = (0..<n).map(wrapped)
            let blurred = Self.blur(w, shape: phi.shape, kernel: Self.fringingKernel(sigma: sigma))
            return (0..<n).map { blurred[$0] - w[$0] }
        case .layerDepth(let errors):
            let l = try checked(layers, phi, count: errors.count)
            return (0..<n).map { p in (1...l.count).reduce(0.0) { $0 + errors[$1 - 1] * l.step($1) * l.bit($1, p) } }
        case .misalignment(let shifts):
            let l = try checked(layers, phi, count: shifts.count)
            var delta = [Double](repeating: 0, count: n)
            for i in 1...l.count where shifts[i - 1] != LayerShift(rows: 0, columns: 0) {
                let plane = (0..<n).map { l.bit(i, $0) }
                let moved = Self.shift(plane, shape: phi.shape, by: shifts[i - 1])
                for p in 0..<n { delta[p] += l.step(i) * (moved[p] - plane[p]) }
            }
            return delta
        }
    }

    private func checked(_ layers: BinaryLayers?, _ phi: Tensor, count: Int) throws -> BinaryLayers {
        guard let layers else { throw OpticsError("this mask error needs the element's binary lithography layers") }
        guard layers.shape == phi.shape else {
            throw OpticsError("binary layers of shape \(layers.shape) do not match the mask \(phi.shape)")
        }
        guard layers.count == count else {
            throw OpticsError("the error has \(count) layer value(s); the element has \(layers.count) layers")
        }
        return layers
    }
}

extension MaskError {
    /// The fringing kernel K(d), d = −r…r pixels: the mean over a pixel of a unit pixel blurred by a
    /// Gaussian of σ pixels, one axis, `K(d) = F(d + 1) − 2F(d) + F(d − 1)` with
    /// `F(y) = y·Φ(y/σ) + σ·ϕ(y/σ)` (Φ, ϕ the standard normal CDF and density: F'' is the Gaussian, and
    /// the triangle max(0, 1 − |t|) is the pixel's box correlated with itself). r = ⌈4σ⌉ + 1; the
    /// weights are scaled to sum to 1. σ = 0 gives [1].
    public static func fringingKernel(sigma: Double) -> [Double] {
        guard sigma > 0 else { return [1] }
        func f(_ y: Double) -> Double {
            let z = y / sigma
            return y * 0.5 * erfc(-z / 2.squareRoot()) + sigma * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        }
        let r = Int((4 * sigma).rounded(.up)) + 1
        let raw = (-r...r).map { d -> Double in
            let y = Double(d)
            return max(f(y + 1) - 2 * f(y) + f(y - 1), 0)
        }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// Each `[H, W]` plane of `values` (row-major over `shape` `[L, H, W]`) convolved with the symmetric
    /// `kernel` (odd length) along rows and columns, zero outside the plane.
    static func blur(_ values: [Double], shape: [Int], kernel: [Double]) -> [Double] {
        let (planes, h, w) = (shape[0], shape[1], shape[2]), r = kernel.count / 2
        var rows = [Double](repeating: 0, count: values.count), out = rows
        for l in 0..<planes {
            let base = l * h * w
            for y in 0..<h {
                for x in 0..<w {
                    var s = 0.0
                    for d in -r...r where x - d >= 0 && x - d < w { s += kernel[d + r] * values[base + y * w + x - d] }
                    rows[base + y * w + x] = s
                }
            }
            for y in 0..<h {
                for x in 0..<w {
                    var s = 0.0
                    for d in -r...r where y - d >= 0 && y - d < h { s += kernel[d + r] * rows[base + (y - d) * w + x] }
                    out[base + y * w + x] = s
                }
            }
        }
        return out
    }

    /// Each `[H, W]` plane of `plane` moved by `shift` pixels, sampled as the area overlap (bilinear
    /// interpolation at (r − dy, c − dx)), zero where the moved plane does not reach.
    static func shift(_ plane: [Double], shape: [Int], by shift: LayerShift) -> [Double] {
        let (planes, h, w) = (shape[0], shape[1], shape[2])
        let (ny, nx) = (Int(shift.rows.rounded(.down)), Int(shift.columns.rounded(.down)))
        let (fy, fx) = (shift.rows - Double(ny), shift.columns - Double(nx))
        var out = [Double](repeating: 0, count: plane.count)
        for l in 0..<planes {
            let base = l * h * w
            func value(_ r: Int, _ c: Int) -> Double { r >= 0 && r < h && c >= 0 && c < w ? plane[base + r * w + c] : 0 }
            for r in 0..<h {
                for c in 0..<w {
                    let (r0, c0) = (r - ny, c - nx)
                    out[base + r * w + c] = (1 - fy) * ((1 - fx) * value(r0, c0) + fx * value(r0, c0 - 1))
                        + fy * ((1 - fx) * value(r0 - 1, c0) + fx * value(r0 - 1, c0 - 1))
                }
            }
        }
        return out
    }
}
