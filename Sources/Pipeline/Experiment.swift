import Foundation
import Optics
import Storage
import TensorCore
import Training

/// `phasemask experiment`: the paper's study in one command.
///
/// For every seed: teachers with each number of snapshots in `teacherSnapshots` (Fig. 2), a student
/// distilled from each (Fig. 3), and, with the main teacher (`mainTeacherSnapshots`), the KD ablation
/// of Table 1 — student with L_cdp + L_feat, L_cdp only, L_feat only, neither — plus the cold E2E and
/// random-mask baselines. Every run lives in `output/runs/seed<s>/<name>` and is reused when finished
/// with the same settings, so an interrupted experiment continues where it stopped.
public struct Experiment {
    public struct Options {
        public var preset: Preset = .quick
        public var seeds: [UInt64] = [0, 1, 2]
        public var teacherSnapshots: [Int] = [1, 3, 5, 7, 9]
        /// Seeds that run the snapshot sweep of Figures 2 and 3 (nil: every seed); Table 1 uses all seeds.
        public var sweepSeeds: [UInt64]? = nil
        public var mainTeacherSnapshots = 9
        /// Settings of every run laid over the preset (epochs, subsets, data, scene model, …); each run
        /// sets its own seed and snapshots.
        public var training = TrainingOverrides()
        /// The student recipe: α, β (σ = 1 − α − β) and whether students start from their teacher.
        public var alpha = TrainingConfig.defaultStudentAlpha
        public var beta = TrainingConfig.defaultStudentBeta
        public var initFromTeacher = TrainingConfig.defaultStudentWarmStart
        public var output = "experiment"
        public init() {}

        /// Problems with the settings of the runs, each one sentence (`TrainingConfig.settingsProblems`
        /// of the main teacher, its student and the baselines); empty when every run can be trained.
        public func settingsProblems() -> [String] {
            let e = Experiment(options: self) { _ in }
            let seed = seeds.first ?? 0
            var p: [String] = []
            for c in [e.teacherConfig(mainTeacherSnapshots, seed), e.studentConfig("", seed, cdp: true, feat: true),
                      e.baselineConfig(.e2e, seed)] {
                p += c.settingsProblems().filter { !p.contains($0) }
            }
            return p
        }
    }

    /// One trained system's outcome.
    public struct RunResult: Codable {
        public var name: String
        public var seed: UInt64
        public var snapshots: Int
        public var psnr: Double
        public var ssim: Double
        public var trainingSeconds: Double
        public var peakTensorBytes: Int
        public var inferenceSecondsPerBatch: Double
        public var inferenceBatch: Int
        public var checkpoint: String
    }

    public let options: Options
    public var log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void) {
        self.options = options
        self.log = log
    }

    /// The ablation variants of Table 1 (student names and which KD terms they use).
    static let ablation: [(name: String, cdp: Bool, feat: Bool)] = [
        ("student-cdp-feat", true, true), ("student-cdp", true, false),
        ("student-feat", false, true), ("student-none", false, false),
    ]

    /// Fixed recipes beside the ablation: the paper's (cold start, α 0.6, β 0.2, σ 0.2) and the one
    /// `phasemask design` ships (its defaults).
    static let recipes: [(name: String, alpha: Double, beta: Double, warm: Bool)] = [
        ("student-paper-cold", 0.6, 0.2, false),
        ("student-design", TrainingConfig.defaultStudentAlpha, TrainingConfig.defaultStudentBeta,
         TrainingConfig.defaultStudentWarmStart),
    ]

    /// Trains (or reuses) every run and returns the results in report order. Under mpirun the runs are
    /// spread over the ranks (`fanOut`); every rank returns the same results.
    public func run() throws -> [RunResult] {
        if let problem = options.settingsProblems().first { throw TrainingError.invalidConfiguration(problem) }
        // Every run shares the image size, test subset and data directory: load its scenes once.
        let shared = baselineConfig(.e2e, options.seeds.first ?? 0)
        let test = try SceneSplits.testScenes(shared)
        let planned = plan()
        let group = ProcessGroup.current
        if group.size > 1 { return try fanOut(planned, testScenes: test, group: group) }
        var results: [RunResult] = []
        var teacher: Run?   // the latest teacher: its students follow it in the plan
        for (i, run) in planned.enumerated() {
            let trained = try train(run.name, config: run.config, seed: run.seed,
                                    teacher: run.teacher == nil ? nil : teacher?.system, testScenes: test)
            if run.config.mode == .teacher { teacher = trained }
            results += run.reported(trained.result)
            if i + 1 == planned.count || planned[i + 1].seed != run.seed { try save(results) }
        }
        return results
    }

    /// One run of the study.
    struct PlannedRun {
        let name: String
        let seed: UInt64
        let config: TrainingConfig
        /// The teacher run (same seed) a student distils from.
        let teacher: String?
        /// A second name the result is also reported under (the main student in the snapshot sweep).
        let alias: String?

        /// The result as the report lists it (under its alias too).
        func reported(_ result: RunResult) -> [RunResult] {
            var copy = result
            copy.name = alias ?? ""
            return alias == nil ? [result] : [result, copy]
        }
    }

    /// Every run in the order one process trains and reports them: for each seed, the teachers (each
    /// followed by its students), then the E2E and random baselines.
    func plan() -> [PlannedRun] {
        var runs: [PlannedRun] = []
        for seed in options.seeds {
            let sweep = options.sweepSeeds?.contains(seed) ?? true
            let snapshotsList = Array(Set((sweep ? options.teacherSnapshots : []) + [options.mainTeacherSnapshots])).sorted()
            for lt in snapshotsList {
                let teacher = "teacher-L\(lt)"
                runs.append(PlannedRun(name: teacher, seed: seed, config: teacherConfig(lt, seed), teacher: nil, alias: nil))
                let checkpoint = RunFolder.experimentRun(teacher, seed: seed, output: options.output).checkpoint
                func student(_ name: String, _ config: TrainingConfig, alias: String? = nil) {
                    runs.append(PlannedRun(name: name, seed: seed, config: config, teacher: teacher, alias: alias))
                }
                if sweep && options.teacherSnapshots.contains(lt) && lt != options.mainTeacherSnapshots {
                    student("student-L\(lt)", studentConfig(checkpoint, seed, cdp: true, feat: true))
                }
                if lt == options.mainTeacherSnapshots {
                    for v in Self.ablation {
                        let inSweep = v.cdp && v.feat && sweep && options.teacherSnapshots.contains(lt)
                        student(v.name, studentConfig(checkpoint, seed, cdp: v.cdp, feat: v.feat), alias: inSweep ? "student-L\(lt)" : nil)
                    }
                    for recipe in Self.recipes {
                        var c = studentConfig(checkpoint, seed, cdp: true, feat: true)
                        c.alpha = recipe.alpha; c.beta = recipe.beta; c.initFromTeacher = recipe.warm
                        student(recipe.name, c)
                    }
                }
            }
            runs.append(PlannedRun(name: "e2e", seed: seed, config: baselineConfig(.e2e, seed), teacher: nil, alias: nil))
            runs.append(PlannedRun(name: "random", seed: seed, config: baselineConfig(.random, seed), teacher: nil, alias: nil))
        }
        return runs
    }

    func teacherConfig(_ snapshots: Int, _ seed: UInt64) -> TrainingConfig {
        var o = overrides(seed)
        o.snapshots = snapshots
        return o.config(preset: options.preset, mode: .teacher)
    }

    func studentConfig(_ teacher: String, _ seed: UInt64, cdp: Bool, feat: Bool) -> TrainingConfig {
        var o = overrides(seed)
        o.teacherCheckpoint = teacher
        o.alpha = options.alpha
        o.beta = options.beta
        o.useCDPLoss = cdp
        o.useFeatureLoss = feat
        o.initFromTeacher = options.initFromTeacher
        return o.config(preset: options.preset, mode: .student)
    }

    func baselineConfig(_ mode: TrainingMode, _ seed: UInt64) -> TrainingConfig {
        overrides(seed).config(preset: options.preset, mode: mode)
    }

    /// The experiment's settings for the run with `seed`.
    private func overrides(_ seed: UInt64) -> TrainingOverrides {
        var o = options.training
        o.seed = seed
        o.snapshots = nil
        return o
    }

    /// One run's outcome and its system (a teacher's is handed to its students).
    struct Run {
        var result: RunResult
        let system: PhaseRetrievalSystem
    }

    /// Trains (or reuses) one run (`Stage.run`) and measures it on `testScenes` (the test split): a run
    /// trained here keeps the evaluation its training ended with, a reused one is evaluated.
    func train(_ name: String, config: TrainingConfig, seed: UInt64, teacher: PhaseRetrievalSystem?, testScenes: Tensor) throws -> Run {
        let stage = Stage(name: "seed \(seed) \(name)", folder: .experimentRun(name, seed: seed, output: options.output))
        let outcome = try stage.run(config, teacher: teacher, announce: { state in
            state == .finished ? nil
                : "— seed \(seed), \(name): training (\(config.mode.rawValue), L = \(config.snapshots), \(config.epochs) epochs)"
        }, log: log)
        let test = try outcome.test ?? Evaluation.evaluate(outcome.system, images: testScenes, batchSize: config.batchSize)
        let history = outcome.history
        log(String(format: "  seed %llu, %@: test PSNR %.2f dB, SSIM %.4f", seed, name, test.psnr, test.ssim))
        let result = RunResult(name: name, seed: seed, snapshots: config.snapshots, psnr: test.psnr, ssim: test.ssim,
                               trainingSeconds: history.reduce(0) { $0 + $1.seconds },
                               peakTensorBytes: history.compactMap(\.peakTensorBytes).max() ?? 0,
                               inferenceSecondsPerBatch: test.secondsPerBatch, inferenceBatch: test.batchSize,
                               checkpoint: stage.checkpoint)
        return Run(result: result, system: outcome.system)
    }

    /// Raw results as JSON beside the report (`results.json`).
    func save(_ results: [RunResult]) throws {
        try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(results), to: path(options.output, "results.json"))
    }
}
