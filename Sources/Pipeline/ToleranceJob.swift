import Autodiff
import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask tolerance`: how much a design loses to fabrication and display errors.
///
/// The design's quantized mask (`RealizedMask`) is perturbed by each error kind (`MaskPerturbation`) at
/// a grid of amplitudes, `draws` random realizations each (one for the deterministic crosstalk). Each
/// realized mask measures the test scenes (noise-free CDPs); the recovery network reconstructs them
/// with the nominal mask it was trained for, as a deployed system would. Per error and amplitude: the
/// mean and 5th percentile of the per-image test PSNR over all draws × images (percentile by linear
/// interpolation between order statistics), and the standard error of the mean over the draws (the
/// sample standard deviation of the draws' means over √draws: the images are the same in every cell,
/// so this is the noise that matters when cells are compared). Draw d of an error takes the same random numbers at every
/// amplitude (common random numbers: the curves are smooth in the amplitude). `ToleranceReport`
/// prints the table, ranks the errors and writes `tolerance.csv` and `tolerance.png`.
public enum ToleranceJob {
    /// One error of the analysis; `amplitudes` written with their units (`MaskPerturbation.parseAmplitude`,
    /// µm and nm through the design's pitch and wavelength), nil for the defaults (`defaultAmplitudes`).
    public struct ErrorSpec: Equatable, Sendable {
        public var kind: MaskPerturbation.Kind
        public var amplitudes: [String]?
        public init(_ kind: MaskPerturbation.Kind, amplitudes: [String]? = nil) {
            self.kind = kind
            self.amplitudes = amplitudes
        }
    }

    public struct Options {
        public var design: String
        public var model: String
        /// Score on the test split of these sources instead of the model's (as `evaluate --data`).
        public var data: [DataSource] = []
        public var testSize = ToleranceJob.defaultTestSize
        public var draws = ToleranceJob.defaultDraws
        public var seed: UInt64 = 0
        public var out: String
        /// Empty: every error the design can realize, at its default amplitudes.
        public var errors: [ErrorSpec] = []
        public var log: (String) -> Void = { _ in }

        public init(design: String, model: String, out: String) {
            self.design = design
            self.model = model
            self.out = out
        }
    }

    public static let defaultTestSize = 500, defaultDraws = 8

    /// Default amplitudes (rms; σ for crosstalk) of each error.
    public static func defaultAmplitudes(_ kind: MaskPerturbation.Kind) -> [String] {
        switch kind {
        case .depthScale, .layerDepth, .lutGamma: return ["2%", "5%", "10%", "20%"]
        case .misalignment: return ["0.5um", "1um", "2um", "4um"]
        case .crosstalk: return ["0.025px", "0.05px", "0.1px", "0.2px"]
        case .wavelength: return ["5nm", "10nm", "20nm", "40nm"]
        }
    }

    /// Scores of the nominal mask or of one error at one amplitude.
    public struct Cell: Equatable, Sendable {
        /// nil: the nominal mask.
        public let kind: MaskPerturbation.Kind?
        /// In mask units, and as shown (`RealizedMask.displayUnit`).
        public let amplitude: Double
        public let shown: Double
        public let unit: String
        public let draws: Int
        public let images: Int
        public let meanPSNR: Double
        public let p5PSNR: Double
        /// Standard error of `meanPSNR` over the draws; nil for one draw.
        public let standardError: Double?
    }

    public struct Result {
        public let nominal: Cell
        public let cells: [Cell]
        public let ranking: [ToleranceReport.Tolerance]
        public let files: [String]
        public let notes: [String]
        /// The table and the ranking as printed.
        public var lines: [String] { ToleranceReport.table(nominal: nominal, cells: cells) + [""] + ToleranceReport.rankingLines(ranking) }
    }

    /// The plan: each error with its amplitudes in mask units.
    struct Plan {
        var errors: [(kind: MaskPerturbation.Kind, amplitudes: [Double])]
        var notes: [String]
    }

    public static func run(_ o: Options) throws -> Result {
        guard o.draws >= 1 else { throw FabricationError("--draws", "must be at least 1, got \(o.draws)") }
        guard o.testSize >= 1 else { throw FabricationError("--test-size", "must be at least 1, got \(o.testSize)") }
        try checkOutput(o.out)
        let mask = try RealizedMask(try DesignFile.read(path: o.design))
        let system = try Checkpoint.load(o.model).system
        guard system.masks.shape == mask.phases.shape else {
            throw FabricationError(o.model, "holds masks \(system.masks.shape); the design \(o.design) has \(mask.phases.shape)")
        }
        ReconstructJob.warnOnMaskMismatch(mask.phases, system.masks.value, source: o.design, log: o.log)
        let plan = try makePlan(o, mask)
        plan.notes.forEach { o.log("note: \($0)") }
        let scenes = try TrainingJob.testScenes(of: system, checkpoint: o.model, testSize: o.testSize, data: o.data, log: o.log)
        let total = 1 + plan.errors.reduce(0) { $0 + $1.amplitudes.count }
        var done = 0
        func report(_ c: Cell, _ seconds: Double) {
            done += 1
            let what = c.kind.map { "\($0.rawValue) \(ToleranceReport.amplitude(c))" } ?? "nominal mask"
            o.log(String(format: "[%d/%d] %@: mean PSNR %.2f dB, p5 %.2f dB (%d × %d images, %@)", done, total, what,
                         c.meanPSNR, c.p5PSNR, c.draws, c.images, ProgressReporter.duration(seconds)))
        }
        let batch = system.config.batchSize
        var started = MonotonicClock.now()
        let nominalScores = try psnrs(system, measuring: mask.phases, scenes: scenes, batchSize: batch)
        let nominal = cell(nil, 0, mask, draws: 1, [nominalScores])
        report(nominal, MonotonicClock.now() - started)
        var cells: [Cell] = []
        for (kind, amplitudes) in plan.errors {
            let streams = drawStreams(kind, seed: o.seed, count: kind.isRandom ? o.draws : 1)
            for a in amplitudes {
                started = MonotonicClock.now()
                var scores: [[Double]] = []
                for var stream in streams {
                    let error = MaskPerturbation(kind, amplitude: a).draw(layerCount: mask.layers?.count ?? 0, generator: &stream)
                    scores.append(try psnrs(system, measuring: try mask.realized(error), scenes: scenes, batchSize: batch))
                }
                cells.append(cell(kind, a, mask, draws: streams.count, scores))
                report(cells.last!, MonotonicClock.now() - started)
            }
        }
        let ranking = ToleranceReport.rank(nominal: nominal, cells: cells, mask: mask)
        let files = try ToleranceReport.write(nominal: nominal, cells: cells, to: o.out)
        return Result(nominal: nominal, cells: cells, ranking: ranking, files: files, notes: plan.notes)
    }

    /// The errors to run and their amplitudes in mask units. An error the design cannot realize is
    /// skipped with a note when it was not asked for, and refused when it was.
    static func makePlan(_ o: Options, _ mask: RealizedMask) throws -> Plan {
        let asked = !o.errors.isEmpty
        var plan = Plan(errors: [], notes: [])
        var seen = Set<MaskPerturbation.Kind>()
        for spec in asked ? o.errors : MaskPerturbation.Kind.allCases.map({ ErrorSpec($0) }) {
            guard seen.insert(spec.kind).inserted else {
                throw FabricationError("--error", "\(spec.kind.rawValue) is given twice")
            }
            if let problem = mask.problem(spec.kind) {
                if asked { throw FabricationError("--error \(spec.kind.rawValue)", problem) }
                plan.notes.append("skipping \(spec.kind.rawValue): \(problem)")
                continue
            }
            let texts = spec.amplitudes ?? defaultAmplitudes(spec.kind)
            guard !texts.isEmpty else { throw FabricationError("--error \(spec.kind.rawValue)", "lists no amplitude") }
            let values = try texts.map { text -> Double in
                let a: Double
                do { a = try MaskPerturbation.parseAmplitude(text, kind: spec.kind, scales: mask.scales) } catch let e as OpticsError {
                    throw FabricationError("--error \(spec.kind.rawValue)", e.description)
                }
                if let problem = MaskPerturbation(spec.kind, amplitude: a).problem {
                    throw FabricationError("--error \(spec.kind.rawValue)", "\(text): \(problem)")
                }
                return a
            }
            plan.errors.append((spec.kind, Array(Set(values)).sorted()))
        }
        return plan
    }

    /// One generator per draw of `kind` (independent of the amplitude).
    static func drawStreams(_ kind: MaskPerturbation.Kind, seed: UInt64, count: Int) -> [SeededGenerator] {
        let index = UInt64(MaskPerturbation.Kind.allCases.firstIndex(of: kind) ?? 0)
        var base = SeededGenerator(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* (index + 1)))
        return (0..<count).map { _ in base.split() }
    }

    /// The cell of per-image scores, one list per draw.
    static func cell(_ kind: MaskPerturbation.Kind?, _ amplitude: Double, _ mask: RealizedMask, draws: Int,
                     _ scores: [[Double]]) -> Cell {
        let (unit, scale) = kind.map { mask.displayUnit($0) } ?? ("", 1)
        let all = scores.flatMap { $0 }
        let means = scores.map { $0.reduce(0, +) / Double(max($0.count, 1)) }
        var standardError: Double?
        if means.count > 1 {
            let m = means.reduce(0, +) / Double(means.count)
            let variance = means.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(means.count - 1)
            standardError = (variance / Double(means.count)).squareRoot()
        }
        return Cell(kind: kind, amplitude: amplitude, shown: amplitude * scale, unit: unit, draws: draws,
                    images: all.count / max(draws, 1), meanPSNR: all.reduce(0, +) / Double(max(all.count, 1)),
                    p5PSNR: percentile(all, 0.05), standardError: standardError)
    }

    /// The q-quantile of `values` by linear interpolation between order statistics (position q·(n − 1)).
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard let first = sorted.first else { return .nan }
        let position = q * Double(sorted.count - 1)
        let i = Int(position.rounded(.down)), f = position - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : (sorted.last ?? first)
    }

    /// Per-image PSNR of `system` on `scenes` `[n, C, N, N]` when the CDPs are measured through
    /// `realized` `[L, N, N]` and recovered with the system's own (nominal) masks; no noise, no offsets.
    static func psnrs(_ system: PhaseRetrievalSystem, measuring realized: Tensor, scenes: Tensor, batchSize: Int) throws -> [Double] {
        let n = scenes.shape[0]
        var out: [Double] = []
        out.reserveCapacity(n)
        var start = 0
        while start < n {
            let end = min(start + max(batchSize, 1), n)
            let batch = scenes.slice(start..<end)
            let tape = Tape(recording: false)
            let y = system.sensing.measure(tape.constant(try system.scene(batch)), masks: tape.constant(realized))
            let estimate = try system.recover(y, masks: tape.constant(system.masks.value), training: false).estimate.value
            let reference = SceneChannels.phase(batch)
            for k in 0..<(end - start) {
                out.append(ImageMetrics.psnr(estimate: estimate.slice(k..<(k + 1)), reference: reference.slice(k..<(k + 1))))
            }
            start = end
        }
        return out
    }

    /// Refuses an output path that is a file (before any work).
    static func checkOutput(_ out: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw FabricationError("--out \(out)", "is a file; give a folder for tolerance.csv and tolerance.png")
        }
    }
}
