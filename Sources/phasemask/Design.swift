import ArgumentParser
import Foundation
import NeuralNetwork
import Optics
import Pipeline
import TensorCore
import Training

struct Design: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Teacher → distilled single-snapshot student → quantize → fine-tune → export → verify.",
        discussion: """
            Stages live in --work (teacher/, student/, finetune/); a rerun reuses finished stages with the \
            same settings, resumes interrupted ones and retrains stages whose settings changed.
            """)

    @Option(help: "Preset: quick (32×32, minutes), standard (64×64, under an hour), paper (96×96, 120 epochs), tiny (seconds).")
    var preset: Preset = .quick
    @Option(help: "Teacher snapshots L_t.") var snapshots: Int = 9
    @Option(help: "Image size N (default: the preset's).") var size: Int?
    @Option(help: "Teacher epochs (default: the preset's).") var epochs: Int?
    @Option(help: "Student epochs (default: as the teacher).") var studentEpochs: Int?
    @Option(help: "Fine-tuning epochs after quantization.") var finetuneEpochs: Int = 2
    @Option(help: "Training images (default: the preset's).") var trainSize: Int?
    @Option(help: "Test images (default: the preset's).") var testSize: Int?
    @Option(help: "Phase levels K (a power of two for lithography).") var levels: Int = 8
    @Option(help: "SLM phase stroke in units of π.") var stroke: Double = 2
    @Option(help: "Student task weight α.") var alpha: Double = TrainingConfig.defaultStudentAlpha
    @Option(help: "Student CDP-distillation weight β (feature weight is 1 − α − β).") var beta: Double = TrainingConfig.defaultStudentBeta
    @Option(help: "Mask regularizer weight ρ.") var rho: Double = 0
    @Flag(inversion: .prefixedNo, help: "Start the student from the teacher's ψ, θ and first mask.")
    var initFromTeacher = TrainingConfig.defaultStudentWarmStart
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "SLM profile for the bitmap: pluto-2, x13138, slm-200, meadowlark-1920x1152 or a JSON file.")
    var slm: String = "pluto-2"
    @Option(help: "Fabrication design wavelength in metres.") var wavelength: Double = 633e-9
    @Option(help: "Substrate refractive index at that wavelength.") var index: Double = 1.457
    @Option(help: "Fabricated pixel pitch in metres.") var pitch: Double = 8e-6
    @Option(help: dataHelp) var data: [String] = []
    @OptionGroup var scene: SceneModelOptions
    @OptionGroup(title: "Propagation (default: far field)") var optics: PropagationOptions
    @Option(help: "Working directory for the training stages.") var work: String = "runs/design"
    @Option(help: "Output directory for the exported files.") var out: String = "masks"
    @Option(help: "File name stem of the exported files.") var name: String = "phasemask"
    @Option(help: "Global phase of the initialization: aligned, constant-start or random-start (default: aligned).")
    var globalPhase: SpectralInitialization.GlobalPhase?
    @Option(help: "Spectral-initialization weights: truncated or intensity (default: the preset's).") var weighting: WeightingKind?
    @OptionGroup var rate: LearningRateOptions
    @Option(help: "Train every stage under noise: none, gaussian:SNR_DB, poisson:PHOTONS or camera:photons=N,read=E[,well=E][,bits=B].") var noise: String?
    @Option(help: perturbHelp) var perturb: String?
    @Flag(help: "Retrain the teacher even if a finished one exists.") var retrainTeacher = false
    @Option(help: "Compute threads.") var threads: Int = 2

    func validate() throws {
        _ = try noise.map(parseNoise)
        _ = try perturb.map(parsePerturbation)
    }

    func run() throws {
        var o = DesignPipeline.Options()
        o.preset = preset
        var t = TrainingOverrides()
        t.snapshots = snapshots; t.size = size; t.epochs = epochs
        t.trainSize = trainSize; t.testSize = testSize
        t.levels = levels; t.stroke = stroke * Double.pi; t.rho = rho; t.seed = seed
        t.dataSources = try dataSources(data)
        t.sceneModel = try scene.model()
        t.globalPhase = globalPhase; t.weighting = try spectralWeighting(weighting, truncation: nil)
        rate.apply(to: &t); t.noise = try noise.map(parseNoise)
        t.sensing = try optics.sensing()
        t.perturbation = try perturb.map(parsePerturbation)
        o.training = t
        o.studentEpochs = studentEpochs; o.fineTuneEpochs = finetuneEpochs
        o.alpha = alpha; o.beta = beta; o.initFromTeacher = initFromTeacher
        o.slm = slm; o.wavelength = wavelength; o.refractiveIndex = index; o.pitch = pitch
        o.workDirectory = work; o.outputDirectory = out; o.name = name
        o.retrainTeacher = retrainTeacher
        if let problem = o.settingsProblems().first { throw ValidationError(problem) }
        Threading.configure(threads: threads)
        // nil on the ranks other than 0 of an mpirun job: rank 0 exports and reports.
        guard let outcome = try DesignPipeline(options: o, log: { print($0) }).run() else { return }
        print("")
        print(outcome.table)
        if !outcome.verification.passed { throw ExitCode(1) }
    }
}
