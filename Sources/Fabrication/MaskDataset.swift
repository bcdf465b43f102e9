import Foundation
import Storage
import TensorCore

/// A phase mask written by another tool as one HDF5 dataset, named `FILE.h5:/DATASET` on the command line
/// (`phasemask export --mask`, `phasemask simulate --mask`).
///
/// - Shape: `[L, H, W]` (L snapshots) or `[H, W]` (one snapshot, read as `[1, H, W]`); float32 or float64;
///   every value finite.
/// - Units: the dataset's string attribute `units`, case-insensitive: `rad` (also `radian`, `radians`),
///   `deg` (`degree`, `degrees`; × π/180) or `waves` (`wave`; one wave = 2π rad). Without the attribute the
///   values are radians, as in PhaseMask's own files. Any other unit, or a `units` attribute that is not a
///   string, is refused.
///
/// `load` returns the phases in radians `[L, H, W]` and a note for every conversion it made.
public struct MaskDataset: Equatable, Sendable {
    public let path: String
    /// Absolute object path inside the file, e.g. "/phi".
    public let dataset: String

    /// The units a mask dataset may declare, with the factor to radians.
    public enum Unit: String, CaseIterable, Sendable {
        case radians = "rad", degrees = "deg", waves

        /// Radians per stored unit: 1, π/180, 2π.
        public var radiansPerUnit: Double {
            switch self {
            case .radians: return 1
            case .degrees: return Double.pi / 180
            case .waves: return 2 * Double.pi
            }
        }

        /// The unit an attribute value names (trimmed, case-insensitive, singular or plural), or nil.
        public init?(attribute: String) {
            switch attribute.trimmingCharacters(in: .whitespaces).lowercased() {
            case "rad", "radian", "radians": self = .radians
            case "deg", "degree", "degrees": self = .degrees
            case "wave", "waves": self = .waves
            default: return nil
            }
        }
    }

    public init(path: String, dataset: String) {
        self.path = path
        self.dataset = dataset
    }

    /// Parses `FILE:/DATASET` (split at the first ":/").
    public init(parsing spec: String) throws {
        guard let split = spec.range(of: ":/"), split.lowerBound > spec.startIndex else {
            throw FabricationError(spec, "a mask dataset must be given as FILE.h5:/DATASET")
        }
        self.init(path: String(spec[..<split.lowerBound]), dataset: String(spec[spec.index(after: split.lowerBound)...]))
    }

    /// The phases in radians `[L, H, W]`, and notes on the conversions made (units, a 2-D dataset).
    public func load() throws -> (phases: Tensor, notes: [String]) {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let stored = try file.readTensor(dataset, requireFinite: true)
        let unit = try declaredUnit(file)
        var notes: [String] = []
        let phases: Tensor
        switch stored.rank {
        case 3: phases = stored
        case 2:
            phases = stored.reshaped([1] + stored.shape)
            notes.append("\(path): \(dataset) is one 2-D mask \(stored.shape); read as 1 snapshot \(phases.shape)")
        default:
            throw FabricationError(path, "\(dataset) has shape \(stored.shape); a mask is [H, W] (one snapshot) or [L, H, W]")
        }
        guard phases.shape.allSatisfy({ $0 > 0 }) else {
            throw FabricationError(path, "\(dataset) has shape \(stored.shape), with no pixels")
        }
        if let unit, unit != .radians {
            let factor = unit.radiansPerUnit
            for i in 0..<phases.count { phases.pointer[i] = Float(Double(phases.pointer[i]) * factor) }
            let name = unit == .degrees ? "degrees (× π/180)" : "waves (× 2π)"
            notes.append("\(path): \(dataset) is in \(name); converted to radians")
        }
        return (phases, notes)
    }

    /// The unit of the `units` attribute, nil when there is none.
    private func declaredUnit(_ file: HDF5File) throws -> Unit? {
        guard try file.attributeNames(of: dataset).contains("units") else { return nil }
        guard case .string(let text) = try file.attribute("units", of: dataset) else {
            throw FabricationError(path, "\(dataset): the attribute 'units' is not a string; expected rad, deg or waves")
        }
        guard let unit = Unit(attribute: text) else {
            throw FabricationError(path, "\(dataset): units '\(text)' are not a phase unit; expected rad, deg or waves")
        }
        return unit
    }
}
