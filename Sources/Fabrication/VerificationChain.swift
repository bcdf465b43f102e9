import Foundation
import Optics
import Storage

/// What `verify` says about the corrections of a design: frames that hold a recorded correction twice
/// or not at all, correction files changed since the export, a correction the device applies again.
extension DesignVerifier {
    /// `check` with the reason appended when it failed because the frames `images` are the chain of
    /// the design with its recorded corrections applied twice, or without them: at least 99.9 % of the
    /// pixels within one gray step of that alternative (a correction added in gray values by a lab
    /// script rounds ties differently from one sum in radians).
    static func diagnosed(_ check: VerificationReport.Check, _ images: [GrayImage], _ design: StoredDesign) throws
        -> VerificationReport.Check {
        guard !check.passed, let finding = try correctionDiagnosis(images, design) else { return check }
        return .init(name: check.name + " — " + finding, relativeError: nil, differingPixels: check.differingPixels, passed: false)
    }

    /// "the correction X is applied twice" / "the correction X is missing", or nil.
    static func correctionDiagnosis(_ images: [GrayImage], _ design: StoredDesign) throws -> String? {
        guard let correction = design.chain.correction, images.count == design.displays.count else { return nil }
        let names = correction.records.map(\.file).joined(separator: " + ")
        let total = images.reduce(0) { $0 + $1.pixels.count }
        let encoder = design.encoder, step = 2 * encoder.worstCaseError + 1e-9
        for (factor, finding) in [(2.0, "applied twice"), (0.0, "missing")] {
            let chain = try design.chain.with(correction: PanelCorrection(records: correction.records,
                                                                          phase: correction.phase.map { $0 * factor }))
            let alternative = try chain.encode(design.quantized.phases, source: design.path)
            var differing = 0
            for (a, b) in zip(images, alternative) {
                for (p, q) in zip(a.pixels, b.pixels) where p != q {
                    guard let x = try? encoder.phase(forGray: Int(p)), let y = try? encoder.phase(forGray: Int(q)),
                          circularDistance(x, y) <= step else { differing += 1; continue }
                }
            }
            if differing * 1000 <= total { return "the correction \(names) is \(finding)" }
        }
        return nil
    }

    /// One check per recorded correction file found (at its recorded path or beside the design):
    /// its checksum is the recorded one, and, when every file is found, their maps recompute
    /// `/slm/correction`. `deviceCorrections`: files the device or its software adds to every frame;
    /// one that the frames already hold (same checksum) fails as a double correction.
    public static func correctionFileChecks(_ design: StoredDesign, deviceCorrections: [String] = []) throws
        -> [VerificationReport.Check] {
        let records = design.chain.correction?.records ?? []
        var checks: [VerificationReport.Check] = []
        var found: [CorrectionFile] = []
        let folder = URL(fileURLWithPath: design.path).deletingLastPathComponent()
        for r in records {
            let candidates = [r.path, folder.appendingPathComponent(r.file).path]
            guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else { continue }
            let sum = try SHA256.hex(ofFile: path)
            let same = sum == r.sha256
            checks.append(.init(name: "correction \(r.file) is the file exported with", relativeError: nil, differingPixels: nil,
                                passed: same, detail: same ? "sha256 \(sum.prefix(12))…"
                                    : "\(path) has sha256 \(sum.prefix(12))…, the design recorded \(r.sha256.prefix(12))…"))
            if same { found.append(CorrectionFile(path: path, kind: r.kind, gray2Pi: r.gray2Pi, wavelength: r.wavelength)) }
        }
        if let stored = design.chain.correction, !records.isEmpty, found.count == records.count {
            let again = try PanelCorrection.load(found, profile: design.profile, wavelength: design.chain.wavelength)
            let worst = zip(again.phase, stored.phase).map { abs($0 - $1) }.max() ?? 0
            checks.append(.init(name: "correction files recompute /slm/correction", relativeError: nil, differingPixels: nil,
                                passed: worst <= 1e-9, detail: String(format: "max difference %.3e rad", worst)))
        }
        for path in deviceCorrections {
            let sum = try SHA256.hex(ofFile: path)
            let name = (path as NSString).lastPathComponent
            if let twice = records.first(where: { $0.sha256 == sum }) {
                checks.append(.init(name: "device correction \(name)", relativeError: nil, differingPixels: nil, passed: false,
                                    detail: "applied twice: the frames already hold it (exported with \(twice.file)) and the device "
                                        + "adds it again; remove it from the device or export without --correction"))
            } else {
                checks.append(.init(name: "device correction \(name)", relativeError: nil, differingPixels: nil, passed: true,
                                    detail: "not in the frames (the design records \(records.isEmpty ? "no correction" : records.map(\.file).joined(separator: ", ")))"))
            }
        }
        return checks
    }
}

extension DisplayChain {
    /// The same chain with another correction (nil: none).
    public func with(correction: PanelCorrection?) throws -> DisplayChain {
        try DisplayChain(layout: layout, encoder: encoder, carrier: carrier, correction: correction, wavelength: wavelength,
                         compression: compression)
    }
}
