import ArgumentParser
import Foundation
import Optics
import Pipeline
import TensorCore

/// `phasemask tolerance`: Monte Carlo of a design's test PSNR under fabrication and display errors.
struct Tolerance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test PSNR of a design under fabrication and display errors (Monte Carlo), ranked by which tolerance matters.",
        discussion: """
            Errors (amplitude: rms, σ for crosstalk): depth-scale (all etch depths or the SLM's phase range, %), \
            layer-depth (each lithography mask's depth, %), misalignment (between lithography masks, um or px), \
            crosstalk (SLM fringing, Gaussian σ in mask pixels, px), lut-gamma (gamma of the phase response, %), \
            wavelength (detuning, nm or %). Default amplitudes: 2,5,10,20% | 0.5,1,2,4um | \
            0.025,0.05,0.1,0.2px | 5,10,20,40nm. Writes OUT/tolerance.csv and OUT/tolerance.png (docs/tolerance.md).
            """)

    @Argument(help: "The exported design (.h5).") var design: String
    @Option(help: "The recovery network: the design's STEM_recovery.h5, or a (fine-tuned) checkpoint.") var model: String
    @Option(help: ArgumentHelp("Score on the test split of these scene sources instead of the model's (repeatable, as for evaluate --data).",
                               valueName: "source"))
    var data: [String] = []
    @Option(help: "Test images.") var testSize: Int = ToleranceJob.defaultTestSize
    @Option(help: "Random draws per error and amplitude (crosstalk has one).") var draws: Int = ToleranceJob.defaultDraws
    @Option(help: "Seed of the draws.") var seed: UInt64 = 0
    @Option(name: .customLong("error"), help: ArgumentHelp(
        "An error to analyse, with amplitudes (units written out), repeatable; default: every error the design can realize.",
        valueName: "kind[=a1,a2,…]"))
    var errors: [String] = []
    @Option(help: "Output folder for tolerance.csv and tolerance.png.") var out: String = "tolerance"
    @Option(help: "Compute threads.") var threads: Int = 2

    func validate() throws {
        guard draws >= 1 else { throw ValidationError("--draws must be at least 1, got \(draws)") }
        guard testSize >= 1 else { throw ValidationError("--test-size must be at least 1, got \(testSize)") }
        _ = try errorSpecs()
    }

    /// `--error KIND[=A1,A2,…]` as the job's specs.
    func errorSpecs() throws -> [ToleranceJob.ErrorSpec] {
        try errors.map { text in
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let kind = MaskPerturbation.Kind(rawValue: parts[0].lowercased()) else {
                throw ValidationError("--error: '\(parts[0])' is not an error; use one of "
                                      + MaskPerturbation.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard parts.count == 2 else { return ToleranceJob.ErrorSpec(kind) }
            let amplitudes = parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if amplitudes.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("--error \(text): an empty amplitude")
            }
            return ToleranceJob.ErrorSpec(kind, amplitudes: amplitudes)
        }
    }

    func run() throws {
        var o = ToleranceJob.Options(design: design, model: model, out: out)
        o.data = try dataSources(data)
        o.testSize = testSize
        o.draws = draws
        o.seed = seed
        o.errors = try errorSpecs()
        o.log = { print($0) }
        Threading.configure(threads: threads)
        let result = try ToleranceJob.run(o)
        print("")
        result.lines.forEach { print($0) }
        print("wrote " + result.files.joined(separator: ", "))
    }
}

/// `--perturb KIND:AMPLITUDE` of train, design and finetune (`MaskPerturbation(parsing:)`).
func parsePerturbation(_ text: String) throws -> MaskPerturbation {
    do { return try MaskPerturbation(parsing: text) } catch { throw ValidationError("--perturb: \(error)") }
}

/// Help of `--perturb`.
let perturbHelp = ArgumentHelp("Train the measuring mask under a random fabrication or display error drawn every step: depth-scale:A%, "
                               + "layer-depth:A%, misalignment:Apx, crosstalk:Apx, lut-gamma:A% or wavelength:A% (docs/tolerance.md).",
                               valueName: "kind:amplitude")
