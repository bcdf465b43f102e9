import Fabrication
import Foundation
import Storage

/// `phasemask export --test-pattern …`: native-resolution frames that check a panel's orientation, bit
/// depth and 2π gray value (`TestPattern`), through the same gray mapping and corrections as a design.
public enum TestPatternJob {
    public struct Outcome {
        public let lines: [String]
        public let paths: [String]
        public var summary: String { (lines + paths.map { "wrote \($0)" }).joined(separator: "\n") }
    }

    /// Uses `slm`, `lut`, `corrections`, `out`, `name` of `options`; refuses a mask, a model or a
    /// carrier (a test pattern is shown as it is).
    public static func run(_ patterns: [String], options: ExportOptions) throws -> Outcome {
        guard options.model == nil, options.mask == nil else {
            throw PipelineError("--test-pattern writes panel checks instead of a design; give it without --model and --mask")
        }
        guard options.carrier == nil else {
            throw PipelineError("--carrier does not apply to --test-pattern (the patterns are shown without a carrier)")
        }
        let chosen = try patterns.map { try TestPattern(parsing: $0) }
        let profile = try SLMCatalog.resolve(options.slm)
        let table = try options.lut.map { try PhaseLUT.load(path: $0, maxGray: profile.maxGray) }
        let response = try options.operatingWavelength.map {
            try PhaseResponse(profile: profile, lut: table, wavelength: $0, policy: options.strokePolicy)
        }
        let encoder = try response?.encoder ?? table.map { try GrayEncoder(profile: profile, lut: $0) } ?? GrayEncoder(profile: profile)
        var lines: [String] = response.map { [$0.summary] } ?? []
        var correction: PanelCorrection?
        if !options.corrections.isEmpty {
            let files = try options.corrections.map { try CorrectionFile(parsing: $0) }
            correction = try PanelCorrection.load(files, profile: profile,
                                                  wavelength: options.operatingWavelength ?? profile.designWavelength) {
                lines.append("note: \($0)")
            }
        }
        lines.append("SLM \(profile.name): \(profile.columns)×\(profile.rows) pixels, \(profile.bitDepth)-bit, 2π at gray "
                     + "\(profile.gray2Pi)\(profile.inverted ? ", inverted" : "")"
                     + (correction.map { " + correction " + $0.records.map(\.file).joined(separator: ", ") } ?? ""))
        for pattern in chosen { lines.append("\(pattern.rawValue): \(pattern.description(profile: profile, encoder: encoder))") }
        let frameBytes = profile.rows * profile.columns * chosen.count
        let lock = try DirectoryLock(directory: options.out, reserving: 4 * frameBytes + (1 << 20))
        defer { withExtendedLifetime(lock) {} }
        do {
            let paths = try TestPattern.writeAll(chosen, profile: profile, encoder: encoder, correction: correction,
                                                 compression: response?.compression ?? 1, to: URL(fileURLWithPath: options.out), stem: options.name)
            return Outcome(lines: lines, paths: paths)
        } catch {
            lock.removeFolderIfUnused()
            throw error
        }
    }
}
