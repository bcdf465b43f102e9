import Figures
import Foundation
import Optics
import TensorCore

extension Simulator {
    /// A PNG figure of sensor images `[B, L, M_h, M_w]` (`PanelSimulator`): per scene and snapshot the
    /// sensor around the zero order (log scale, zero frequency at the centre, cropped to the square that
    /// just holds the first-order window) beside that window taken back out (`FirstOrderWindow.extract`,
    /// the CDP `reconstruct` uses).
    public static func writeSensorFigure(sensor: Tensor, window: FirstOrderWindow, to path: String) throws {
        let (b, l, mh, mw) = (sensor.shape[0], sensor.shape[1], sensor.shape[2], sensor.shape[3])
        let reach = max(abs(window.row) + 2 * window.height, abs(window.column) + 2 * window.width)
        let half = min(reach, mh / 2, mw / 2)
        let side = 2 * half
        let cdp = try window.extract(sensor)
        let upscale = max(1, 384 / side), cdpUpscale = max(1, 192 / max(window.height, window.width))
        var panels: [[ImagePanel?]] = []
        for s in 0..<b {
            var row: [ImagePanel?] = []
            for m in 0..<l {
                let plane = sensor.pointer + (s * l + m) * mh * mw
                var crop = [Float](repeating: 0, count: side * side)
                for y in 0..<side {
                    let u = ((y - half) % mh + mh) % mh
                    for x in 0..<side { crop[y * side + x] = plane[u * mw + ((x - half) % mw + mw) % mw] }
                }
                row.append(ImagePanel(values: crop, height: side, width: side, map: .viridisLike, scale: .log1p(epsilon: 1e-4),
                                      upscale: upscale, caption: "zero order at the centre", showsColorBar: false))
                let start = (s * l + m) * window.height * window.width
                let slice = Tensor(Array(cdp.buffer[start..<(start + window.height * window.width)]), shape: [window.height, window.width])
                row.append(ImagePanel.intensity(slice, upscale: cdpUpscale, caption: "bin (\(window.row), \(window.column))",
                                                showsColorBar: true))
            }
            panels.append(row)
        }
        let titles = (0..<l).flatMap { ["sensor, snapshot \($0)", "first-order window"] }
        let displaced = window.row != 0 || window.column != 0
        let grid = FigureGrid(title: displaced ? "Simulated sensor: carrier-displaced CDP beside the zero order"
                                               : "Simulated sensor: the zero order on top of the CDP",
                              rowTitles: (0..<b).map { "scene \($0)" }, columnTitles: titles, panels: panels)
        try grid.writePNG(to: path)
    }
}
