import TensorCore

/// Where the coded diffraction pattern sits on a sensor that records more than the CDP: the first
/// order of a carrier (`Fabrication.Carrier`) displaced from the zero order, on the far field of the
/// whole footprint at panel resolution (`Fabrication.PanelSimulator`).
///
/// Both the sensor and the CDP follow the FFT convention (zero frequency at index (0, 0), negative
/// frequencies wrapped to the far end). CDP bin (a, b) of the `height × width` window, with signed
/// frequencies a' = a for a < ⌈height/2⌉ and a − height beyond (likewise b'), is sensor bin
/// `((row + a') mod M_h, (column + b') mod M_w)`; its value is divided by `divisor[a, b]` (the pixel
/// envelope and the share of light in the first order), so the window is the CDP the sensing model
/// (`SensingModel`) would give for the phases the panel applies.
public struct FirstOrderWindow: Equatable, Sendable {
    /// Sensor bin of the first order's zero frequency.
    public let row: Int, column: Int
    /// Window size: the CDP's `H' × W'`.
    public let height: Int, width: Int
    /// Per-bin divisor `[height · width]` in CDP order, every value > 0; nil = 1.
    public let divisor: [Float]?

    public init(row: Int, column: Int, height: Int, width: Int, divisor: [Float]? = nil) throws {
        guard height > 0, width > 0 else { throw OpticsError("first-order window \(height)×\(width) must not be empty") }
        if let divisor {
            guard divisor.count == height * width, divisor.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw OpticsError("first-order divisor must hold \(height * width) positive finite values")
            }
        }
        (self.row, self.column, self.height, self.width, self.divisor) = (row, column, height, width, divisor)
    }

    /// How a CDP file records the window (`simulate --zero-order` writes it, `reconstruct` reads it):
    /// int attributes of `/cdp` `[row, column]` and `[height, width]`, and the divisor as a float32
    /// dataset `[height, width]`.
    public static let binAttribute = "first_order_bin"
    public static let sizeAttribute = "first_order_size"
    public static let divisorDataset = "/first_order_divisor"

    /// Signed frequency of window index `a` on an axis of `n` bins.
    @inline(__always)
    public static func signed(_ a: Int, _ n: Int) -> Int { a < (n + 1) / 2 ? a : a - n }

    /// The windows `[B, L, height, width]` of sensor images `[B, L, M_h, M_w]` (M at least the window).
    public func extract(_ sensor: Tensor) throws -> Tensor {
        guard sensor.rank == 4, sensor.shape[2] >= height, sensor.shape[3] >= width else {
            throw OpticsError("sensor images \(sensor.shape) cannot hold a \(height)×\(width) first-order window")
        }
        let (planes, mh, mw) = (sensor.shape[0] * sensor.shape[1], sensor.shape[2], sensor.shape[3])
        let out = Tensor(uninitialized: [sensor.shape[0], sensor.shape[1], height, width])
        for p in 0..<planes {
            let src = sensor.pointer + p * mh * mw, dst = out.pointer + p * height * width
            for a in 0..<height {
                let r = ((row + Self.signed(a, height)) % mh + mh) % mh
                for b in 0..<width {
                    let c = ((column + Self.signed(b, width)) % mw + mw) % mw
                    dst[a * width + b] = src[r * mw + c] / (divisor?[a * width + b] ?? 1)
                }
            }
        }
        return out
    }
}
