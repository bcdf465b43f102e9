import Fabrication
import Foundation
import Optics
import Training

/// `phasemask verify`: recomputes an exported design's verification CDPs from its stored mask and from
/// its SLM display (and frame files), with the same optics as training.
public enum VerifyJob {
    /// - Parameters:
    ///   - frames: frame files to check; nil means those written beside the design file.
    ///   - tolerance: largest accepted relative CDP error (max-norm per pattern).
    ///   - deviceCorrections: correction files the device or its software adds to every frame itself.
    ///   - sensing: the propagation options, when given: they must be the design's (`SensingChoice`).
    public static func run(file: String, frames: [String]? = nil, tolerance: Double = 1e-5,
                           deviceCorrections: [String] = [], sensing: SensingModel? = nil) throws -> VerificationReport {
        let design = try DesignFile.read(path: file)
        let geometry = try SensingChoice.resolve(sensing, recorded: design.sensing, by: file)
        guard let v = design.verification else {
            throw FabricationError(file, "no /verification data (exported with --scenes 0?)")
        }
        let simulator = try Simulator(oversampling: v.oversampling, propagation: geometry.propagation)
        let frameFiles = frames ?? DesignVerifier.frameFiles(besides: design)
        let report = try DesignVerifier.verify(design, frames: frameFiles, tolerance: tolerance,
                                               deviceCorrections: deviceCorrections, measure: simulator.measure)
        guard let recovery = try recoveryCheck(design) else { return report }
        return VerificationReport(checks: report.checks + [recovery], tolerance: tolerance)
    }

    /// When `<stem>_recovery.h5` lies beside the design: its φ must be the design's `/mask/phase`
    /// (pixels whose circular difference exceeds 1e-5 rad are counted), so a lab never reconstructs
    /// with a network trained for another mask.
    static func recoveryCheck(_ design: StoredDesign) throws -> VerificationReport.Check? {
        let path = RunFolder.recoveryFile(besideDesign: design.path)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let phi = try Checkpoint.load(path).system.masks.value
        let stored = design.quantized.phases
        let name = "\((path as NSString).lastPathComponent) mask equals /mask/phase"
        guard phi.shape == stored.shape else {
            return VerificationReport.Check(name: name + " (shape \(phi.shape) vs \(stored.shape))", relativeError: nil,
                                            differingPixels: stored.count, passed: false)
        }
        var differing = 0
        for i in 0..<phi.count where circularDistance(Double(phi.pointer[i]), Double(stored.pointer[i])) > 1e-5 {
            differing += 1
        }
        return VerificationReport.Check(name: name, relativeError: nil, differingPixels: differing, passed: differing == 0)
    }
}
