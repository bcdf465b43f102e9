import Foundation
import Storage
import TensorCore

/// Camera frames → CDPs on the design's grid: read (`CameraFrameFile`), correct (`FrameCorrection`),
/// mark saturated pixels, crop, centre and bin (`FrameGeometry`), normalize.
///
/// One frame per snapshot, in the masks' order, all of one scene and of one size; one window for all of
/// them (the optics do not move between snapshots). The window is `--crop X,Y,W,H` (W = bin·W',
/// H = bin·H'), or, with `--bin K`, the `K·W' × K·H'` window that holds the most light (summed over the
/// corrected frames), or, when the frame is a whole multiple K of the grid in both directions, the
/// whole frame with bin K. A frame smaller than the window is refused, naming the file.
///
/// A camera's absolute scale (exposure, gain, quantum efficiency) is unknown, so each CDP is scaled:
/// `Normalization.parseval` (the default) makes `Σ_k y_ℓk = H·W` for every snapshot ℓ, which is
/// `‖x‖²` for a pure-phase scene (|x| = 1) by Parseval with the orthonormal FFT — the units every
/// simulated CDP has. Saturated pixels are marked, not repaired: their values (and so the sums) are
/// lower bounds; `reconstruct`'s ER and HIO treat them as lower bounds, WF leaves them out, the
/// spectral initialization and the U-Net take them as measured.
public enum FrameImport {
    public enum Normalization: Equatable, Sendable, CustomStringConvertible {
        /// `Σ_k y_ℓk = H·W` for each snapshot: a pure-phase scene, |x| = 1 (Parseval).
        case parseval
        /// `Σ_k y_ℓk = E` for each snapshot: a scene of known energy ‖x‖² = E (units of |x|²).
        case energy(Double)
        /// The corrected counts as they are.
        case none

        /// "parseval", "none" or a positive energy E.
        public init?(_ text: String) {
            switch text {
            case "parseval": self = .parseval
            case "none": self = .none
            default:
                guard let e = Double(text), e > 0, e.isFinite else { return nil }
                self = .energy(e)
            }
        }

        public var description: String {
            switch self {
            case .parseval: return "parseval"
            case .energy(let e): return "\(e)"
            case .none: return "none"
            }
        }
    }

    public struct Options {
        /// One frame per snapshot, in the masks' order.
        public var frames: [String]
        public var dark: String?
        public var flat: String?
        public var bits: CameraFrameFile.SignificantBits = .auto
        /// Sensor pixels per grid pixel; nil: from `crop`, or the frame's size when it is a whole multiple.
        public var bin: Int?
        /// The window `[x, y, width, height]` in sensor pixels; nil: found (see the type's documentation).
        public var crop: [Int]?
        public var normalization: Normalization = .parseval

        public init(frames: [String]) { self.frames = frames }
    }

    /// CDPs made from camera frames, and how.
    public struct Measurement {
        /// `[1, L, H', W']` (far field: zero frequency at (0, 0)), scaled by `normalization`.
        public let cdp: Tensor
        /// `[1, L, H', W']`: 1 where a sensor pixel of the grid pixel read full scale, else 0.
        public let saturated: [UInt8]
        public let geometry: FrameGeometry
        /// The factor each snapshot's corrected, binned counts were multiplied by.
        public let scales: [Double]
        /// How each frame's samples were stored (`CameraFrame.storage`), in order.
        public let storage: [String]
        /// The normalization rule in words.
        public let rule: String

        public var saturatedCount: Int { saturated.reduce(0) { $0 + Int($1) } }
    }

    /// Reads and converts `o.frames` for a design of `sceneHeight × sceneWidth` pixels measured at
    /// `oversampling` (grid H' × W' = f·H × f·W); `centred` false for near-field frames, which are the
    /// CDPs as they lie on the sensor (`FrameGeometry`).
    public static func measure(_ o: Options, sceneHeight: Int, sceneWidth: Int, oversampling: Int,
                               centred: Bool = true) throws -> Measurement {
        guard let firstPath = o.frames.first else { throw FabricationError("frames", "no camera frame given") }
        let frames = try o.frames.map { try CameraFrameFile.read(path: $0, bits: o.bits) }
        let first = frames[0]
        for f in frames.dropFirst() where f.width != first.width || f.height != first.height {
            throw FabricationError(f.path, "is \(f.width)×\(f.height) pixels; the first frame \(firstPath) is \(first.width)×\(first.height)")
        }
        let correction = try FrameCorrection(dark: try o.dark.map { try CameraFrameFile.read(path: $0, bits: o.bits) },
                                             flat: try o.flat.map { try CameraFrameFile.read(path: $0, bits: o.bits) })
        let corrected = try frames.map { try correction.apply($0) }
        var light = [Float](repeating: 0, count: first.counts.count)
        for c in corrected { for i in 0..<light.count { light[i] += c[i] } }
        let geometry = try window(o, frame: first, light: light, gridHeight: oversampling * sceneHeight,
                                  gridWidth: oversampling * sceneWidth, centred: centred)
        let (target, rule) = Self.target(o.normalization, sceneHeight: sceneHeight, sceneWidth: sceneWidth)
        let n = geometry.gridHeight * geometry.gridWidth
        let cdp = Tensor(uninitialized: [1, frames.count, geometry.gridHeight, geometry.gridWidth])
        var saturated = [UInt8](repeating: 0, count: frames.count * n), scales: [Double] = []
        for (l, frame) in frames.enumerated() {
            let y = geometry.grid(from: corrected[l], width: frame.width)
            let sum = y.reduce(0.0) { $0 + Double($1) }
            var scale = 1.0
            if let target {
                guard sum > 0 else {
                    throw FabricationError(frame.path, "holds no light in the window \(geometry.crop) after dark subtraction "
                                           + "(sum \(sum) counts): it cannot be normalized")
                }
                scale = target / sum
            }
            scales.append(scale)
            for k in 0..<n { cdp.pointer[l * n + k] = Float(Double(y[k]) * scale) }
            for (k, s) in geometry.grid(from: frame.saturated, width: frame.width).enumerated() where s { saturated[l * n + k] = 1 }
        }
        return Measurement(cdp: cdp, saturated: saturated, geometry: geometry, scales: scales,
                           storage: frames.map(\.storage), rule: rule)
    }

    /// The sum every CDP is scaled to (nil: none) and the rule in words.
    static func target(_ n: Normalization, sceneHeight h: Int, sceneWidth w: Int) -> (Double?, String) {
        switch n {
        case .parseval:
            return (Double(h * w), "each CDP scaled so that its sum is H·W = \(h * w), the energy ‖x‖² of a pure-phase "
                    + "\(w)×\(h) scene (|x| = 1; Parseval, orthonormal FFT)")
        case .energy(let e):
            return (e, "each CDP scaled so that its sum is the scene energy ‖x‖² = \(e) (Parseval, orthonormal FFT)")
        case .none:
            return (nil, "not normalized: dark-subtracted, flat-corrected camera counts summed over each bin")
        }
    }

    /// The window of the grid on the frame (see the type's documentation); errors name the frame.
    static func window(_ o: Options, frame: CameraFrame, light: [Float], gridHeight gh: Int, gridWidth gw: Int,
                       centred: Bool = true) throws -> FrameGeometry {
        let size = "\(frame.width)×\(frame.height) pixels"
        if let crop = o.crop {
            guard crop.count == 4, crop[0] >= 0, crop[1] >= 0, crop[2] > 0, crop[3] > 0 else {
                throw FabricationError("--crop", "expected X,Y,WIDTH,HEIGHT with X, Y ≥ 0 and positive sizes, got \(crop)")
            }
            let bin = crop[2] / gw
            guard crop[2] % gw == 0, crop[3] % gh == 0, crop[3] / gh == bin else {
                throw FabricationError("--crop", "a \(crop[2])×\(crop[3]) window is not the \(gw)×\(gh) grid times a whole bin factor")
            }
            if let b = o.bin, b != bin {
                throw FabricationError("--crop", "a \(crop[2])×\(crop[3]) window bins the \(gw)×\(gh) grid by \(bin), not --bin \(b)")
            }
            let g = FrameGeometry(gridHeight: gh, gridWidth: gw, bin: bin, left: crop[0], top: crop[1], centred: centred)
            guard g.fits(width: frame.width, height: frame.height) else {
                throw FabricationError(frame.path, "is \(size); the crop window \(crop) does not fit in it")
            }
            return g
        }
        let bin: Int
        if let b = o.bin {
            guard b >= 1 else { throw FabricationError("--bin", "the bin factor must be ≥ 1, got \(b)") }
            bin = b
        } else if frame.width % gw == 0, frame.height % gh == 0, frame.width / gw == frame.height / gh {
            bin = frame.width / gw
        } else if frame.width < gw || frame.height < gh {
            bin = 1
        } else {
            throw FabricationError(frame.path, "is \(size), not a whole multiple of the design's \(gw)×\(gh) grid: give "
                                   + "--bin K (the window is then placed where the most light falls) or --crop X,Y,W,H")
        }
        guard bin * gw <= frame.width, bin * gh <= frame.height else {
            throw FabricationError(frame.path, "is \(size), smaller than the design's \(gw)×\(gh) grid"
                                   + (bin > 1 ? " binned by \(bin) (\(bin * gw)×\(bin * gh) sensor pixels)" : ""))
        }
        let at = FrameGeometry.brightestWindow(light, width: frame.width, height: frame.height,
                                               windowWidth: bin * gw, windowHeight: bin * gh)
        return FrameGeometry(gridHeight: gh, gridWidth: gw, bin: bin, left: at.left, top: at.top, centred: centred)
    }
}
