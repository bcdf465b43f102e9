import Foundation
import TensorCore

/// CDPs of complex scenes `[B, H, W]` under masks `[L, H, W]` (radians): `[B, L, H', W']`. The
/// product passes the optics' sensing model (`SensingModel(oversampling:).measure`), so export,
/// simulation and verification use exactly the optics of training.
public typealias CDPFunction = (_ scenes: ComplexField, _ masks: Tensor) throws -> Tensor

extension VerificationData {
    /// The CDPs a fresh export must reproduce: `cdp` from the quantized mask, `displayCDP` from the
    /// phases decoded from the SLM frames.
    public static func compute(scenes: ComplexField, export: DesignExport, oversampling: Int,
                               measure: CDPFunction) throws -> VerificationData {
        VerificationData(scenes: scenes, cdp: try measure(scenes, export.quantized.phases),
                         displayCDP: try measure(scenes, try export.displayedPhase()), oversampling: oversampling)
    }
}

/// The outcome of checking a design file against its own verification data.
public struct VerificationReport: CustomStringConvertible {
    /// A named check: the largest relative CDP error, or a count of differing gray values.
    public struct Check {
        public let name: String
        public let relativeError: Double?
        public let differingPixels: Int?
        public let passed: Bool
        /// What the check found, for checks that are neither an error nor a pixel count.
        public let detail: String?

        public init(name: String, relativeError: Double?, differingPixels: Int?, passed: Bool, detail: String? = nil) {
            self.name = name
            self.relativeError = relativeError
            self.differingPixels = differingPixels
            self.passed = passed
            self.detail = detail
        }
    }

    public let checks: [Check]
    public let tolerance: Double

    public init(checks: [Check], tolerance: Double) {
        self.checks = checks
        self.tolerance = tolerance
    }
    public var passed: Bool { checks.allSatisfy(\.passed) }

    /// The largest relative CDP error over all CDP checks.
    public var maxRelativeError: Double { checks.compactMap(\.relativeError).max() ?? 0 }

    public var description: String {
        var lines = checks.map { c -> String in
            let value = c.detail ?? c.relativeError.map { String(format: "max relative error %.3e", $0) }
                ?? "\(c.differingPixels ?? 0) differing gray values"
            return "\(c.passed ? "ok  " : "FAIL") \(c.name): \(value)"
        }
        lines.append(String(format: "%@ (tolerance %.1e, max relative error %.3e)", passed ? "PASSED" : "FAILED",
                            tolerance, maxRelativeError))
        return lines.joined(separator: "\n")
    }
}

public enum DesignVerifier {
    /// Largest per-pattern relative error between CDPs `[B, L, H', W']`: for each (b, ℓ),
    /// max|a − b| / max|b| (0/0 counts as 0), then the maximum over patterns.
    public static func relativeError(_ a: Tensor, _ reference: Tensor) -> Double {
        precondition(a.shape == reference.shape && a.rank == 4, "compare \(a.shape) with \(reference.shape)")
        let n = a.shape[2] * a.shape[3]
        var worst = 0.0
        for p in 0..<(a.shape[0] * a.shape[1]) {
            var diff = 0.0, scale = 0.0
            for i in (p * n)..<((p + 1) * n) {
                diff = max(diff, Double(abs(a.pointer[i] - reference.pointer[i])))
                scale = max(scale, Double(abs(reference.pointer[i])))
            }
            worst = max(worst, scale > 0 ? diff / scale : (diff > 0 ? .infinity : 0))
        }
        return worst
    }

    /// Checks a stored design: re-encoding `/mask/phase` reproduces `/slm/display` exactly; the CDPs
    /// of `/mask/phase` and of the decoded display match `/verification/cdp` and `cdp_display` within
    /// `tolerance`; and each frame file in `frames` (one per snapshot, in order) holds exactly the
    /// display and gives the same CDPs. A display or frame that is the chain with the recorded
    /// corrections twice or without them says so; correction files found at their recorded paths (or
    /// beside the design) must have their recorded checksums and recompute `/slm/correction`; a
    /// `deviceCorrections` file the frames already hold fails as a double correction. Throws if the
    /// file has no verification data.
    public static func verify(_ design: StoredDesign, frames: [String] = [], tolerance: Double = 1e-5,
                              deviceCorrections: [String] = [], measure: CDPFunction) throws -> VerificationReport {
        guard let v = design.verification else {
            throw FabricationError(design.path, "no /verification data to check against")
        }
        var checks: [VerificationReport.Check] = []
        let encoded = try design.chain.encode(design.quantized.phases, source: design.path)
        checks.append(try diagnosed(pixelCheck("/slm/display equals the encoding of /mask/phase", design.displays, encoded),
                                    design.displays, design))
        let maskError = relativeError(try measure(v.scenes, design.quantized.phases), v.cdp)
        checks.append(.init(name: "CDPs of /mask/phase vs /verification/cdp", relativeError: maskError,
                            differingPixels: nil, passed: maskError <= tolerance))
        let shown = try design.chain.decode(design.displays, source: design.path)
        let displayError = relativeError(try measure(v.scenes, shown), v.displayCDP)
        checks.append(.init(name: "CDPs of /slm/display vs /verification/cdp_display", relativeError: displayError,
                            differingPixels: nil, passed: displayError <= tolerance))
        if !frames.isEmpty {
            guard frames.count == design.displays.count else {
                throw FabricationError(design.path, "\(frames.count) frame files given for \(design.displays.count) snapshots")
            }
            let images = try frames.map { try SLMBitmap.read(path: $0, profile: design.profile) }
            checks.append(try diagnosed(pixelCheck("frame files equal /slm/display", images, design.displays), images, design))
            let decoded = try design.chain.decode(images, source: frames[0])
            let fileError = relativeError(try measure(v.scenes, decoded), v.displayCDP)
            checks.append(.init(name: "CDPs of the frame files vs /verification/cdp_display", relativeError: fileError,
                                differingPixels: nil, passed: fileError <= tolerance))
        }
        checks += try correctionFileChecks(design, deviceCorrections: deviceCorrections)
        return VerificationReport(checks: checks, tolerance: tolerance)
    }

    /// The frame files `writeAll` put beside a design file `<dir>/<stem>.h5`: for the first of the
    /// panel's formats (BMP/PNG up to 8 bits, PNG/CSV beyond) whose files exist for every snapshot.
    /// Empty when none is complete.
    public static func frameFiles(besides design: StoredDesign) -> [String] {
        let url = URL(fileURLWithPath: design.path)
        let directory = url.deletingLastPathComponent(), stem = url.deletingPathExtension().lastPathComponent
        let count = design.displays.count
        for format in SLMBitmapFormat.exportFormats(for: design.profile) {
            let paths = (0..<count).map {
                SLMBitmapFormat.framePath(directory: directory, stem: stem, snapshot: $0, of: count, format: format)
            }
            if paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) { return paths }
        }
        return []
    }

    private static func pixelCheck(_ name: String, _ a: [GrayImage], _ b: [GrayImage]) -> VerificationReport.Check {
        var differing = 0
        for (x, y) in zip(a, b) {
            if x.width != y.width || x.height != y.height { differing += max(x.pixels.count, y.pixels.count); continue }
            for (p, q) in zip(x.pixels, y.pixels) where p != q { differing += 1 }
        }
        return .init(name: name, relativeError: nil, differingPixels: differing, passed: differing == 0 && a.count == b.count)
    }
}
