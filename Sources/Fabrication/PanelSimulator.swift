import Foundation
import Optics
import Storage
import TensorCore

/// The far field of a panel that leaves part of the light unmodulated, at panel resolution, so the
/// zero order and the carrier's first order both land on the sensor.
///
/// Per panel pixel p of the design's footprint (s·H × s·W pixels; the scene pixel x of its design
/// pixel illuminates its superpixel, the margin is dark):
///
///     u_p = x · ( √(1 − η) · exp(j(θ_p − ℓ_p)) + √η · exp(−j ℓ_p) )
///
/// with η the unmodulated fraction (`zeroOrder`), θ_p = `DisplayChain.panelPhase` (the frame's phase
/// minus the correction, which cancels the panel's flatness error; the carrier stays in), and ℓ_p
/// the lens carrier's phase when there is one (0 else): the camera is refocused onto the first
/// order, which cancels the lens for the modulated light and blurs the zero order. The sensor records
///
///     y = |F P u|² · sinc²(u'/M_h) · sinc²(v'/M_w),
///
/// F the orthonormal DFT, P the centred zero-padding by `oversampling` f to M = f·s·H × f·s·W bins,
/// (u', v') the signed frequency of bin (u, v), and sinc² the far field of a pixel's square aperture
/// (100 % fill factor). A blaze of period P pixels puts the first order at bin M/P (`Carrier.firstOrderBin`).
///
/// `window` takes the CDP back out: within the first order, a design pixel's s×s superpixel gives the
/// design's CDP times s|D(a')|² · s|D(b')|², D(κ) = (1/s) Σ_{r<s} exp(−2πjκr/M) (the superpixel's
/// Dirichlet kernel, `s|D|² = sin²(πκs/M)/(s sin²(πκ/M))`; s² at κ = 0, as the s² panel pixels of a
/// design pixel carry s² times its energy), times the aperture at that bin and 1 − η; that product is
/// the window's divisor.
public struct PanelSimulator {
    public let chain: DisplayChain
    /// η, the share of the light the panel leaves unmodulated, in [0, 1).
    public let zeroOrder: Double
    public let oversampling: Int

    public init(chain: DisplayChain, zeroOrder: Double, oversampling: Int = 1) throws {
        guard zeroOrder.isFinite, zeroOrder >= 0, zeroOrder < 1 else {
            throw FabricationError("--zero-order", "the unmodulated fraction must be in [0, 1), got \(zeroOrder)")
        }
        guard oversampling >= 1 else { throw FabricationError("--oversampling", "must be ≥ 1, got \(oversampling)") }
        self.chain = chain
        self.zeroOrder = zeroOrder
        self.oversampling = oversampling
    }

    /// Footprint size in panel pixels, s·H × s·W.
    public var footprint: (height: Int, width: Int) {
        let l = chain.layout
        return (l.superpixel * l.designHeight, l.superpixel * l.designWidth)
    }

    /// Sensor size M_h × M_w = f·s·H × f·s·W.
    public var sensorSize: (height: Int, width: Int) {
        (oversampling * footprint.height, oversampling * footprint.width)
    }

    /// The first-order window (size f·H × f·W) and its divisor (see the type's comment).
    public func window() throws -> FirstOrderWindow {
        let (mh, mw) = sensorSize, s = chain.layout.superpixel
        let (h, w) = (oversampling * chain.layout.designHeight, oversampling * chain.layout.designWidth)
        let bin: (row: Int, column: Int) = chain.carrier?.firstOrderBin(height: mh, width: mw) ?? (0, 0)
        var divisor = [Float](repeating: 0, count: h * w)
        for a in 0..<h {
            let ka = FirstOrderWindow.signed(a, h)
            let rowFactor: Double = dirichlet2(ka, s, mh) * sinc2(Double(signedBin(bin.row + ka, mh)) / Double(mh))
            for b in 0..<w {
                let kb = FirstOrderWindow.signed(b, w)
                let aperture: Double = sinc2(Double(signedBin(bin.column + kb, mw)) / Double(mw))
                let columnFactor: Double = dirichlet2(kb, s, mw) * aperture
                divisor[a * w + b] = Float(rowFactor * columnFactor * (1 - zeroOrder))
            }
        }
        return try FirstOrderWindow(row: bin.row, column: bin.column, height: h, width: w, divisor: divisor)
    }

    /// Sensor images `[B, L, M_h, M_w]` of scenes `[B, H, W]` under the frames `displays` (one per snapshot).
    public func sensor(scenes: ComplexField, displays: [GrayImage]) throws -> Tensor {
        let l = chain.layout
        guard scenes.shape.count == 3, scenes.shape[1] == l.designHeight, scenes.shape[2] == l.designWidth else {
            throw FabricationError("scene", "scene \(scenes.shape) does not match the \(l.designHeight)×\(l.designWidth) design")
        }
        let (b, count) = (scenes.shape[0], displays.count)
        let (mh, mw) = sensorSize
        let out = Tensor(uninitialized: [b, count, mh, mw])
        let phases = try displays.map { try chain.panelPhase($0) }
        let field = ComplexField(uninitialized: [mh, mw])
        for k in 0..<b {
            for m in 0..<count {
                fill(field, scene: scenes, index: k, panelPhase: phases[m])
                FFT.forward(field, into: field)
                let dst = out.pointer + (k * count + m) * mh * mw
                for u in 0..<mh {
                    let envelope = sinc2(Double(signedBin(u, mh)) / Double(mh))
                    for v in 0..<mw {
                        let (re, im) = field[u * mw + v]
                        let aperture: Double = envelope * sinc2(Double(signedBin(v, mw)) / Double(mw))
                        dst[u * mw + v] = (re * re + im * im) * Float(aperture)
                    }
                }
            }
        }
        return out
    }

    /// Writes u (see the type's comment) of scene `index` into the zero-padded field.
    private func fill(_ field: ComplexField, scene: ComplexField, index: Int, panelPhase theta: [Double]) {
        let l = chain.layout, p = l.profile, s = l.superpixel
        let (fh, fw) = footprint, (mh, mw) = sensorSize
        let (top, left) = ((mh - fh) / 2, (mw - fw) / 2)
        for i in 0..<(2 * mh * mw) { field.pointer[i] = 0 }
        let (modulated, unmodulated) = ((1 - zeroOrder).squareRoot(), zeroOrder.squareRoot())
        let lens: [Double]? = { if case .lens = chain.carrier { return chain.carrierPhase } else { return nil } }()
        let plane = index * l.designHeight * l.designWidth
        for r in 0..<fh {
            for c in 0..<fw {
                let (re, im) = scene[plane + (r / s) * l.designWidth + c / s]
                let k = (l.top + r) * p.columns + l.left + c
                let refocus = lens?[k] ?? 0
                let (t, z) = (theta[k] - refocus, -refocus)
                let mr = modulated * cos(t) + unmodulated * cos(z), mi = modulated * sin(t) + unmodulated * sin(z)
                let o = 2 * ((top + r) * mw + left + c)
                field.pointer[o] = Float(Double(re) * mr - Double(im) * mi)
                field.pointer[o + 1] = Float(Double(re) * mi + Double(im) * mr)
            }
        }
    }
}

/// Signed frequency of bin `u` on an axis of `n` bins: u for u < ⌈n/2⌉, u − n beyond (any integer u).
func signedBin(_ u: Int, _ n: Int) -> Int {
    let w = ((u % n) + n) % n
    return w < (n + 1) / 2 ? w : w - n
}

/// s|D(κ)|² = sin²(πκs/M)/(s sin²(πκ/M)) for the mean D of s consecutive samples on an M-bin axis (s at κ = 0).
func dirichlet2(_ kappa: Int, _ s: Int, _ m: Int) -> Double {
    let x = Double.pi * Double(kappa) / Double(m)
    let denominator = sin(x)
    guard abs(denominator) > 1e-12 else { return Double(s) }
    let numerator = sin(x * Double(s))
    return numerator * numerator / (Double(s) * denominator * denominator)
}

extension FirstOrderWindow {
    /// Records the window with a CDP file's `/cdp` (names in `FirstOrderWindow`).
    func write(to file: HDF5File) throws {
        try file.setAttribute(Self.binAttribute, .ints([row, column]), on: "/cdp")
        try file.setAttribute(Self.sizeAttribute, .ints([height, width]), on: "/cdp")
        if let divisor {
            try file.write(divisor, shape: [height, width], to: Self.divisorDataset, requireFinite: true)
            try file.setAttribute("description", .string("the first-order window of /cdp divided by this is the CDP of the design"),
                                  on: Self.divisorDataset)
        }
    }
}
