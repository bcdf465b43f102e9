import Fabrication
import Foundation

/// `phasemask verify`: recomputes an exported design's verification CDPs from its stored mask and from
/// its SLM display (and frame files), with the same optics as training.
public enum VerifyJob {
    /// - Parameters:
    ///   - frames: frame files to check; nil means those written beside the design file.
    ///   - tolerance: largest accepted relative CDP error (max-norm per pattern).
    public static func run(file: String, frames: [String]? = nil, tolerance: Double = 1e-5) throws -> VerificationReport {
        let design = try DesignFile.read(path: file)
        guard let v = design.verification else {
            throw FabricationError(file, "no /verification data (exported with --scenes 0?)")
        }
        let simulator = try Simulator(oversampling: v.oversampling)
        let frameFiles = frames ?? DesignVerifier.frameFiles(besides: design)
        return try DesignVerifier.verify(design, frames: frameFiles, tolerance: tolerance, measure: simulator.measure)
    }
}
