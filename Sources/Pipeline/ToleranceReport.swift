import Fabrication
import Figures
import Foundation
import Optics
import Storage

/// What `phasemask tolerance` prints and writes: the table of PSNR against each error's amplitude,
/// the ranking of the errors, `tolerance.csv` and `tolerance.png`.
///
/// Ranking: an error's 1-dB tolerance is the amplitude at which its mean PSNR first falls 1 dB below
/// the nominal mask's, interpolated linearly between the grid's amplitudes (and the nominal at 0); none
/// when the largest amplitude stays within 1 dB. It is set against a typical error of that kind
/// (`typical`, an assumption stated in docs/tolerance.md): the smaller their ratio, the more that
/// tolerance matters; an error without a 1-dB tolerance ranks by its lower bound (largest / typical).
public enum ToleranceReport {
    public struct Tolerance: Equatable, Sendable {
        public let kind: MaskPerturbation.Kind
        public let unit: String
        /// The 1-dB tolerance, or nil beyond the largest amplitude measured.
        public let threshold: Double?
        public let largest: Double
        public let typical: Double
        /// threshold / typical, or its lower bound largest / typical.
        public var ratio: Double { (threshold ?? largest) / typical }
    }

    /// A typical error of each kind, in its display unit: etch depth and layer depth within 5 %, a
    /// contact aligner's 1 µm overlay, fringing over one panel pixel (1/s mask pixels), a 5 % gamma
    /// error of the phase response, a laser 2 nm off the design wavelength.
    public static func typical(_ kind: MaskPerturbation.Kind, mask: RealizedMask) -> Double {
        switch kind {
        case .depthScale, .layerDepth, .lutGamma: return 5
        case .misalignment: return mask.scales.pixelPitch == nil ? 0.125 : 1
        case .crosstalk: return 1 / Double(max(mask.superpixel, 1))
        case .wavelength: return mask.scales.wavelength == nil ? 0.3 : 2
        }
    }

    public static func rank(nominal: ToleranceJob.Cell, cells: [ToleranceJob.Cell], mask: RealizedMask) -> [Tolerance] {
        var out: [Tolerance] = []
        for kind in MaskPerturbation.Kind.allCases {
            let points = cells.filter { $0.kind == kind }.sorted { $0.shown < $1.shown }
            guard let last = points.last else { continue }
            out.append(Tolerance(kind: kind, unit: last.unit, threshold: oneDecibel(nominal.meanPSNR, points),
                                 largest: last.shown, typical: typical(kind, mask: mask)))
        }
        return out.sorted { $0.ratio < $1.ratio }
    }

    /// The amplitude at which the mean PSNR of `points` (ascending) first reaches `nominal − 1`, linear
    /// between neighbours starting from (0, nominal); nil if it never does.
    static func oneDecibel(_ nominal: Double, _ points: [ToleranceJob.Cell]) -> Double? {
        let target = nominal - 1
        var (x0, y0) = (0.0, nominal)
        for p in points {
            if p.meanPSNR <= target {
                return y0 == p.meanPSNR ? p.shown : x0 + (p.shown - x0) * (y0 - target) / (y0 - p.meanPSNR)
            }
            (x0, y0) = (p.shown, p.meanPSNR)
        }
        return nil
    }

    /// "5 %", "0.5 µm", "0.1 px", "10 nm".
    static func amplitude(_ c: ToleranceJob.Cell) -> String { c.kind == nil ? "0" : number(c.shown) + " " + c.unit }

    static func number(_ v: Double) -> String { String(format: "%.3g", v) }

    /// The table: the nominal mask, then each error and amplitude.
    public static func table(nominal: ToleranceJob.Cell, cells: [ToleranceJob.Cell]) -> [String] {
        let head = ["error", "amplitude", "draws × images", "mean PSNR (dB)", "± s.e.", "p5 PSNR (dB)", "Δ mean (dB)"]
        let widths = [14, 10, 16, 16, 8, 14, 13]
        func row(_ fields: [String]) -> String {
            fields[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                + zip(fields.dropFirst(), widths.dropFirst()).map { String(repeating: " ", count: max($1 - $0.count, 1)) + $0 }.joined()
        }
        var lines = [row(head), row(widths.enumerated().map { String(repeating: "-", count: $0.offset == 0 ? $0.element - 2 : head[$0.offset].count) })]
        for c in [nominal] + cells {
            lines.append(row([c.kind?.rawValue ?? "nominal", amplitude(c), "\(c.draws) × \(c.images)",
                              String(format: "%.2f", c.meanPSNR), c.standardError.map { String(format: "%.2f", $0) } ?? "-",
                              String(format: "%.2f", c.p5PSNR),
                              String(format: "%+.2f", c.meanPSNR - nominal.meanPSNR)]))
        }
        return lines
    }

    public static func rankingLines(_ ranking: [Tolerance]) -> [String] {
        var lines = ["1-dB tolerance (amplitude where the mean PSNR falls 1 dB below nominal) against a typical error; "
                     + "the smallest ratio matters most:"]
        for (i, t) in ranking.enumerated() {
            let threshold = t.threshold.map { number($0) } ?? "> " + number(t.largest)
            let ratio = (t.threshold == nil ? "> " : "") + String(format: "%.2f", t.ratio)
            lines.append(String(format: "%2d. %@ 1-dB tolerance %@ typical %@ ratio %@", i + 1,
                                t.kind.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                                (threshold + " " + t.unit).padding(toLength: 12, withPad: " ", startingAt: 0),
                                (number(t.typical) + " " + t.unit).padding(toLength: 11, withPad: " ", startingAt: 0), ratio))
        }
        return lines
    }

    /// `tolerance.csv` and `tolerance.png` in `directory`, all or nothing; returns their paths.
    static func write(nominal: ToleranceJob.Cell, cells: [ToleranceJob.Cell], to directory: String) throws -> [String] {
        let group = try AtomicFileGroup(directory: directory, name: "tolerance")
        let names = ["tolerance.csv", "tolerance.png"]
        do {
            var text = "error,amplitude,unit,amplitude_mask_units,draws,images,psnr_mean_db,psnr_mean_se_db,psnr_p5_db\n"
            for c in [nominal] + cells {
                text += [c.kind?.rawValue ?? "nominal", String(format: "%.6g", c.shown), c.unit, "\(c.amplitude)", "\(c.draws)", "\(c.images)",
                         "\(c.meanPSNR)", c.standardError.map { "\($0)" } ?? "", "\(c.p5PSNR)"].joined(separator: ",") + "\n"
            }
            try AtomicFile.write(Array(text.utf8), to: group.stagingPath(names[0]))
            try figure(nominal: nominal, cells: cells).writePNG(to: group.stagingPath(names[1]))
            return try group.commit(order: names)
        } catch {
            group.discard()
            throw error
        }
    }

    /// One panel per error: mean and 5th-percentile PSNR against the amplitude (the nominal at 0), and
    /// the line 1 dB below the nominal mean.
    static func figure(nominal: ToleranceJob.Cell, cells: [ToleranceJob.Cell]) -> Canvas {
        let kinds = MaskPerturbation.Kind.allCases.filter { k in cells.contains { $0.kind == k } }
        let low = ([nominal] + cells).map(\.p5PSNR).min() ?? 0, high = nominal.meanPSNR
        let yRange = (low - 0.05 * (high - low) - 0.5)...(high + 0.05 * (high - low) + 0.5)
        let panels = kinds.map { kind -> Canvas in
            let points = cells.filter { $0.kind == kind }.sorted { $0.shown < $1.shown }
            let x = [0] + points.map(\.shown), unit = points.first?.unit ?? ""
            let xLabel = kind == .crosstalk ? "Gaussian σ (mask \(unit))" : "rms error (\(unit))"
            return LinePlot(title: kind.rawValue, xLabel: xLabel, yLabel: "test PSNR (dB)",
                            series: [Series(label: "mean", x: x, y: [nominal.meanPSNR] + points.map(\.meanPSNR)),
                                     Series(label: "5th percentile", x: x, y: [nominal.p5PSNR] + points.map(\.p5PSNR), marker: .square),
                                     Series(label: "nominal − 1 dB", x: [0, x.last ?? 1], y: [high - 1, high - 1],
                                            color: .gray, marker: .none, lineWidth: 1)],
                            width: 480, height: 340, yRange: yRange, legend: .bottomLeft).render()
        }
        let columns = min(3, max(panels.count, 1)), rows = (panels.count + columns - 1) / columns
        var canvas = Canvas(width: 480 * columns, height: 340 * max(rows, 1))
        for (i, p) in panels.enumerated() { canvas.blit(p, x: 480 * (i % columns), y: 340 * (i / columns)) }
        return canvas
    }
}
