import Fabrication
import Foundation
import NeuralNetwork
import Optics
import Storage
import TensorCore
import Training

/// `phasemask design`: the whole product in one run.
///
/// teacher (L_t snapshots, E2E) → single-snapshot student distilled from it → quantize φ to K levels →
/// fine-tune ψ, θ to the quantized mask → export (HDF5, SLM frames, preview PNG, lithography + GDSII)
/// → verify the export → a table of test PSNR/SSIM for teacher and student (continuous, quantized,
/// fine-tuned). Every stage lives in `workDirectory/<stage>` and is reused, resumed or retrained as its
/// checkpoint and settings say (`Stage`); a retrained stage retrains the stages after it.
public struct DesignPipeline {
    public struct Options {
        public var preset: Preset = .quick
        /// Settings of every stage laid over the preset (size, epochs, subsets, levels, stroke, ρ, seed,
        /// data, scene model, noise, …). `snapshots` is the teacher's; the student has one. A
        /// `perturbation` trains the student and its fine-tuning only.
        public var training = TrainingOverrides()
        /// Student epochs (nil: as the teacher).
        public var studentEpochs: Int?
        public var fineTuneEpochs = 2
        /// The student recipe: α, β (σ = 1 − α − β) and whether it starts from the teacher.
        public var alpha = TrainingConfig.defaultStudentAlpha
        public var beta = TrainingConfig.defaultStudentBeta
        public var initFromTeacher = TrainingConfig.defaultStudentWarmStart
        public var slm = "pluto-2"
        /// Lithography: design wavelength (m), refractive index, pixel pitch (m).
        public var wavelength = 633e-9
        public var refractiveIndex = 1.457
        public var pitch = 8e-6
        public var workDirectory = "runs/design"
        public var outputDirectory = "masks"
        public var name = "phasemask"
        public var retrainTeacher = false

        public init() {}

        /// The teacher's configuration: the training settings without the perturbation, which only the
        /// single-snapshot design (student and fine-tuning) trains with.
        func teacherConfig() -> TrainingConfig {
            var o = training
            o.perturbation = nil
            return o.config(preset: preset, mode: .teacher)
        }

        func studentConfig(teacherCheckpoint: String) -> TrainingConfig {
            var o = training
            o.snapshots = nil
            o.epochs = studentEpochs ?? training.epochs
            o.alpha = alpha
            o.beta = beta
            o.initFromTeacher = initFromTeacher
            o.teacherCheckpoint = teacherCheckpoint
            return o.config(preset: preset, mode: .student)
        }

        /// Problems with the settings of the stages, each one sentence (`TrainingConfig.settingsProblems`
        /// of teacher and student, and the fine-tuning epochs); empty when every stage can be trained.
        public func settingsProblems() -> [String] {
            var p = teacherConfig().settingsProblems()
            p += studentConfig(teacherCheckpoint: "").settingsProblems().filter { !p.contains($0) }
            if fineTuneEpochs < 1 { p.append("fine-tuning epochs must be at least 1, got \(fineTuneEpochs)") }
            return p
        }
    }

    /// One row of the final table.
    public struct Row: Codable {
        public var system: String
        public var psnr: Double
        public var ssim: Double
    }

    public struct Outcome {
        public var rows: [Row]
        public var files: [String]
        public var verification: VerificationReport
        public var trainingSeconds: Double
        public var wallSeconds: Double

        /// The table a user reads at the end of `phasemask design`.
        public var table: String {
            let width = max(46, (rows.map(\.system.count).max() ?? 0) + 2)
            var lines = ["system".padding(toLength: width, withPad: " ", startingAt: 0) + "test PSNR (dB)   test SSIM",
                         String(repeating: "-", count: width - 2) + "  --------------   ---------"]
            for r in rows {
                lines.append(r.system.padding(toLength: width, withPad: " ", startingAt: 0)
                             + String(format: "%14.2f   %9.4f", r.psnr, r.ssim))
            }
            lines.append("")
            lines.append("verify: " + (verification.passed ? "passed" : "FAILED"))
            lines.append("files:")
            lines += files.map { "  \($0)" }
            lines.append(String(format: "training time %@, wall time %@",
                                ProgressReporter.duration(trainingSeconds), ProgressReporter.duration(wallSeconds)))
            return lines.joined(separator: "\n")
        }
    }

    public let options: Options
    public var log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void) {
        self.options = options
        self.log = log
    }

    /// Runs every stage. Under mpirun every rank trains and evaluates (data parallel); rank 0 alone
    /// exports, verifies and returns the outcome, the other ranks return nil.
    public func run() throws -> Outcome? {
        let started = MonotonicClock.now()
        let work = options.workDirectory
        let teacherStage = Stage(name: "teacher", folder: .designStage("teacher", work: work))
        let studentStage = Stage(name: "student", folder: .designStage("student", work: work))
        let fineTuneStage = Stage(name: "finetune", folder: .designStage("finetune", work: work))
        InterruptFlag.install()

        if let problem = options.settingsProblems().first { throw TrainingError.invalidConfiguration(problem) }
        let teacherConfig = options.teacherConfig()
        // The test scenes first: a missing or unreadable data source stops the run before any training.
        let testScenes = try SceneSplits.testScenes(teacherConfig)
        let teacher = try ensure(teacherStage, teacherConfig, teacher: nil, force: options.retrainTeacher)
        let studentConfig = options.studentConfig(teacherCheckpoint: teacherStage.checkpoint)
        let student = try ensure(studentStage, studentConfig, teacher: teacher.system, force: teacher.trained)
        let fineTune = try fineTuned(student.system, from: studentStage, into: fineTuneStage, force: student.trained)

        let teacherScore = try Evaluation.evaluate(teacher.system, images: testScenes, batchSize: teacherConfig.batchSize)
        let rows = [
            Row(system: "teacher (L = \(teacherConfig.snapshots))", psnr: teacherScore.psnr, ssim: teacherScore.ssim),
            Row(system: "student, continuous mask", psnr: fineTune.result.continuous.psnr, ssim: fineTune.result.continuous.ssim),
            Row(system: "student, quantized (K = \(teacherConfig.levels))", psnr: fineTune.result.quantized.psnr, ssim: fineTune.result.quantized.ssim),
            Row(system: "student, fine-tuned to quantized", psnr: fineTune.result.fineTuned.psnr, ssim: fineTune.result.fineTuned.ssim),
        ] + (try refinedRow(fineTune.system, scenes: testScenes, config: teacherConfig))
        let heldOut = try heldOutRows(teacher: teacher.system, fineTuned: fineTune.system, config: teacherConfig)
        var metrics = fineTune.metrics
        metrics["psnr_teacher_db"] = teacherScore.psnr
        metrics["ssim_teacher"] = teacherScore.ssim

        return try ProcessGroup.current.onRoot {
            let exported = try ExportJob.run(exportOptions(model: fineTuneStage.checkpoint, config: teacherConfig, metrics: metrics))
            log(exported.summary)
            let preview = path(options.outputDirectory, "\(options.name)_preview.png")
            try DesignPreview.write(fineTune.system, scenes: testScenes, to: preview)
            let designFile = path(options.outputDirectory, "\(options.name).h5")
            let report = try VerifyJob.run(file: designFile)
            let trainingSeconds = (teacher.history + student.history + fineTune.history).reduce(0) { $0 + $1.seconds }
            return Outcome(rows: rows + heldOut, files: exported.paths + [preview], verification: report,
                           trainingSeconds: trainingSeconds, wallSeconds: MonotonicClock.now() - started)
        }
    }

    /// The export of the fine-tuned checkpoint `model`: the design's quantization, SLM and lithography,
    /// with `metrics` stored in `/design/metrics`.
    func exportOptions(model: String, config: TrainingConfig, metrics: [String: Double]) -> ExportOptions {
        var export = ExportOptions(out: options.outputDirectory)
        export.model = model
        export.levels = config.levels
        export.stroke = config.stroke
        export.slm = options.slm
        export.wavelength = options.wavelength
        export.refractiveIndex = options.refractiveIndex
        export.pitch = options.pitch
        export.metricsImages = 0
        export.extraMetrics = metrics
        export.data = config.dataDirectory
        export.name = options.name
        return export
    }

    /// The fine-tuned student with its estimates refined by `EstimateRefinement.defaultIterations` of error
    /// reduction (`reconstruct --refine`), for pure-phase scene models; none otherwise.
    func refinedRow(_ student: PhaseRetrievalSystem, scenes: Tensor, config: TrainingConfig) throws -> [Row] {
        guard config.sceneModel.isPurePhase else { return [] }
        let n = EstimateRefinement.defaultIterations
        let r = try Evaluation.evaluate(student, images: scenes, batchSize: config.batchSize, refinement: n)
        return [Row(system: "student, fine-tuned, + \(n) iterations of er", psnr: r.psnr, ssim: r.ssim)]
    }

    /// Test PSNR/SSIM of the teacher and the fine-tuned student on scenes they were not trained on, so
    /// no one mistakes an in-distribution number for a general one: every procedural generator
    /// (`synthetic:smooth,zernike,blobs,polygons,steps`), or FashionMNIST when the design was trained on
    /// procedural scenes (and it is installed). `config.testSize` scenes at the design's size.
    func heldOutRows(teacher: PhaseRetrievalSystem, fineTuned student: PhaseRetrievalSystem, config: TrainingConfig) throws -> [Row] {
        let trainedOnSynthetic = config.effectiveDataSources.contains {
            if case .synthetic = $0.kind { return true } else { return false }
        }
        let source = trainedOnSynthetic ? DataSource(.fashionMNIST(directory: IDXFile.fashionMNISTDirectory))
                                        : DataSource(.synthetic(SyntheticKind.allCases))
        if (try? source.checkAvailable()) == nil { return [] }
        var heldOut = config
        heldOut.setDataSources([source])
        let scenes = try SceneSplits.testScenes(heldOut, log: log)
        let t = try Evaluation.evaluate(teacher, images: scenes, batchSize: config.batchSize)
        let f = try Evaluation.evaluate(student, images: scenes, batchSize: config.batchSize)
        let name = trainedOnSynthetic ? "FashionMNIST" : "synthetic"
        return [Row(system: "teacher on \(name) (held out)", psnr: t.psnr, ssim: t.ssim),
                Row(system: "student, fine-tuned, on \(name) (held out)", psnr: f.psnr, ssim: f.ssim)]
    }

    /// Trains, resumes or reuses a stage (`Stage.run`), logging what it does.
    func ensure(_ stage: Stage, _ config: TrainingConfig, teacher: PhaseRetrievalSystem?, force: Bool) throws -> StageOutcome {
        let outcome = try stage.run(config, teacher: teacher, force: force, announce: { state in
            switch state {
            case .finished: "\(stage.name): reusing \(stage.checkpoint) (finished, same settings)"
            case .stale: "\(stage.name): settings changed or retraining requested; training again"
            case .unfinished: "\(stage.name): resuming \(stage.checkpoint)"
            case .absent: "\(stage.name): training \(config.mode.rawValue), L = \(config.snapshots), \(config.epochs) epochs"
            }
        }, log: log)
        if let test = outcome.test {
            log(String(format: "%@: test PSNR %.2f dB, SSIM %.4f", stage.name, test.psnr, test.ssim))
        }
        return outcome
    }

    /// Fine-tunes the student to its quantized mask (or reuses a finished fine-tuning).
    func fineTuned(_ system: PhaseRetrievalSystem, from student: Stage, into stage: Stage, force: Bool) throws -> FineTuneJob.Outcome {
        let quantization = options.teacherConfig()
        var resume = FileManager.default.fileExists(atPath: stage.checkpoint)
        if resume, let stored = try? Checkpoint.configuration(at: stage.checkpoint),
           stored.levels != quantization.levels || stored.stroke != quantization.stroke {
            log("finetune: quantization settings changed; fine-tuning again")
            resume = false
        }
        resume = ProcessGroup.current.rootDecides(resume)   // under mpirun: what rank 0 found
        if force || !resume {
            _ = try ProcessGroup.current.onRoot { try stage.clear() }
            resume = false
        }
        if resume { log("finetune: continuing or reusing \(stage.checkpoint)") }
        return try FineTuneJob.run(system, source: student.checkpoint, levels: quantization.levels, stroke: quantization.stroke,
                                   epochs: options.fineTuneEpochs, folder: stage.folder, resume: resume, log: log)
    }
}
