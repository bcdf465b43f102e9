import Optics

/// The sensing geometry in the configuration JSON: absent for the far field without padding (so a
/// far-field configuration reads and writes as before 0.4), else the object
///
///     "propagation": {"model": "angular-spectrum" | "fresnel", "pixelPitchMetres": 8e-06,
///                     "wavelengthMetres": 6.33e-07, "distanceMetres": 0.002, "pad": 2}
///
/// in SI units, the unit in each key's name. A value out of range is a decoding error naming it.
extension TrainingConfig {
    struct PropagationRecord: Codable {
        var model: String
        var pixelPitchMetres: Double?
        var wavelengthMetres: Double?
        var distanceMetres: Double?
        var pad: Int?
    }

    static func decodePropagation(_ c: KeyedDecodingContainer<CodingKeys>) throws -> SensingModel {
        guard let r = try c.decodeIfPresent(PropagationRecord.self, forKey: .propagation) else { return .farField }
        do {
            guard let model = Propagation.Model(rawValue: r.model) else {
                throw OpticsError("propagation model must be \(Propagation.Model.allCases.map(\.rawValue).joined(separator: ", ")), got '\(r.model)'")
            }
            var geometry: NearFieldGeometry?
            if model != .farField {
                guard let pitch = r.pixelPitchMetres, let lambda = r.wavelengthMetres, let z = r.distanceMetres else {
                    throw OpticsError("\(r.model) propagation needs pixelPitchMetres, wavelengthMetres and distanceMetres")
                }
                geometry = try NearFieldGeometry(pitch: pitch, wavelength: lambda, distance: z)
            }
            return try SensingModel(oversampling: r.pad ?? 1, propagation: try Propagation(model, geometry))
        } catch let error as OpticsError {
            throw DecodingError.dataCorruptedError(forKey: .propagation, in: c, debugDescription: error.description)
        }
    }

    func encodePropagation(_ c: inout KeyedEncodingContainer<CodingKeys>) throws {
        guard sensing != .farField else { return }
        let g = sensing.propagation.nearField
        try c.encode(PropagationRecord(model: sensing.propagation.model.rawValue, pixelPitchMetres: g?.pitch,
                                       wavelengthMetres: g?.wavelength, distanceMetres: g?.distance, pad: sensing.oversampling),
                     forKey: .propagation)
    }

    /// Problems of the sensing geometry for N×N scenes (`settingsProblems`).
    func sensingProblems() -> [String] {
        let f = sensing.oversampling
        if !(1...NearFieldSampling.maximumPad).contains(f) {
            return ["zero padding must be in 1…\(NearFieldSampling.maximumPad), got \(f)"]
        }
        if sensing.propagation == .farField && f != 1 {
            return ["far-field training uses no zero padding, got \(f) (--pad applies to near-field propagation)"]
        }
        return sensing.samplingProblems(height: size, width: size)
    }
}
