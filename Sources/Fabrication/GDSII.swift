import Foundation
import Storage

/// A point in GDSII database units.
public struct GDSPoint: Equatable, Hashable, Sendable {
    public var x: Int32
    public var y: Int32
    public init(_ x: Int32, _ y: Int32) { self.x = x; self.y = y }
}

/// A closed polygon (BOUNDARY element): the first point is repeated as the last.
public struct GDSBoundary: Equatable, Sendable {
    public var layer: Int16
    public var datatype: Int16
    public var points: [GDSPoint]
    public init(layer: Int16, datatype: Int16 = 0, points: [GDSPoint]) {
        self.layer = layer; self.datatype = datatype; self.points = points
    }

    /// The closed axis-aligned rectangle [x0, x1] × [y0, y1], counter-clockwise from (x0, y0).
    public static func rectangle(layer: Int16, x0: Int32, y0: Int32, x1: Int32, y1: Int32) -> GDSBoundary {
        GDSBoundary(layer: layer, points: [GDSPoint(x0, y0), GDSPoint(x1, y0), GDSPoint(x1, y1),
                                           GDSPoint(x0, y1), GDSPoint(x0, y0)])
    }
}

/// A cell (structure) holding boundaries.
public struct GDSStructure: Equatable, Sendable {
    public var name: String
    public var boundaries: [GDSBoundary]
    public init(name: String, boundaries: [GDSBoundary]) { self.name = name; self.boundaries = boundaries }
}

/// A GDSII library. The units record holds the database unit in user units and in metres; the
/// defaults are database unit 1 nm, user unit 1 µm.
public struct GDSLibrary: Equatable, Sendable {
    public var name: String
    public var databaseUnitInUserUnits: Double
    public var databaseUnitInMetres: Double
    public var structures: [GDSStructure]
    public init(name: String, structures: [GDSStructure],
                databaseUnitInUserUnits: Double = 1e-3, databaseUnitInMetres: Double = 1e-9) {
        self.name = name
        self.structures = structures
        self.databaseUnitInUserUnits = databaseUnitInUserUnits
        self.databaseUnitInMetres = databaseUnitInMetres
    }
}

/// GDSII stream format constants: record types (high byte) and data types (low byte) of the
/// 16-bit record tag that follows each record's 16-bit total length (header included), big-endian.
enum GDSRecord: UInt8 {
    case header = 0x00, bgnlib = 0x01, libname = 0x02, units = 0x03, endlib = 0x04
    case bgnstr = 0x05, strname = 0x06, endstr = 0x07, boundary = 0x08
    case path = 0x09, sref = 0x0A, aref = 0x0B, text = 0x0C, layer = 0x0D, datatype = 0x0E
    case xy = 0x10, endel = 0x11, node = 0x15, propattr = 0x2B, propvalue = 0x2C, box = 0x2D
    case elflags = 0x26, plex = 0x2F
}

enum GDSDataType: UInt8 {
    case none = 0, bitArray = 1, int16 = 2, int32 = 3, real4 = 4, real8 = 5, ascii = 6
}

/// GDSII 8-byte reals: sign bit, 7-bit exponent of 16 in excess-64, 56-bit mantissa m with
/// value = ±(m / 2^56) · 16^(exponent − 64) and, when normalized, 1/16 ≤ m/2^56 < 1. Zero is all zero bits.
public enum GDSReal {
    /// Encodes a finite value; exact for every Double whose magnitude lies in 16^−64…16^63.
    public static func encode(_ value: Double) -> UInt64? {
        guard value.isFinite else { return nil }
        if value == 0 { return 0 }
        var m = abs(value)
        var exponent = 64
        while m >= 1 { m /= 16; exponent += 1 }        // division by 16 is exact in binary
        while m < 1.0 / 16 { m *= 16; exponent -= 1 }
        var mantissa = UInt64((m * 0x1p56).rounded())
        if mantissa >= 1 << 56 { mantissa >>= 4; exponent += 1 }
        guard (0...127).contains(exponent) else { return nil }
        let sign: UInt64 = value < 0 ? 1 << 63 : 0
        return sign | UInt64(exponent) << 56 | mantissa
    }

    public static func decode(_ bits: UInt64) -> Double {
        let mantissa = bits & 0x00FF_FFFF_FFFF_FFFF
        let exponent = Int((bits >> 56) & 0x7F) - 64
        let magnitude = Double(mantissa) * 0x1p-56 * pow(16.0, Double(exponent))
        return bits >> 63 == 1 ? -magnitude : magnitude
    }
}

/// Writes GDSII stream files (version 600).
public enum GDSWriter {
    /// The classic limits: structure and library names ≤ 32 characters from A–Z a–z 0–9 _ ? $;
    /// one XY record holds at most 8191 points; boundaries need ≥ 4 points, closed.
    public static func encode(_ library: GDSLibrary, date: Date = Date()) throws -> Data {
        var out = Data()
        let stamp = timestamp(date)
        record(&out, .header, .int16, int16s: [600])
        record(&out, .bgnlib, .int16, int16s: stamp + stamp)
        try record(&out, .libname, name: library.name)
        guard let u = GDSReal.encode(library.databaseUnitInUserUnits),
              let m = GDSReal.encode(library.databaseUnitInMetres) else {
            throw FabricationError("GDSII library \(library.name)", "units are not representable")
        }
        record(&out, .units, .real8, payload: bigEndian(u) + bigEndian(m))
        for structure in library.structures {
            record(&out, .bgnstr, .int16, int16s: stamp + stamp)
            try record(&out, .strname, name: structure.name)
            for b in structure.boundaries { try boundary(&out, b, in: structure.name) }
            record(&out, .endstr, .none, payload: [])
        }
        record(&out, .endlib, .none, payload: [])
        return out
    }

    /// Encodes and writes `library` to `url` through `AtomicFile` (temporary name, then rename).
    public static func write(_ library: GDSLibrary, to url: URL, date: Date = Date()) throws {
        try AtomicFile.write(try encode(library, date: date), to: url.path)
    }

    private static func boundary(_ out: inout Data, _ b: GDSBoundary, in structure: String) throws {
        guard b.points.count >= 4, b.points.count <= 8191, b.points.first == b.points.last else {
            throw FabricationError("GDSII structure \(structure)",
                                   "a boundary needs 4…8191 points with the first repeated last, got \(b.points.count)")
        }
        record(&out, .boundary, .none, payload: [])
        record(&out, .layer, .int16, int16s: [b.layer])
        record(&out, .datatype, .int16, int16s: [b.datatype])
        var xy: [UInt8] = []
        xy.reserveCapacity(8 * b.points.count)
        for p in b.points { xy += bigEndian(UInt32(bitPattern: p.x)) + bigEndian(UInt32(bitPattern: p.y)) }
        record(&out, .xy, .int32, payload: xy)
        record(&out, .endel, .none, payload: [])
    }

    private static func record(_ out: inout Data, _ type: GDSRecord, name: String) throws {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_?$")
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ allowed.contains($0) }) else {
            throw FabricationError("GDSII name '\(name)'", "names need 1…32 characters from A–Z a–z 0–9 _ ? $")
        }
        var bytes = Array(name.utf8)
        if bytes.count % 2 == 1 { bytes.append(0) }
        record(&out, type, .ascii, payload: bytes)
    }

    private static func record(_ out: inout Data, _ type: GDSRecord, _ dataType: GDSDataType, int16s: [Int16]) {
        record(&out, type, dataType, payload: int16s.flatMap { bigEndian(UInt16(bitPattern: $0)) })
    }

    private static func record(_ out: inout Data, _ type: GDSRecord, _ dataType: GDSDataType, payload: [UInt8]) {
        out.append(contentsOf: bigEndian(UInt16(4 + payload.count)))
        out.append(type.rawValue)
        out.append(dataType.rawValue)
        out.append(contentsOf: payload)
    }

    /// Year (full), month, day, hour, minute, second in UTC.
    private static func timestamp(_ date: Date) -> [Int16] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return [c.year, c.month, c.day, c.hour, c.minute, c.second].map { Int16($0 ?? 0) }
    }
}

func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}
