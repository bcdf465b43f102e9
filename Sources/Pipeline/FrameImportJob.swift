import Fabrication
import Foundation
import Optics
import TensorCore

/// `phasemask import-frame`: camera frames of one scene → a CDP file `reconstruct --cdp` reads, on the
/// grid of the design (`--mask`) or checkpoint (`--model`); see `FrameImport` for every step.
public enum FrameImportJob {
    /// Imports `options.frames` and writes the CDP file `out` (nothing is written when any input is
    /// refused). Returns the import.
    @discardableResult
    public static func run(_ options: FrameImport.Options, mask: String?, model: String?, out: String,
                           sensing: SensingModel? = nil, log: (String) -> Void = { _ in }) throws -> FrameImport.Measurement {
        let setup = try MeasurementSetup.load(mask: mask, model: model, sensing: sensing, log: log)
        guard options.frames.count == setup.snapshots else {
            throw FabricationError(options.frames.first ?? "frames", "\(options.frames.count) frame(s) given; the masks of "
                                   + "\(setup.maskSource) have \(setup.snapshots) snapshot(s): give one frame per snapshot, in order")
        }
        let m = try FrameImport.measure(options, sceneHeight: setup.height, sceneWidth: setup.width,
                                        oversampling: setup.oversampling, centred: setup.sensing.propagation == .farField)
        try FrameImport.write(m, options: options, masks: setup.masks, maskSource: setup.maskSource,
                              oversampling: setup.oversampling, propagation: setup.sensing.propagation, to: out)
        return m
    }

    /// One line saying what the import did: frames, storage, window, bin, saturated pixels.
    public static func summary(_ m: FrameImport.Measurement) -> String {
        let kinds = Array(Set(m.storage)).sorted().joined(separator: "; ")
        return "\(m.storage.count) frame(s) (\(kinds)), window \(m.geometry.crop.map(String.init).joined(separator: ",")) "
            + "binned \(m.geometry.bin)×\(m.geometry.bin) to \(m.geometry.gridWidth)×\(m.geometry.gridHeight), "
            + "\(m.saturatedCount) saturated pixel(s)"
    }
}
