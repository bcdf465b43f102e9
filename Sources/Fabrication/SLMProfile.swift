import Foundation

/// A phase-only spatial light modulator as far as export needs it.
///
/// JSON form (all keys required except `inverted`, which defaults to false):
/// ```json
/// {"name": "My SLM", "columns": 1920, "rows": 1080, "pixelPitch": 8e-6, "bitDepth": 8,
///  "gray2Pi": 256, "designWavelength": 633e-9, "inverted": false}
/// ```
/// - `pixelPitch` and `designWavelength` are in metres.
/// - `gray2Pi` is the gray value whose phase is 2π at `designWavelength` (so it shows the same as
///   gray 0). It may be at most 2^bitDepth: `gray2Pi = 2^bitDepth` means the whole gray range
///   0…maxGray spans 2π·maxGray/2^bitDepth (the usual "256 levels per 2π" calibration); a smaller
///   value means the panel has stroke to spare and grays above `gray2Pi` are not used.
/// - `inverted`: the panel shows zero phase at the *top* gray value; the exporter then writes
///   `maxGray − gray` (see `GrayEncoder`).
public struct SLMProfile: Codable, Equatable, Sendable {
    public var name: String
    /// Panel width in pixels (bitmap columns).
    public var columns: Int
    /// Panel height in pixels (bitmap rows).
    public var rows: Int
    /// Pixel pitch in metres.
    public var pixelPitch: Double
    /// Bits per gray value, 1…16.
    public var bitDepth: Int
    /// Gray value giving 2π at `designWavelength`, in 2…2^bitDepth.
    public var gray2Pi: Int
    /// Wavelength (metres) at which `gray2Pi` was calibrated.
    public var designWavelength: Double
    /// True when the panel shows zero phase at `maxGray` (gray values are written reversed).
    public var inverted: Bool

    public init(name: String, columns: Int, rows: Int, pixelPitch: Double, bitDepth: Int, gray2Pi: Int,
                designWavelength: Double, inverted: Bool = false) throws {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.pixelPitch = pixelPitch
        self.bitDepth = bitDepth
        self.gray2Pi = gray2Pi
        self.designWavelength = designWavelength
        self.inverted = inverted
        try validate(source: "profile \(name)")
    }

    /// Largest panel side accepted, in pixels (panels on the market have at most about 4k × 2.4k).
    public static let maximumSide = 16_384

    /// Largest gray value the panel accepts, 2^bitDepth − 1.
    public var maxGray: Int { (1 << bitDepth) - 1 }

    enum CodingKeys: String, CodingKey {
        case name, columns, rows, pixelPitch, bitDepth, gray2Pi, designWavelength, inverted
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        columns = try c.decode(Int.self, forKey: .columns)
        rows = try c.decode(Int.self, forKey: .rows)
        pixelPitch = try c.decode(Double.self, forKey: .pixelPitch)
        bitDepth = try c.decode(Int.self, forKey: .bitDepth)
        gray2Pi = try c.decode(Int.self, forKey: .gray2Pi)
        designWavelength = try c.decode(Double.self, forKey: .designWavelength)
        inverted = try c.decodeIfPresent(Bool.self, forKey: .inverted) ?? false
    }

    /// Throws a `FabricationError` naming `source` and the first impossible field.
    public func validate(source: String) throws {
        func fail(_ field: String, _ why: String) -> FabricationError {
            FabricationError(source, "field '\(field)' \(why)")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("name", "is empty") }
        let limit = Self.maximumSide
        guard (1...limit).contains(columns) else { throw fail("columns", "must be a pixel count in 1…\(limit), got \(columns)") }
        guard (1...limit).contains(rows) else { throw fail("rows", "must be a pixel count in 1…\(limit), got \(rows)") }
        guard pixelPitch.isFinite, pixelPitch > 0 else {
            throw fail("pixelPitch", "must be a positive length in metres, got \(pixelPitch)")
        }
        guard (1...16).contains(bitDepth) else { throw fail("bitDepth", "must be in 1…16, got \(bitDepth)") }
        guard gray2Pi >= 2, gray2Pi <= 1 << bitDepth else {
            throw fail("gray2Pi", "must be in 2…\(1 << bitDepth) for \(bitDepth)-bit gray values, got \(gray2Pi)")
        }
        guard designWavelength.isFinite, designWavelength > 0 else {
            throw fail("designWavelength", "must be a positive length in metres, got \(designWavelength)")
        }
    }
}

extension SLMProfile {
    /// Parses and validates a profile from JSON text; `source` (a file name) appears in errors.
    public static func parse(json: Data, source: String) throws -> SLMProfile {
        try checkSyntaxAndIntegers(json, source: source)
        let profile: SLMProfile
        do {
            profile = try JSONDecoder().decode(SLMProfile.self, from: json)
        } catch let DecodingError.keyNotFound(key, _) {
            throw FabricationError(source, "missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(type, context) {
            let field = fieldName(context)
            throw FabricationError(source, field.isEmpty ? "a profile is a JSON object {\"name\": …, \"columns\": …}"
                                                         : "field '\(field)' must be \(describe(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw FabricationError(source, "field '\(fieldName(context))' is null, expected \(describe(type))")
        } catch let DecodingError.dataCorrupted(context) {
            let field = fieldName(context)
            let detail = jsonDetail(context)
            throw FabricationError(source, field.isEmpty ? "not valid JSON (\(detail))" : "field '\(field)' is not valid (\(detail))")
        } catch {
            throw FabricationError(source, "cannot read the SLM profile: \(error)")
        }
        try profile.validate(source: source)
        return profile
    }

    /// Reads a profile from a JSON file.
    public static func load(contentsOf url: URL) throws -> SLMProfile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FabricationError(url.path, "cannot read the SLM profile (\(error.localizedDescription))")
        }
        return try parse(json: data, source: url.path)
    }

    /// The profile as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Separates "not JSON at all" from "a number where an integer belongs", which JSONDecoder reports
    /// alike; the decoder then handles missing keys and wrong types.
    private static func checkSyntaxAndIntegers(_ json: Data, source: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey].map { " (\($0))" } ?? ""
            throw FabricationError(source, "not valid JSON\(reason)")
        }
        guard let fields = object as? [String: Any] else {
            throw FabricationError(source, "a profile is a JSON object {\"name\": …, \"columns\": …}")
        }
        for key in [CodingKeys.columns, .rows, .bitDepth, .gray2Pi].map(\.stringValue) {
            guard let number = fields[key] as? NSNumber, !(fields[key] is Bool) else { continue }
            let value = number.doubleValue
            guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else {
                throw FabricationError(source, "field '\(key)' must be an integer, got \(number)")
            }
        }
    }

    /// The decoder's reason, with the parser's underlying message when there is one, on one line.
    private static func jsonDetail(_ context: DecodingError.Context) -> String {
        var text = context.debugDescription
        if let underlying = context.underlyingError { text += " " + String(describing: underlying) }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func fieldName(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}
