import TensorCore

/// The procedural phase objects of `--data synthetic:KIND[,KIND…]`.
///
/// Every generator writes one `size × size` plane of intensities in [0, 1], which the scene model maps
/// to phase like any image (`x = exp(j·phaseScale·I)`). Coordinates are in units of the scene width:
/// pixel (row r, column c) sits at `(x, y) = ((c + ½)/size, (r + ½)/size)`, so a scene looks the same
/// at every size apart from sampling.
public enum SyntheticKind: String, CaseIterable, Codable, Sendable {
    /// Smooth random phase field: a random sum of low-frequency plane waves (`SmoothField`).
    case smooth
    /// Aberration: random Zernike polynomials up to radial order 5 (`ZernikeAberration`).
    case zernike
    /// Cells and particles: ellipsoidal thickness profiles on a zero background (`BlobScene`).
    case blobs
    /// Flat polygonal particles on a zero background (`PolygonScene`).
    case polygons
    /// Step-edge test targets: an edge, bars, a staircase or a Siemens star (`StepTarget`).
    case steps

    /// Stream tag mixed into each scene's seed, fixed per kind (the raw values' order may change).
    var tag: UInt64 {
        switch self {
        case .smooth: return 1
        case .zernike: return 2
        case .blobs: return 3
        case .polygons: return 4
        case .steps: return 5
        }
    }

    /// A renderer for `size × size` planes (precomputes what all scenes of that size share).
    func generator(size: Int) -> SceneGenerator {
        switch self {
        case .smooth: return SmoothField(size: size)
        case .zernike: return ZernikeAberration(size: size)
        case .blobs: return BlobScene(size: size)
        case .polygons: return PolygonScene(size: size)
        case .steps: return StepTarget(size: size)
        }
    }
}

/// Draws one procedural scene.
protocol SceneGenerator {
    var size: Int { get }
    /// Writes `size × size` intensities in [0, 1] (row-major) to `plane`, drawing only from `generator`.
    func render(into plane: UnsafeMutablePointer<Float>, generator: inout SeededGenerator)
}

public enum SyntheticScenes {
    /// Scenes `indices` of `kinds` for `split`, `[indices.count, 1, size, size]` in [0, 1].
    ///
    /// Scene j uses kind `kinds[j % kinds.count]` and a generator seeded from (seed, split, kind, j)
    /// only, so every scene can be regenerated on its own, a longer request starts with the same scenes,
    /// the splits draw disjoint random streams, and the result does not depend on the thread count.
    public static func scenes(_ kinds: [SyntheticKind], split: SceneSplit, indices: Range<Int>, size: Int,
                              seed: UInt64 = SceneSplits.dataSeed) -> Tensor {
        precondition(!kinds.isEmpty && size > 0, "synthetic scenes need a kind and a positive size")
        let out = Tensor(uninitialized: [indices.count, 1, size, size])
        let generators = kinds.map { $0.generator(size: size) }
        let plane = size * size
        Parallel.chunks(indices.count) { range in
            for k in range {
                let j = indices.lowerBound + k, which = j % kinds.count
                var rng = SeededGenerator(seed: streamSeed(seed, split, kinds[which], j))
                generators[which].render(into: out.pointer + k * plane, generator: &rng)
            }
        }
        return out
    }

    /// One scene, `[1, 1, size, size]`: scene `index` of a source holding only `kind`.
    public static func scene(_ kind: SyntheticKind, split: SceneSplit = .train, index: Int, size: Int,
                             seed: UInt64 = SceneSplits.dataSeed) -> Tensor {
        scenes([kind], split: split, indices: index..<(index + 1), size: size, seed: seed)
    }

    static func streamSeed(_ seed: UInt64, _ split: SceneSplit, _ kind: SyntheticKind, _ index: Int) -> UInt64 {
        Trainer.streamSeed([seed, split.tag, kind.tag, UInt64(index)])
    }
}

extension SeededGenerator {
    /// Uniform Double in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniformDouble() }

    /// Uniform integer in `range` (modulo draw; the bias is below 2⁻⁵⁰ for the small ranges used here).
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// Rescales `plane[0..<count]` linearly onto `[offset, offset + contrast]` ⊆ [0, 1] (min → offset,
/// max → offset + contrast); a constant plane becomes `offset`.
func stretch(_ plane: UnsafeMutablePointer<Float>, count: Int, contrast: Double = 1, offset: Double = 0) {
    var lo = plane[0], hi = plane[0]
    for i in 0..<count { lo = min(lo, plane[i]); hi = max(hi, plane[i]) }
    let range = Double(hi - lo)
    for i in 0..<count {
        let unit = range > 0 ? Double(plane[i] - lo) / range : 0
        plane[i] = Float(min(max(offset + contrast * unit, 0), 1))
    }
}

/// A random contrast in [0.25, 1] and an offset that keeps `[offset, offset + contrast]` inside [0, 1]:
/// the phase excursion and the background phase vary from scene to scene.
func randomContrast(_ g: inout SeededGenerator) -> (contrast: Double, offset: Double) {
    let contrast = g.uniform(0.25, 1)
    return (contrast, g.uniform(0, 1 - contrast))
}
