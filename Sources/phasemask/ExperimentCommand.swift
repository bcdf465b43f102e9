import ArgumentParser
import Foundation
import NeuralNetwork
import Pipeline
import TensorCore
import Training

struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Reproduce the paper's study: KD ablation over seeds, snapshot sweeps, reconstructions, costs → report.md.")

    @Option(help: "Preset: quick, standard, paper or tiny.") var preset: Preset = .quick
    @Option(help: "Seeds, comma-separated (default 0,1,2).") var seeds: String = "0,1,2"
    @Option(help: "Teacher snapshot counts for Figures 2 and 3, comma-separated.") var teacherSnapshots: String = "1,3,5,7,9"
    @Option(help: "Seeds that run the snapshot sweep (default: all seeds).") var sweepSeeds: String?
    @Option(help: "Teacher snapshots for Table 1.") var mainTeacher: Int = 9
    @Option(help: "Epochs per run (default: the preset's).") var epochs: Int?
    @Option(help: "Training images (default: the preset's).") var trainSize: Int?
    @Option(help: "Test images (default: the preset's).") var testSize: Int?
    @OptionGroup var rate: LearningRateOptions
    @Option(help: "Student task weight α.") var alpha: Double = TrainingConfig.defaultStudentAlpha
    @Option(help: "Student CDP-distillation weight β.") var beta: Double = TrainingConfig.defaultStudentBeta
    @Flag(inversion: .prefixedNo, help: "Start students from the teacher's ψ, θ and first mask.")
    var initFromTeacher = TrainingConfig.defaultStudentWarmStart
    @Option(help: dataHelp) var data: [String] = []
    @OptionGroup var scene: SceneModelOptions
    @OptionGroup(title: "Propagation (default: far field)") var optics: PropagationOptions
    @Option(help: "Output folder (report.md, figures, results.json, runs/).") var out: String = "experiment"
    @Option(help: "Compute threads.") var threads: Int = 2

    func parseList<T>(_ text: String, _ name: String, _ make: (Substring) -> T?) throws -> [T] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces)[...] }
        let values = items.compactMap(make)
        guard !values.isEmpty, values.count == items.count else {
            throw ValidationError("--\(name) must be a comma-separated list of numbers, got '\(text)'")
        }
        return values
    }

    func run() throws {
        var o = Experiment.Options()
        o.preset = preset
        o.seeds = try parseList(seeds, "seeds") { UInt64($0) }
        o.teacherSnapshots = try parseList(teacherSnapshots, "teacher-snapshots") { Int($0) }.filter { $0 >= 1 }
        o.sweepSeeds = try sweepSeeds.map { try parseList($0, "sweep-seeds") { UInt64($0) } }
        o.mainTeacherSnapshots = mainTeacher
        o.training.epochs = epochs; o.training.trainSize = trainSize; o.training.testSize = testSize
        rate.apply(to: &o.training)
        o.training.dataSources = try dataSources(data)
        o.training.sceneModel = try scene.model()
        o.training.sensing = try optics.sensing()
        o.alpha = alpha; o.beta = beta; o.initFromTeacher = initFromTeacher
        o.output = out
        if let problem = o.settingsProblems().first { throw ValidationError(problem) }
        Threading.configure(threads: threads)
        // Under mpirun the runs are spread over the ranks; each rank logs its own, rank 0 writes the report.
        let prefix = MPIRanks.logPrefix
        let results = try Experiment(options: o) { print(prefix + $0) }.run()
        guard ProcessGroup.current.isRoot else { return }
        let command = (["phasemask"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let files = try ProcessGroup.alone { try ExperimentReport(options: o, results: results, command: command).write() }
        files.forEach { print("wrote \($0)") }
    }
}
