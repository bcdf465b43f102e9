import Foundation
import Optics
import Storage
import TensorCore

extension FrameImport {
    /// Writes `m` as a CDP file in the layout `phasemask simulate` writes (docs/formats.md), so
    /// `reconstruct --cdp` reads it: `/cdp` float32 `[1, L, H', W']`, `/mask` float32 `[L, H, W]` (rad),
    /// and `/saturated` uint8 `[1, L, H', W']` (1 = at least one sensor pixel of that grid pixel read
    /// full scale). Attributes of `/cdp` record the source frames and their storage, the dark and flat
    /// frames, the window and bin, the normalization rule and factors and the saturated-pixel count.
    /// Written to a temporary name and renamed into place; nothing is left behind on failure.
    public static func write(_ m: Measurement, options o: Options, masks: Tensor, maskSource: String,
                             oversampling: Int, propagation: Propagation = .farField, to path: String) throws {
        let json = { (value: [String]) in String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }
        var attributes: [(String, String, HDF5Attribute)] = [
            ("/cdp", "units", .string(o.normalization == .none ? "camera counts (dark-subtracted, flat-corrected, binned)"
                                      : "|field|^2, normalized (see normalization)")),
            ("/cdp", "oversampling", .int(oversampling)), ("/cdp", "noise", .string("measured (camera frames)")),
            ("/cdp", "mask_source", .string(maskSource)), ("/cdp", "scene_source", .string(o.frames.joined(separator: ","))),
            ("/cdp", "frame_files", .string(try json(o.frames))), ("/cdp", "frame_storage", .string(try json(m.storage))),
            ("/cdp", "normalization", .string(m.rule)), ("/cdp", "normalization_scale", .doubles(m.scales)),
            ("/cdp", "crop", .ints(m.geometry.crop)), ("/cdp", "bin", .int(m.geometry.bin)),
            ("/cdp", "saturated_pixels", .int(m.saturatedCount)), ("/mask", "units", .string("rad")),
            ("/saturated", "meaning", .string("1: a sensor pixel of this grid pixel read full scale (value is a lower bound)")),
        ]
        if let dark = o.dark { attributes.append(("/cdp", "dark_file", .string(dark))) }
        if let flat = o.flat { attributes.append(("/cdp", "flat_file", .string(flat))) }
        let file = try HDF5File.create(path: path)
        do {
            try file.write(m.cdp, to: "/cdp", requireFinite: true)
            try file.write(masks, to: "/mask", requireFinite: true)
            try file.write(m.saturated, shape: m.cdp.shape, to: "/saturated")
            for (object, name, value) in attributes { try file.setAttribute(name, value, on: object) }
            try SensingAttributes.write(propagation, to: file, on: "/cdp")
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }
}
