import Foundation
import Optics
import Storage

extension DisplayChain {
    /// The order `DisplayChain` composes a frame in, as stored in design files.
    public static let composition = "gray = LUT(kappa * wrap(phi + carrier + correction)), per panel pixel"
}

/// The display chain's part of a design file (`/slm/display` attributes and `/slm/correction`, see
/// `DesignFile`).
extension DesignFile {
    static func writeChain(_ export: DesignExport, _ file: HDF5File) throws {
        let chain = export.chain, object = "/slm/display"
        var attributes: [(String, HDF5Attribute)] = [
            ("composition", .string(DisplayChain.composition)),
            ("carrier", .string(chain.carrier?.description ?? "none")),
            ("operating_wavelength_m", .double(chain.wavelength)),
            ("phase_compression", .double(chain.compression)),
        ]
        if let r = export.response {
            attributes += [("stroke_policy", .string(r.policy.rawValue)), ("stroke_at_wavelength_rad", .double(r.stroke)),
                           ("response_scale", .double(r.scale))]
        }
        attributes += [("phase_error_rms_rad", .double(export.displayPhaseError.rms)),
                       ("phase_error_max_rad", .double(export.displayPhaseError.max))]
        if let e = export.carrierEfficiency {
            attributes += [("carrier_efficiency", .double(e.total)), ("carrier_efficiency_levels", .double(e.levels)),
                           ("carrier_efficiency_aperture", .double(e.aperture))]
        }
        for (name, value) in attributes { try file.setAttribute(name, value, on: object) }
        guard let correction = chain.correction else { return }
        let p = chain.layout.profile
        try file.write(correction.phase, shape: [p.rows, p.columns], to: "/slm/correction", requireFinite: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.setAttribute("units", .string("rad"), on: "/slm/correction")
        try file.setAttribute("files_json", .string(String(decoding: try encoder.encode(correction.records), as: UTF8.self)),
                              on: "/slm/correction")
        try file.setAttribute("order", .string(DisplayChain.composition), on: "/slm/correction")
    }

    /// The chain a design was exported with; files written before 0.3 have none of its attributes and
    /// read as the plain chain.
    static func readChain(_ file: HDF5File, _ path: String, layout: SLMLayout, encoder: GrayEncoder) throws -> DisplayChain {
        let object = "/slm/display"
        let names = Set(try file.attributeNames(of: object))
        guard names.contains("composition") else { return DisplayChain(layout: layout, encoder: encoder) }
        let stored = try file.stringAttribute("composition", of: object)
        guard stored == DisplayChain.composition else {
            throw FabricationError(path, "\(object) composition '\(stored)' is not the order this build applies (\(DisplayChain.composition))")
        }
        let carrierText = try file.stringAttribute("carrier", of: object)
        let carrier: Carrier?
        do {
            carrier = carrierText == "none" ? nil : try Carrier(parsing: carrierText, option: "\(object) carrier")
        } catch let error as FabricationError {
            throw FabricationError(path, error.description)
        }
        var correction: PanelCorrection?
        if file.exists("/slm/correction") {
            let p = layout.profile
            let phase = try file.read(Double.self, "/slm/correction", shape: [p.rows, p.columns], requireFinite: true).values
            let json = try file.stringAttribute("files_json", of: "/slm/correction")
            guard let records = try? JSONDecoder().decode([PanelCorrection.Record].self, from: Data(json.utf8)) else {
                throw FabricationError(path, "/slm/correction files_json is not a list of correction records")
            }
            correction = PanelCorrection(records: records, phase: phase)
        }
        do {
            return try DisplayChain(layout: layout, encoder: encoder, carrier: carrier, correction: correction,
                                    wavelength: try file.doubleAttribute("operating_wavelength_m", of: object),
                                    compression: try file.doubleAttribute("phase_compression", of: object))
        } catch let error as FabricationError {
            throw FabricationError(path, "\(object): \(error.description)")
        }
    }
}
