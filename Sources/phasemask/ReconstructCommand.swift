import ArgumentParser
import Foundation
import Pipeline
import TensorCore
import Training

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recover scene images from CDPs (an HDF5 file with /cdp, e.g. from `simulate` or `import-frame`) or camera frames.")

    @Option(help: "unet (the learned recovery, needs --model), spectral (the spectral initialization alone), er, hio or wf.")
    var method: String = "unet"
    @Option(help: "Checkpoint of the system that matches the mask the CDPs were taken with.") var model: String?
    @Option(help: "The exported design (.h5) or mask dataset FILE.h5:/DATASET the CDPs were taken with (for spectral, er, hio, wf without --model; its grid for --frame).")
    var mask: String?
    @Option(help: "HDF5 file with /cdp [B, L, H', W'] (and optionally /scene, /mask, /saturated).") var cdp: String?
    @Option(help: "A camera frame (TIFF/PNG), one per snapshot, in order (repeat).") var frame: [String] = []
    @OptionGroup(title: "Frames (with --frame)") var frameOptions: FrameOptions
    @Option(help: "Scene to score against: a CDP file from `simulate`, FILE.h5:/DATASET, an image or fashion-mnist:test:INDEX.")
    var scene: String?
    @Option(help: "Iterations of er, hio (default 200) and wf (default 500).") var iterations: Int?
    @Option(help: ArgumentHelp("Refine the U-Net's estimate by N iterations of error reduction on the same CDPs (pure-phase scenes; "
                               + "about 20 for camera data, 100 or more for clean simulations: docs/method.md).", valueName: "N"))
    var refine: Int?
    @OptionGroup(title: "Propagation (default: the design's or checkpoint's, else far field)") var optics: PropagationOptions
    @Option(help: "Output PNG (estimates side by side); an HDF5 file with the same stem is written beside it.")
    var out: String
    @Option(help: "Compute threads.") var threads: Int = 2

    func run() throws {
        guard out.hasSuffix(".png") else { throw ValidationError("--out must name a .png file, got '\(out)'") }
        guard let chosen = ReconstructJob.Method(rawValue: method) else {
            throw ValidationError("--method must be one of \(ReconstructJob.Method.allCases.map(\.rawValue).joined(separator: ", ")), got '\(method)'")
        }
        guard (cdp == nil) != frame.isEmpty else { throw ValidationError("give either --cdp FILE or --frame FILE (one per snapshot)") }
        if frame.isEmpty && frameOptions.isUsed { throw ValidationError("--dark, --flat, --bits, --bin, --crop and --normalize apply to --frame") }
        Threading.configure(threads: threads)
        let h5 = String(out.dropLast(4)) + ".h5"
        if chosen == .unet, let model, let cdp, mask == nil, scene == nil, iterations == nil, refine == nil, !optics.isUsed {
            return try reconstructCDP(model: model, cdp: cdp, h5: h5)
        }
        var o = ReconstructJob.Options(measurements: frame.isEmpty ? .cdp(cdp!) : .frames(try frameOptions.options(frames: frame)),
                                       png: out, hdf5: h5)
        (o.method, o.model, o.mask, o.scene, o.iterations, o.refine) = (chosen, model, mask, scene, iterations, refine)
        o.sensing = try optics.sensing()
        o.log = { print($0) }
        let r = try ReconstructJob.run(o)
        if let m = r.frames { print("frames: " + FrameImportJob.summary(m) + "; " + m.rule) }
        var line = "reconstructed \(r.estimates.shape[0]) image(s)"
        if chosen != .unet { line += " by \(chosen.rawValue)" }
        let residual = r.residual.map { String(format: "residual %.4f", $0) }
        if let n = refine {
            line += " (U-Net refined by \(n) iterations of er" + (residual.map { ", " + $0 } ?? "") + ")"
        } else if let residual {
            line += " (\(residual))"
        }
        line += " → \(out), \(h5)"
        if let p = r.psnr { line += "; against \(r.reference ?? "the scene"): " + String(format: "PSNR %.2f dB", p) }
        if let s = r.ssim { line += String(format: ", SSIM %.4f", s) }
        if let p = r.oraclePSNR { line += String(format: "; with the scene's global phase: PSNR %.2f dB", p) }
        print(line)
    }

    /// The learned recovery of a CDP file, as before `--method` existed.
    func reconstructCDP(model: String, cdp: String, h5: String) throws {
        let r = try Reconstruction.run(checkpoint: model, cdpPath: cdp, png: out, hdf5: h5)
        if let m = r.maskMismatch, m > 1e-3 {
            print(String(format: "warning: the CDP file's /mask differs from the checkpoint's masks by up to %.3f rad", m))
        }
        var line = "reconstructed \(r.estimates.shape[0]) image(s) → \(out), \(h5)"
        if let p = r.psnr { line += String(format: "; against the stored scene: PSNR %.2f dB", p) }
        if let s = r.ssim { line += String(format: ", SSIM %.4f", s) }
        print(line)
    }
}
