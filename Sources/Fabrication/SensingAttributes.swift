import Foundation
import Optics
import Storage

/// The sensing geometry as HDF5 attributes, one spelling for every file that records it: the design
/// file's `/sensing` group and the `/cdp` of a CDP file (`simulate`, `import-frame`).
///
/// | attribute | content |
/// |---|---|
/// | `propagation` | `far-field`, `angular-spectrum` or `fresnel` |
/// | `pixel_pitch_m`, `wavelength_m`, `distance_m` | float64, metres; near field only |
///
/// The zero padding f is stored beside them: `pad` on `/sensing`, `oversampling` on `/cdp`. A file
/// without `propagation` was written before 0.4: the far field.
public enum SensingAttributes {
    /// Writes the attributes of `propagation` on `object`.
    public static func write(_ propagation: Propagation, to file: HDF5File, on object: String) throws {
        try file.setAttribute("propagation", .string(propagation.model.rawValue), on: object)
        guard let g = propagation.nearField else { return }
        for (name, value) in [("pixel_pitch_m", g.pitch), ("wavelength_m", g.wavelength), ("distance_m", g.distance)] {
            try file.setAttribute(name, .double(value), on: object)
        }
    }

    /// The propagation recorded on `object`, nil when it records none (a file older than 0.4). Errors
    /// name the file, the object and the attribute.
    public static func read(from file: HDF5File, on object: String) throws -> Propagation? {
        guard try file.attributeNames(of: object).contains("propagation") else { return nil }
        let name = try file.stringAttribute("propagation", of: object)
        guard let model = Propagation.Model(rawValue: name) else {
            throw FabricationError(file.path, "\(object) propagation '\(name)' is not one of "
                                   + Propagation.Model.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard model != .farField else { return .farField }
        do {
            let g = try NearFieldGeometry(pitch: try file.doubleAttribute("pixel_pitch_m", of: object),
                                          wavelength: try file.doubleAttribute("wavelength_m", of: object),
                                          distance: try file.doubleAttribute("distance_m", of: object))
            return try Propagation(model, g)
        } catch let error as OpticsError {
            throw FabricationError(file.path, "\(object): \(error.description)")
        }
    }
}
