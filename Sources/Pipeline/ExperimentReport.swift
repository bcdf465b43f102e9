import Autodiff
import Figures
import Foundation
import Storage
import TensorCore
import Training

/// Turns experiment results into `report.md` and its figures.
public struct ExperimentReport {
    public let options: Experiment.Options
    public let results: [Experiment.RunResult]
    /// The command line that reproduces the experiment.
    public let command: String

    public init(options: Experiment.Options, results: [Experiment.RunResult], command: String) {
        self.options = options
        self.results = results
        self.command = command
    }

    /// Mean and sample standard deviation over seeds.
    struct Stat {
        let mean: Double, std: Double, count: Int
        init(_ values: [Double]) {
            let m = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
            count = values.count
            mean = m
            std = values.count < 2 ? 0
                : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
        func text(_ digits: Int) -> String {
            count == 0 ? "—" : String(format: "%.\(digits)f ± %.\(digits)f", mean, std)
        }
    }

    func stat(_ name: String, _ key: KeyPath<Experiment.RunResult, Double>) -> Stat {
        Stat(results.filter { $0.name == name }.map { $0[keyPath: key] })
    }

    /// Writes `report.md`, `fig2_teacher.png`, `fig3_student.png` and `fig4_reconstructions.png`.
    public func write() throws -> [String] {
        let dir = options.output
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fig2 = path(dir, "fig2_teacher.png"), fig3 = path(dir, "fig3_student.png")
        let fig4 = path(dir, "fig4_reconstructions.png")
        try sweepFigure(prefix: "teacher-L", title: "Teacher vs its number of snapshots", xLabel: "teacher snapshots L_t",
                        baseline: nil, to: fig2)
        try sweepFigure(prefix: "student-L", title: "1-snapshot student vs teacher snapshots", xLabel: "teacher snapshots L_t",
                        baseline: "e2e", to: fig3)
        try reconstructionFigure(to: fig4)
        let report = path(dir, "report.md")
        try AtomicFile.write(Data((markdown() + classicalBaselines()).utf8), to: report)
        return [report, fig2, fig3, fig4]
    }

    /// The settings every run of the experiment shared (the preset with the experiment's overrides).
    var setting: TrainingConfig {
        options.training.config(preset: options.preset, mode: .teacher)
    }

    /// The learning rate and schedule every run used, in words.
    var rateDescription: String {
        let c = setting
        switch c.schedule {
        case .constant: return "the constant learning rate \(c.learningRate)"
        case .cosine: return "peak learning rate \(c.learningRate), cosine schedule with \(c.warmupFraction) of the steps warming up"
        case .decay: return "learning rate \(c.learningRate), annealed linearly to 0 over the last \(c.decayFraction) of the steps"
        }
    }

    func markdown() -> String {
        introduction() + ablationTable() + "\n" + verdict() + "\n" + snapshotSection() + costSection()
    }

    /// Title, what was measured, the command that reproduces it, and the head of Table 1.
    func introduction() -> String {
        let seeds = options.seeds.map(String.init).joined(separator: ", ")
        return """
        # PhaseMask experiment report

        Preset **\(options.preset.rawValue)**, seeds \(seeds) (mean ± sample standard deviation over seeds), \
        test PSNR (dB, data range 1) and SSIM (11×11 Gaussian window, σ = 1.5) on the same test images for \
        every run. Student recipe: α = \(options.alpha), β = \(options.beta), σ = 1 − α − β, \
        \(options.initFromTeacher ? "started from the teacher's ψ, θ and first mask" : "started from random values"). \
        Adam at \(rateDescription).

        Rerun with:

            \(command)

        ## Table 1: ablation of the distillation terms (teacher L_t = \(options.mainTeacherSnapshots))

        | system | L_cdp | L_feat | PSNR (dB) | SSIM | paper PSNR | paper SSIM |
        |---|---|---|---|---|---|---|

        """
    }

    /// The rows of Table 1: each student variant, the baselines and the main teacher, beside the paper's.
    func ablationTable() -> String {
        let lt = options.mainTeacherSnapshots
        let paper: [String: (String, String)] = ["student-cdp-feat": ("26.98", "0.915"), "student-cdp": ("26.94", "0.923"),
                                                 "student-feat": ("26.70", "0.912"), "student-none": ("26.41", "0.910")]
        let rows: [(String, String, String, String)] = [
            ("student-cdp-feat", "✓", "✓", "student, L_cdp + L_feat"), ("student-cdp", "✓", "✗", "student, L_cdp only"),
            ("student-feat", "✗", "✓", "student, L_feat only"),
            ("student-none", "✗", "✗", "student, neither (E2E with the student's initialization)"),
            ("student-paper-cold", "✓", "✓", "student, the paper's recipe (cold, α 0.6, β 0.2)"),
            ("student-design", "✓", TrainingConfig.defaultStudentAlpha + TrainingConfig.defaultStudentBeta < 1 ? "✓" : "✗",
             String(format: "student, `design`'s recipe (%@, α %.2g, β %.2g)",
                    TrainingConfig.defaultStudentWarmStart ? "warm" : "cold",
                    TrainingConfig.defaultStudentAlpha, TrainingConfig.defaultStudentBeta)),
            ("e2e", "", "", "E2E baseline (cold start)"), ("random", "", "", "random masks (φ, ψ frozen)"),
            ("teacher-L\(lt)", "", "", "teacher (L_t = \(lt))"),
        ]
        var md = ""
        for (name, cdp, feat, label) in rows {
            let p = paper[name] ?? ("—", "—")
            md += "| \(label) | \(cdp) | \(feat) | \(stat(name, \.psnr).text(2)) | \(stat(name, \.ssim).text(4)) | \(p.0) | \(p.1) |\n"
        }
        return md
    }

    /// How this run's setting differs from the paper's, then Figures 2 and 3 and their table.
    func snapshotSection() -> String {
        var md = """

        The paper's figures are at 96×96 with 120 epochs on 30,000 training images (its Table 1 has no \
        random or E2E-cold rows; its E2E baseline is the "neither" row). This run trained at \
        \(setting.size)×\(setting.size) on \(setting.trainSize) images for \(setting.epochs) epochs \
        (batch \(setting.batchSize), U-Net depth \(setting.depth) with \(setting.channels) channels, T = \(setting.iterations)), \
        so absolute values differ; compare the ordering.

        ## Figures 2 and 3: snapshots (seeds \((options.sweepSeeds ?? options.seeds).map(String.init).joined(separator: ", ")))

        ![teacher](fig2_teacher.png)

        ![student](fig3_student.png)

        | L_t | teacher PSNR | teacher SSIM | student PSNR | student SSIM |
        |---|---|---|---|---|

        """
        for l in options.teacherSnapshots {
            md += "| \(l) | \(stat("teacher-L\(l)", \.psnr).text(2)) | \(stat("teacher-L\(l)", \.ssim).text(4)) | "
                + "\(stat("student-L\(l)", \.psnr).text(2)) | \(stat("student-L\(l)", \.ssim).text(4)) |\n"
        }
        return md
    }

    /// Figure 4, and Table 2: training time, peak memory and inference time of the main teacher and the
    /// student, beside the paper's.
    func costSection() -> String {
        let lt = options.mainTeacherSnapshots
        var md = """

        ## Figure 4: reconstructions (seed \(options.seeds.first ?? 0))

        ![reconstructions](fig4_reconstructions.png)

        ## Table 2: cost (this machine, mean over seeds)

        | | teacher (L_t = \(lt)) | student | paper teacher | paper student |
        |---|---|---|---|---|

        """
        let t = results.filter { $0.name == "teacher-L\(lt)" }, s = results.filter { $0.name == "student-cdp-feat" }
        func mean(_ r: [Experiment.RunResult], _ f: (Experiment.RunResult) -> Double) -> Double {
            r.isEmpty ? .nan : r.map(f).reduce(0, +) / Double(r.count)
        }
        md += "| training time | \(ProgressReporter.duration(mean(t) { $0.trainingSeconds })) | "
            + "\(ProgressReporter.duration(mean(s) { $0.trainingSeconds })) | 6h 34m 18s | 7h 21m 25s |\n"
        md += String(format: "| peak tensor memory (MiB) | %.0f | %.0f | 5,577 | 6,647 |\n",
                     mean(t) { Double($0.peakTensorBytes) / 1_048_576 }, mean(s) { Double($0.peakTensorBytes) / 1_048_576 })
        md += String(format: "| inference per batch of %d (ms) | %.1f | %.1f | 76 | 32 |\n", t.first?.inferenceBatch ?? 0,
                     mean(t) { $0.inferenceSecondsPerBatch * 1000 }, mean(s) { $0.inferenceSecondsPerBatch * 1000 })
        md += """

        The student's training time includes the frozen teacher's forward pass on every batch. Memory is the \
        peak of live tensors (PhaseMask's buffer pool); the paper reports GPU memory. The paper's figures \
        come from an RTX 4090 at 96×96 with batch 64.

        Raw numbers: `results.json`. Each run's checkpoint and `log.jsonl` are under `runs/seed<s>/<run>/`.

        """
        return md
    }

    /// Whether the distilled student beats the E2E baseline, per seed and on average.
    func verdict() -> String {
        var diffs: [Double] = []
        for seed in options.seeds {
            if let s = results.first(where: { $0.name == "student-cdp-feat" && $0.seed == seed }),
               let e = results.first(where: { $0.name == "e2e" && $0.seed == seed }) {
                diffs.append(s.psnr - e.psnr)
            }
        }
        guard !diffs.isEmpty else { return "" }
        let wins = diffs.filter { $0 > 0 }.count
        let d = Stat(diffs)
        return String(format: "**Student (L_cdp + L_feat) − E2E baseline: %+.2f ± %.2f dB PSNR; the student is better in %d of %d seeds.**",
                      d.mean, d.std, wins, diffs.count)
    }

    /// PSNR and SSIM against L_t, side by side, with error bars over seeds.
    func sweepFigure(prefix: String, title: String, xLabel: String, baseline: String?, to file: String) throws {
        let xs = options.teacherSnapshots.filter { l in results.contains { $0.name == "\(prefix)\(l)" } }
        var panels: [Canvas] = []
        for (metric, key, label) in [("PSNR", \Experiment.RunResult.psnr, "PSNR (dB)"), ("SSIM", \Experiment.RunResult.ssim, "SSIM")] {
            let stats = xs.map { stat("\(prefix)\($0)", key) }
            var series = [Series(label: prefix.hasPrefix("teacher") ? "teacher" : "student (1 snapshot)",
                                 x: xs.map(Double.init), y: stats.map(\.mean), errors: stats.map(\.std))]
            if let baseline, !xs.isEmpty {
                let b = stat(baseline, key)
                series.append(Series(label: "E2E baseline", x: [Double(xs.first!), Double(xs.last!)], y: [b.mean, b.mean],
                                     errors: [b.std, b.std], marker: .none))
            }
            panels.append(LinePlot(title: "\(title): \(metric)", xLabel: xLabel, yLabel: label, series: series).render())
        }
        var canvas = Canvas(width: panels.reduce(0) { $0 + $1.width }, height: panels.map(\.height).max() ?? 1)
        var x = 0
        for p in panels { canvas.blit(p, x: x, y: 0); x += p.width }
        try canvas.writePNG(to: file)
    }

    /// Ground truth, teacher, random, E2E and student reconstructions of three test scenes.
    func reconstructionFigure(to file: String) throws {
        let seed = options.seeds.first ?? 0
        let names = [("teacher-L\(options.mainTeacherSnapshots)", "teacher (L=\(options.mainTeacherSnapshots))"),
                     ("random", "random"), ("e2e", "E2E"), ("student-cdp-feat", "student")]
        let runs = names.compactMap { n in results.first { $0.name == n.0 && $0.seed == seed }.map { ($0, n.1) } }
        guard let first = runs.first else { return }
        let config = try Checkpoint.configuration(at: first.0.checkpoint)
        let scenes = try SceneSplits.testScenes(config, count: 3)
        let truth = SceneChannels.phase(scenes)
        let n = config.size, upscale = max(1, 128 / n)
        var columns: [[ImagePanel]] = [(0..<3).map { ImagePanel(truth.slice($0..<($0 + 1)).reshaped([n, n]), range: 0...1, upscale: upscale) }]
        for (run, _) in runs {
            let system = try Checkpoint.load(run.checkpoint).system
            let (estimates, _) = try Evaluation.reconstruct(system, images: scenes)
            columns.append((0..<3).map { k in
                let e = estimates.slice(k..<(k + 1)), t = truth.slice(k..<(k + 1))
                return ImagePanel(e.clipped(to: 0...1).reshaped([n, n]), range: 0...1, upscale: upscale,
                                  caption: String(format: "%.1f dB\n%.3f", ImageMetrics.psnr(estimate: e, reference: t),
                                                  ImageMetrics.ssim(estimate: e, reference: t)))
            })
        }
        let panels: [[ImagePanel?]] = (0..<3).map { k in columns.map { $0[k] } }
        try FigureGrid(title: "Test reconstructions (PSNR / SSIM)", columnTitles: ["ground truth"] + runs.map(\.1),
                       panels: panels).writePNG(to: file)
    }
}
