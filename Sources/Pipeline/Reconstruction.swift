import Autodiff
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask reconstruct`: recovers scene images from measured or simulated CDPs with a trained system.
public enum Reconstruction {
    public struct Result {
        /// Estimates `[B, 1, N, N]` of the normalized phase image I (clipped to [0, 1]).
        public let estimates: Tensor
        /// PSNR/SSIM against the scene stored beside the CDPs, when the file has one.
        public let psnr: Double?
        public let ssim: Double?
        /// Largest circular difference (rad) between the file's `/mask` and the system's φ, if stored.
        public let maskMismatch: Double?
    }

    /// Reads `/cdp` `[B, L, fN, fN]` (and `/scene`, `/scene_intensity`, `/mask` when present) from
    /// `cdpPath`, reconstructs
    /// with the checkpoint's φ, ψ and θ, writes the estimates as an 8-bit grayscale PNG (images side by
    /// side, 2-pixel black gaps, 0 → black, 1 → white) and as HDF5 (`/estimate` `[B, 1, N, N]`,
    /// `/initialization` `[B, N, N, 2]` re/im). PSNR/SSIM are against `/scene_intensity` (the I that
    /// `simulate` turned into the scene), else against the normalized phase of `/scene` under the
    /// checkpoint's scene model, `wrap(arg x − φmin)/(φmax − φmin)`.
    public static func run(checkpoint: String, cdpPath: String, png: String, hdf5: String) throws -> Result {
        let system = try Checkpoint.load(checkpoint).system
        let file = try HDF5File.open(path: cdpPath)
        defer { try? file.close() }
        let y = try measurements(in: file, path: cdpPath, for: system)
        let mismatch = try maskMismatch(in: file, with: system)
        let tape = Tape(recording: false)
        let out = try system.recover(tape.constant(y), masks: tape.constant(system.masks.value), training: false)
        let estimates = out.estimate.value.clipped(to: 0...1)
        var psnr: Double?, ssim: Double?
        if let reference = try reference(in: file, batch: y.shape[0], for: system) {
            psnr = ImageMetrics.psnr(estimate: estimates, reference: reference)
            if system.config.size >= 11 { ssim = ImageMetrics.ssim(estimate: estimates, reference: reference) }
        }
        try writePNG(estimates, to: png)
        try writeHDF5(estimates, initialization: out.initialization.field, system: system, to: hdf5,
                      checkpoint: checkpoint, cdpPath: cdpPath)
        return Result(estimates: estimates, psnr: psnr, ssim: ssim, maskMismatch: mismatch)
    }

    /// `/cdp`, which must be `[B, L, fN, fN]` for the system's L, N and padding f, measured with the
    /// system's sensing geometry when the file records one (`SensingChoice.checkCDPFile`).
    static func measurements(in file: HDF5File, path: String, for system: PhaseRetrievalSystem) throws -> Tensor {
        let (y, window) = try FirstOrderWindow.cdp(in: file, path: path)   // a sensor's first-order window, or /cdp
        if window == nil { try SensingChoice.checkCDPFile(file, expected: system.sensing, masks: "the checkpoint") }
        let (l, n) = (system.snapshots, system.sensing.oversampling * system.config.size)
        guard y.rank == 4, y.shape[1] == l, y.shape[2] == n, y.shape[3] == n else {
            let grid = system.sensing.oversampling == 1 ? "no oversampling" : "\(system.sensing)"
            throw StorageError(.mismatch, path: path, object: "/cdp",
                               "holds CDPs of shape \(y.shape); the checkpoint's system needs [B, \(l), \(n), \(n)] (\(grid))")
        }
        return y
    }

    /// Largest circular distance (rad) between the file's `/mask` and the system's φ, when the file
    /// holds a mask of the same shape.
    static func maskMismatch(in file: HDF5File, with system: PhaseRetrievalSystem) throws -> Double? {
        guard file.exists("/mask") else { return nil }
        let stored = try file.readTensor("/mask", requireFinite: true)
        guard stored.shape == system.masks.shape else { return nil }
        var worst = 0.0
        for i in 0..<stored.count {
            worst = max(worst, circularDistance(Double(stored.pointer[i]), Double(system.masks.value.pointer[i])))
        }
        return worst
    }

    /// The images `[B, 1, N, N]` to score the estimates against: `/scene_intensity`, else the
    /// normalized phase of `/scene`; nil when the file has neither (or one of another shape).
    static func reference(in file: HDF5File, batch: Int, for system: PhaseRetrievalSystem) throws -> Tensor? {
        let n = system.config.size
        if file.exists("/scene_intensity") {
            let stored = try file.readTensor("/scene_intensity", requireFinite: true)
            return stored.shape == [batch, 1, n, n] ? stored : nil
        }
        guard file.exists("/scene") else { return nil }
        let field = ComplexField(storage: try file.readTensor("/scene", requireFinite: true))
        return field.shape == [batch, n, n] ? system.config.sceneModel.normalizedPhase(of: field) : nil
    }

    /// `/estimate` `[B, 1, N, N]` with its units and scene model, `/initialization` `[B, N, N, 2]`, and
    /// the paths of the checkpoint and the CDP file; a failed write leaves no file.
    static func writeHDF5(_ estimates: Tensor, initialization: ComplexField, system: PhaseRetrievalSystem, to path: String,
                          checkpoint: String, cdpPath: String) throws {
        let h5 = try HDF5File.create(path: path)
        do {
            try h5.write(estimates, to: "/estimate")
            try h5.setAttribute("units", .string("normalized phase image I (dimensionless, [0, 1]; phase = φmin + I·(φmax − φmin))"),
                                on: "/estimate")
            try h5.setAttribute("phase_scale_rad", .double(system.config.phaseScale), on: "/estimate")
            try h5.setAttribute("phase_range_rad", .doubles([system.config.sceneModel.phaseMin, system.config.sceneModel.phaseMax]),
                                on: "/estimate")
            try h5.setAttribute("scene_model", .string(try sortedJSON(system.config.sceneModel)), on: "/estimate")
            try h5.write(initialization.storage, to: "/initialization")
            try h5.setAttribute("layout", .string("last axis: real, imaginary"), on: "/initialization")
            try h5.setAttribute("checkpoint", .string(checkpoint))
            try h5.setAttribute("cdp_file", .string(cdpPath))
            try h5.close()
        } catch {
            h5.discard()
            throw error
        }
    }

    /// `value` as JSON with sorted keys (as checkpoints store their configuration).
    static func sortedJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The estimates side by side as one 8-bit grayscale image.
    public static func writePNG(_ images: Tensor, to path: String) throws {
        let (b, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let gap = 2, width = b * w + (b - 1) * gap
        var pixels = [UInt8](repeating: 0, count: width * h)
        for k in 0..<b {
            for r in 0..<h {
                for c in 0..<w {
                    let v = images.pointer[(k * h + r) * w + c]
                    pixels[r * width + k * (w + gap) + c] = UInt8((min(max(v, 0), 1) * 255).rounded())
                }
            }
        }
        try PNGFile.write(RasterImage(width: width, height: h, pixels: .gray8(pixels)), to: path)
    }
}
