import Foundation
import Optics
import TensorCore

/// Maps wrapped phases (radians) to the phase levels a device can produce.
///
/// The levels come from `PhaseConstraints`, the same K and stroke that the training regularizer R(φ)
/// uses: uniform levels `2πk/K` (index k), or the measured `levelPhases` of a non-uniform device
/// (index = position in that ascending list).
///
/// Rule: every phase is first wrapped to [0, 2π) and then sent to the level at the smallest
/// *circular* distance, so a phase just below 2π goes to the level at 0 (index 0). When two levels
/// are equally near, the lower index wins.
///
/// Stroke below 2π: the uniform levels beyond the stroke (`2πk/K > stroke`) are unreachable and are
/// never chosen. A phase in the unreachable gap between the highest reachable level `φ_top` and
/// `2π + φ_0` (the lowest level one turn up, i.e. 2π ≡ 0 for uniform levels) snaps to whichever of
/// `φ_top` and `φ_0` is nearer on the circle; the midpoint of the gap goes to `φ_0` (lower index).
/// This minimizes the phase error; it differs from simply clipping at the stroke, which would send
/// the whole gap to `φ_top` even when the phase is only slightly below 2π.
public struct PhaseQuantizer: Sendable {
    public let constraints: PhaseConstraints
    /// Reachable level phases in radians, ascending; `levelPhases[k]` is the phase of index k.
    public let levelPhases: [Double]

    public init(_ constraints: PhaseConstraints) {
        self.constraints = constraints
        self.levelPhases = constraints.reachablePhases
    }

    /// Index of the nearest reachable level on the circle (ties to the lower index).
    public func levelIndex(forPhase phi: Double) -> Int {
        let p = wrapPhase(phi)
        var best = 0
        var bestDistance = Double.infinity
        for (k, level) in levelPhases.enumerated() {
            let d = circularDistance(p, level)
            if d < bestDistance {
                bestDistance = d
                best = k
            }
        }
        return best
    }

    /// Quantizes a mask `[L, H, W]` in radians (any real values; wrapped first).
    /// Throws if the shape is not rank 3 or a value is NaN/±Inf; `source` names the input in errors.
    public func quantize(_ mask: Tensor, source: String = "mask") throws -> QuantizedMask {
        try validateMask(mask, source: source)
        var indices = [Int](repeating: 0, count: mask.count)
        let phases = Tensor(uninitialized: mask.shape)
        var errors = [Double](repeating: 0, count: mask.count)
        for i in 0..<mask.count {
            let phi = wrapPhase(Double(mask.pointer[i]))
            let k = levelIndex(forPhase: phi)
            indices[i] = k
            phases.pointer[i] = Float(levelPhases[k])
            errors[i] = wrapToPi(levelPhases[k] - phi)
        }
        let report = QuantizationReport(levels: constraints.levels, phaseErrors: errors)
        return QuantizedMask(shape: mask.shape, levelIndices: indices, phases: phases,
                             levelPhases: levelPhases, constraints: constraints, report: report)
    }
}

/// The result of quantizing a mask `[L, H, W]`.
public struct QuantizedMask {
    /// `[L, H, W]`.
    public let shape: [Int]
    /// Level index per pixel, row-major over `shape`.
    public let levelIndices: [Int]
    /// Level phase per pixel in radians, `[L, H, W]`, each in [0, 2π).
    public let phases: Tensor
    /// Phase of each level index in radians.
    public let levelPhases: [Double]
    public let constraints: PhaseConstraints
    public let report: QuantizationReport
}

/// How much quantization changed a mask.
public struct QuantizationReport: Codable, Equatable, Sendable, CustomStringConvertible {
    /// K, the number of levels in the constraints.
    public let levels: Int
    /// Root-mean-square circular phase error in radians, sqrt(mean(d²)) with d ∈ (−π, π].
    public let rmsPhaseError: Double
    /// Largest circular phase error in radians.
    public let maxPhaseError: Double
    /// Share of pixels (0…1) whose circular error exceeds half the nominal step, π/K. On a
    /// full-stroke uniform device this is 0 (nearest-level error is at most π/K); it counts the
    /// pixels that fell into an unreachable stroke gap or a wide gap between measured levels.
    public let shareBeyondHalfStep: Double
    /// Scalar-theory first-order efficiency of K uniform levels, sinc²(1/K), sinc(x) = sin(πx)/(πx).
    public let uniformLevelEfficiency: Double
    /// |mean exp(i(q − φ))|² over the pixels: the on-axis efficiency factor of this mask's actual
    /// phase errors. For phases spread evenly over the circle and K uniform levels it tends to
    /// sinc²(1/K).
    public let phaseErrorEfficiency: Double

    /// Builds the report from per-pixel circular errors (radians, in (−π, π]).
    public init(levels: Int, phaseErrors: [Double]) {
        self.levels = levels
        let n = Double(max(phaseErrors.count, 1))
        let halfStep = Double.pi / Double(levels)
        var sumSquares = 0.0, maxError = 0.0, beyond = 0, sumCos = 0.0, sumSin = 0.0
        for d in phaseErrors {
            sumSquares += d * d
            maxError = max(maxError, abs(d))
            if abs(d) > halfStep + 1e-9 { beyond += 1 }
            sumCos += cos(d)
            sumSin += sin(d)
        }
        rmsPhaseError = (sumSquares / n).squareRoot()
        maxPhaseError = maxError
        shareBeyondHalfStep = Double(beyond) / n
        uniformLevelEfficiency = PhaseQuantizer.uniformLevelEfficiency(levels: levels)
        phaseErrorEfficiency = (sumCos * sumCos + sumSin * sumSin) / (n * n)
    }

    /// A report with stored values (e.g. read back from a design file).
    public init(levels: Int, rmsPhaseError: Double, maxPhaseError: Double, shareBeyondHalfStep: Double,
                phaseErrorEfficiency: Double) {
        self.levels = levels
        self.rmsPhaseError = rmsPhaseError
        self.maxPhaseError = maxPhaseError
        self.shareBeyondHalfStep = shareBeyondHalfStep
        uniformLevelEfficiency = PhaseQuantizer.uniformLevelEfficiency(levels: levels)
        self.phaseErrorEfficiency = phaseErrorEfficiency
    }

    public var description: String {
        String(format: "K = %d: RMS phase error %.4f rad, max %.4f rad, %.2f%% of pixels moved more than "
               + "half a step, first-order efficiency sinc²(1/K) = %.1f%% (this mask's phase errors: %.1f%%)",
               levels, rmsPhaseError, maxPhaseError, 100 * shareBeyondHalfStep,
               100 * uniformLevelEfficiency, 100 * phaseErrorEfficiency)
    }
}

extension PhaseQuantizer {
    /// sinc²(1/K) with sinc(x) = sin(πx)/(πx): the scalar first-order diffraction efficiency of a
    /// K-level staircase approximation of a linear phase ramp.
    public static func uniformLevelEfficiency(levels: Int) -> Double {
        let x = Double.pi / Double(levels)
        let s = sin(x) / x
        return s * s
    }
}

extension PhaseQuantizer {
    /// Rebuilds a quantized mask from stored level indices (row-major over `shape` = [L, H, W]),
    /// e.g. `/mask/levels` of an exported file. The report then measures nothing (zero errors);
    /// throws if an index is outside the reachable levels.
    public func mask(levelIndices: [Int], shape: [Int], source: String = "levels") throws -> QuantizedMask {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == levelIndices.count else {
            throw FabricationError(source, "\(levelIndices.count) level indices do not fill shape \(shape)")
        }
        if let bad = levelIndices.firstIndex(where: { !(0..<levelPhases.count).contains($0) }) {
            throw FabricationError(source, "level index \(levelIndices[bad]) at element \(bad) is outside "
                                   + "0..<\(levelPhases.count)")
        }
        let phases = Tensor(levelIndices.map { Float(levelPhases[$0]) }, shape: shape)
        return QuantizedMask(shape: shape, levelIndices: levelIndices, phases: phases, levelPhases: levelPhases,
                             constraints: constraints,
                             report: QuantizationReport(levels: constraints.levels,
                                                        phaseErrors: [Double](repeating: 0, count: levelIndices.count)))
    }
}
