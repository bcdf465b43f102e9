import Fabrication
import Foundation
import Optics
import Storage

/// How a job settles the sensing geometry when a file records one and the command line may give one
/// too (`--propagation`, `--pixel-pitch-um`, `--wavelength-nm`, `--distance-mm`, `--pad`).
///
/// The recorded geometry wins and an explicit one must agree with it: a design, checkpoint or CDP file
/// was measured (or trained) with one geometry, and using it with another would silently give wrong
/// CDPs or a network that never saw them. A conflicting value is an error naming both; to simulate a
/// design's mask in another geometry, give the mask alone (`--mask DESIGN.h5:/mask/phase`). Files
/// written before 0.4 record the far field (`StoredDesign.sensing`, `TrainingConfig.sensing`).
public enum SensingChoice {
    /// `recorded`, after checking that `explicit` (when given) is the same geometry; `source` names the
    /// file in the error.
    public static func resolve(_ explicit: SensingModel?, recorded: SensingModel, by source: String) throws -> SensingModel {
        guard let explicit, !agree(explicit, recorded) else { return recorded }
        throw FabricationError(source, "was made for the sensing geometry \(recorded); the options ask for \(explicit): "
                               + "drop --propagation and its options to use the recorded geometry, or give the mask alone "
                               + "(FILE.h5:/DATASET) to measure it in another one")
    }

    /// Equal models, near-field lengths compared to 1e-9 relative (a value given in µm, nm or mm and one
    /// read back in metres may differ in the last bit).
    public static func agree(_ a: SensingModel, _ b: SensingModel) -> Bool {
        guard a.oversampling == b.oversampling, a.propagation.model == b.propagation.model else { return false }
        guard let g = a.propagation.nearField, let h = b.propagation.nearField else { return true }
        return [(g.pitch, h.pitch), (g.wavelength, h.wavelength), (g.distance, h.distance)]
            .allSatisfy { abs($0 - $1) <= 1e-9 * max(abs($0), abs($1)) }
    }

    /// The geometry a CDP file records on `/cdp` (its `oversampling` and `SensingAttributes`), nil when it
    /// records none (a file from another tool). A PhaseMask file older than 0.4 records the far field.
    public static func recorded(in file: HDF5File) throws -> SensingModel? {
        guard file.exists("/cdp") else { return nil }
        let names = try file.attributeNames(of: "/cdp")
        guard names.contains("oversampling") else { return nil }
        let propagation = try SensingAttributes.read(from: file, on: "/cdp") ?? .farField
        do {
            return try SensingModel(oversampling: try file.intAttribute("oversampling", of: "/cdp"), propagation: propagation)
        } catch let error as OpticsError {
            throw FabricationError(file.path, "/cdp: \(error.description)")
        }
    }

    /// Throws when the CDP file `file` records a geometry other than `expected` (the masks').
    public static func checkCDPFile(_ file: HDF5File, expected: SensingModel, masks: String) throws {
        guard let stored = try recorded(in: file), !agree(stored, expected) else { return }
        throw FabricationError(file.path, "holds CDPs measured with the sensing geometry \(stored); the masks of \(masks) "
                               + "were made for \(expected)")
    }
}
