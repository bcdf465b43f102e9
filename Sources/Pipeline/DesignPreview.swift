import Autodiff
import Figures
import Foundation
import TensorCore
import Training

/// The preview PNG of a design: for a few test scenes, the mask phase (cyclic colour map), the coded
/// diffraction pattern (log scale; far field with the zero frequency centred, near field the `fN × fN`
/// sensor image as it is), the ground truth and the reconstruction
/// with its PSNR/SSIM. `scenes` `[n, C, N, N]` as the design's test split (`SceneChannels`); the ground
/// truth shown is I.
public enum DesignPreview {
    public static func write(_ system: PhaseRetrievalSystem, scenes: Tensor, count: Int = 3, to path: String) throws {
        let n = min(count, scenes.shape[0])
        let images = scenes.slice(0..<n)
        let tape = Tape(recording: false)
        var rng = SeededGenerator(seed: 0)
        let out = try system.forward(images, tape: tape, training: false, generator: &rng)
        let size = system.config.size
        let upscale = max(1, 160 / size)
        let grid = system.sensing.oversampling * size, plane = grid * grid
        let upscaleCDP = max(1, 160 / grid)
        var rows: [[ImagePanel?]] = []
        for k in 0..<n {
            let truth = SceneChannels.phase(images.slice(k..<(k + 1))).reshaped([size, size])
            let estimate = out.estimate.value.slice(k..<(k + 1)).reshaped([size, size])
            let cdp = Tensor(Array(out.measurements.value.buffer[(k * system.snapshots * plane)..<((k * system.snapshots + 1) * plane)]),
                             shape: [grid, grid])
            let psnr = ImageMetrics.psnr(estimate: estimate.reshaped([1, 1, size, size]), reference: truth.reshaped([1, 1, size, size]))
            let ssim = ImageMetrics.ssim(estimate: estimate.reshaped([1, 1, size, size]), reference: truth.reshaped([1, 1, size, size]))
            rows.append([
                k == 0 ? ImagePanel.phase(system.masks.value.slice(0..<1).reshaped([size, size]), upscale: upscale,
                                          caption: "φ (snapshot 1)") : nil,
                ImagePanel.intensity(cdp, centred: system.sensing.propagation == .farField, upscale: upscaleCDP, caption: "CDP"),
                ImagePanel(truth, range: 0...1, upscale: upscale, caption: "scene"),
                ImagePanel(estimate.clipped(to: 0...1), range: 0...1, upscale: upscale,
                           caption: String(format: "PSNR %.1f dB\nSSIM %.3f", psnr, ssim)),
            ])
        }
        let figure = FigureGrid(title: "PhaseMask design preview",
                              columnTitles: ["mask phase", "coded diffraction pattern", "ground truth", "reconstruction"],
                              panels: rows)
        try figure.writePNG(to: path)
    }
}
