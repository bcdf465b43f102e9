import ArgumentParser
import Foundation
import Pipeline
import TensorCore
import Training

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recover scene images from CDPs (an HDF5 file with /cdp, e.g. from `phasemask simulate`).")

    @Option(help: "Checkpoint of the system that matches the mask the CDPs were taken with.") var model: String
    @Option(help: "HDF5 file with /cdp [B, L, N, N] (and optionally /scene, /mask).") var cdp: String
    @Option(help: "Output PNG (estimates side by side); an HDF5 file with the same stem is written beside it.")
    var out: String
    @Option(help: "Compute threads.") var threads: Int = 2

    func run() throws {
        guard out.hasSuffix(".png") else { throw ValidationError("--out must name a .png file, got '\(out)'") }
        Threading.configure(threads: threads)
        let h5 = String(out.dropLast(4)) + ".h5"
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
