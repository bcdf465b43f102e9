import Foundation
import Optics
import TensorCore

/// A multilevel surface-relief element made from k binary lithography masks (K = 2^k levels).
///
/// Height: level ℓ (phase 2πℓ/K) gets `h(ℓ) = ℓ/K · λ/(n−1)` metres, i.e. `h = wrap(φ)/(2π) · λ/(n−1)`.
/// `h` is the etch depth into the substrate at that pixel, measured from the unetched top surface.
///
/// Masks are numbered i = 1…k. Mask i is the bit plane of bit `k − i` of the level index (counting
/// bits from the least significant, bit 0): mask 1 is the *most* significant bit and etches the
/// deepest step `λ/(2(n−1))`, mask k the least significant bit and the shallowest step `λ/(K(n−1))`.
/// Mask i etches `d_i = λ/(2^i (n−1))` where its bit is set, so a pixel of level
/// `ℓ = Σ_i b_i 2^(k−i)` is etched `Σ_i b_i d_i = ℓ/K · λ/(n−1) = h(ℓ)` in total. In the GDSII file
/// mask i is layer i, datatype 0.
///
/// Sign: an etched pixel has a shorter optical path than the unetched surface, so relative to the
/// top surface the element applies exp(−i·2π(n−1)h/λ) under the exp(i(kz − ωt)) convention. Which
/// sign the bench sees therefore depends on the convention of the design code and on whether the
/// relief is etched or replicated; flip with `conjugated: true` (levels ℓ → (K − ℓ) mod K) if needed.
///
/// Geometry: pixel (row r, column c) of an H×W plane covers x ∈ [c·p, (c+1)·p],
/// y ∈ [(H−1−r)·p, (H−r)·p] in database units (p = pitch in nm): the plane's bottom-left corner is
/// at the origin and array row 0 is the top edge (largest y), as the array is displayed.
public struct LithographyPlan {
    /// K = 2^k.
    public let levels: Int
    /// k, the number of binary masks.
    public let maskCount: Int
    /// Design wavelength λ in metres.
    public let wavelength: Double
    /// Refractive index n of the substrate at λ (> 1).
    public let refractiveIndex: Double
    /// Pixel pitch in metres (a whole number of nanometres).
    public let pixelPitch: Double
    /// `[L, H, W]`.
    public let shape: [Int]
    /// Level index per pixel, row-major over `shape` (already conjugated if requested).
    public let levelIndices: [Int]
    /// True when the levels were conjugated, ℓ → (K − ℓ) mod K.
    public let conjugated: Bool

    public init(_ quantized: QuantizedMask, wavelength: Double, refractiveIndex: Double, pixelPitch: Double,
                conjugated: Bool = false) throws {
        let k = quantized.constraints.levels
        let source = "lithography"
        guard k >= 2, k & (k - 1) == 0 else {
            throw FabricationError(source, "binary lithography makes K = 2^k levels; K = \(k) is not a power of two "
                                   + "(use 2, 4, 8, 16, …)")
        }
        guard quantized.constraints.isUniformFullStroke else {
            throw FabricationError(source, "etched levels are uniform over 2π; quantize with uniform levels and a full stroke")
        }
        guard wavelength.isFinite, wavelength > 0 else {
            throw FabricationError(source, "wavelength must be a positive length in metres, got \(wavelength)")
        }
        guard refractiveIndex.isFinite, refractiveIndex > 1 else {
            throw FabricationError(source, "refractive index must be greater than 1, got \(refractiveIndex)")
        }
        let pitchNm = pixelPitch / 1e-9
        guard pixelPitch.isFinite, pitchNm >= 1, abs(pitchNm - pitchNm.rounded()) < 1e-6 else {
            throw FabricationError(source, "pixel pitch \(pixelPitch) m must be a whole number of nanometres (≥ 1 nm)")
        }
        let extent = Double(max(quantized.shape[1], quantized.shape[2])) * pitchNm.rounded()
        guard extent <= Double(Int32.max) else {
            throw FabricationError(source, "design extent \(extent) nm exceeds the GDSII coordinate range")
        }
        levels = k
        maskCount = k.trailingZeroBitCount
        self.wavelength = wavelength
        self.refractiveIndex = refractiveIndex
        self.pixelPitch = pixelPitch
        shape = quantized.shape
        levelIndices = conjugated ? quantized.levelIndices.map { (k - $0) % k } : quantized.levelIndices
        self.conjugated = conjugated
    }

    /// λ/(n−1): the depth for a full 2π, metres.
    public var fullWaveDepth: Double { wavelength / (refractiveIndex - 1) }

    /// Etch depth of mask i (1…k), `λ/(2^i (n−1))`, metres.
    public func etchDepth(mask i: Int) -> Double {
        precondition((1...maskCount).contains(i), "mask index \(i) outside 1…\(maskCount)")
        return fullWaveDepth / Double(1 << i)
    }

    /// Height (etch depth) of level ℓ, `ℓ/K · λ/(n−1)`, metres.
    public func height(level: Int) -> Double { Double(level) / Double(levels) * fullWaveDepth }

    /// The height map `[L, H, W]` in metres.
    public func heightMap() -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.pointer[i] = Float(height(level: levelIndices[i])) }
        return t
    }

    /// Whether mask i (1…k) etches pixel `index` (row-major over `shape`): bit k − i of the level.
    @inline(__always)
    public func etches(mask i: Int, pixel index: Int) -> Bool {
        (levelIndices[index] >> (maskCount - i)) & 1 == 1
    }

    /// Bit plane of mask i for snapshot l, `H × W` row-major.
    public func bitPlane(mask i: Int, snapshot l: Int) -> [Bool] {
        let n = shape[1] * shape[2]
        return (0..<n).map { etches(mask: i, pixel: l * n + $0) }
    }

    /// Maximal horizontal runs of etched pixels of mask i in snapshot l.
    public func runs(mask i: Int, snapshot l: Int) -> [PixelRun] {
        pixelRuns(bitPlane(mask: i, snapshot: l), height: shape[1], width: shape[2])
    }

    /// Pixel pitch in database units (nm).
    public var pitchInNanometres: Int32 { Int32((pixelPitch / 1e-9).rounded()) }

    /// One structure per snapshot (named `name`, or `name_S<l>` when L > 1), one rectangle BOUNDARY
    /// per run, layer = mask index, datatype 0; database unit 1 nm, user unit 1 µm.
    public func gdsLibrary(name: String = "PHASEMASK") -> GDSLibrary {
        let p = pitchInNanometres
        let h = Int32(shape[1])
        let structures = (0..<shape[0]).map { l -> GDSStructure in
            var boundaries: [GDSBoundary] = []
            for i in 1...maskCount {
                for run in runs(mask: i, snapshot: l) {
                    boundaries.append(.rectangle(layer: Int16(i), x0: Int32(run.start) * p, y0: (h - 1 - Int32(run.row)) * p,
                                                 x1: Int32(run.end) * p, y1: (h - Int32(run.row)) * p))
                }
            }
            return GDSStructure(name: shape[0] == 1 ? name : "\(name)_S\(l)", boundaries: boundaries)
        }
        return GDSLibrary(name: name, structures: structures)
    }
}

/// Columns `start..<end` of row `row`.
public struct PixelRun: Equatable, Sendable {
    public let row: Int
    public let start: Int
    public let end: Int
    public var length: Int { end - start }
}

/// Maximal runs of `true` along each row of an `height × width` row-major plane.
public func pixelRuns(_ plane: [Bool], height: Int, width: Int) -> [PixelRun] {
    var runs: [PixelRun] = []
    for r in 0..<height {
        var c = 0
        while c < width {
            guard plane[r * width + c] else { c += 1; continue }
            let start = c
            while c < width && plane[r * width + c] { c += 1 }
            runs.append(PixelRun(row: r, start: start, end: c))
        }
    }
    return runs
}
