import Foundation

/// Built-in SLM profiles from published figures, looked up by key or name (case-insensitive).
///
/// Resolution, pitch and bit depth are the vendors' published figures. The 2π gray value depends
/// on the wavelength and on the calibration loaded in the device, so each entry states what it
/// assumes; for a real set-up write a custom JSON profile with the measured value:
///
/// | key | panel | 2π gray / design wavelength | why |
/// |---|---|---|---|
/// | `pluto-2` | Holoeye PLUTO-2, 1920×1080, 8 µm, 8-bit | 256 at 633 nm | Holoeye ships per-wavelength gamma calibrations that spread 2π over all 256 levels; 633 nm is an assumed VIS design wavelength |
/// | `x13138` | Hamamatsu X13138, 1272×1024, 12.5 µm, 8-bit | 218 at 690 nm | the published wavelength-dependent figure (notes: 218 at 690 nm) |
/// | `slm-200` | Santec SLM-200, 1920×1200, 8 µm, 10-bit | 1024 at 633 nm | assumes a calibration spreading 2π over all 1024 levels; 633 nm assumed |
/// | `meadowlark-1920x1152` | Meadowlark 1920×1152, 9.2 µm, 8-bit | 256 at 1064 nm | Meadowlark's per-wavelength LUT maps the 8-bit image range onto 2π; pitch and wavelength as commonly listed for this panel, verify against your datasheet |
///
/// None of these panels is marked inverted; set `"inverted": true` in a custom profile if your
/// device shows zero phase at white.
public enum SLMCatalog {
    /// (key, profile) pairs in a fixed order.
    public static let builtIns: [(key: String, profile: SLMProfile)] = [
        ("pluto-2", make("Holoeye PLUTO-2", 1920, 1080, 8e-6, 8, 256, 633e-9)),
        ("x13138", make("Hamamatsu X13138", 1272, 1024, 12.5e-6, 8, 218, 690e-9)),
        ("slm-200", make("Santec SLM-200", 1920, 1200, 8e-6, 10, 1024, 633e-9)),
        ("meadowlark-1920x1152", make("Meadowlark 1920x1152", 1920, 1152, 9.2e-6, 8, 256, 1064e-9)),
    ]

    /// The built-in profile whose key or full name matches `name`, ignoring case and surrounding
    /// spaces (e.g. `pluto-2`, `PLUTO-2`, `Holoeye PLUTO-2`); nil if none matches.
    public static func profile(named name: String) -> SLMProfile? {
        let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
        return builtIns.first { $0.key == wanted || $0.profile.name.lowercased() == wanted }?.profile
    }

    /// A built-in profile by name, or else a JSON profile file at that path.
    /// The error lists the built-in keys when neither exists.
    public static func resolve(_ nameOrPath: String) throws -> SLMProfile {
        if let p = profile(named: nameOrPath) { return p }
        if FileManager.default.fileExists(atPath: nameOrPath) {
            return try SLMProfile.load(contentsOf: URL(fileURLWithPath: nameOrPath))
        }
        let keys = builtIns.map(\.key).joined(separator: ", ")
        throw FabricationError(nameOrPath, "no built-in SLM profile of that name (\(keys)) and no such JSON file")
    }

    private static func make(_ name: String, _ columns: Int, _ rows: Int, _ pitch: Double, _ bits: Int,
                             _ gray2Pi: Int, _ wavelength: Double) -> SLMProfile {
        // The figures above are valid by construction; a failure here is a programming error.
        try! SLMProfile(name: name, columns: columns, rows: rows, pixelPitch: pitch, bitDepth: bits,
                        gray2Pi: gray2Pi, designWavelength: wavelength)
    }
}
