import Foundation

/// Reads the GDSII subset `GDSWriter` produces: one library of structures holding BOUNDARY elements.
///
/// Every record's length is checked against the bytes that remain and against its data type before
/// it is read, so a truncated or corrupted file gives a `FabricationError` naming `source` and the
/// byte offset, never a crash. Records that carry no geometry (REFLIBS, FONTS, ELFLAGS, PLEX,
/// properties, …) are skipped; other element kinds (PATH, SREF, AREF, TEXT, NODE, BOX) are rejected
/// as unsupported. Anything after ENDLIB (block padding) is ignored.
public struct GDSReader {
    private let bytes: [UInt8]
    private let source: String
    private var position = 0

    struct Record {
        let type: UInt8
        let dataType: UInt8
        let payload: ArraySlice<UInt8>
        let offset: Int
    }

    public static func read(_ data: Data, source: String) throws -> GDSLibrary {
        var reader = GDSReader(bytes: [UInt8](data), source: source)
        return try reader.library()
    }

    public static func read(contentsOf url: URL) throws -> GDSLibrary {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FabricationError(url.path, "cannot read the GDSII file (\(error.localizedDescription))")
        }
        return try read(data, source: url.path)
    }

    private init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    private func fail(_ offset: Int, _ problem: String) -> FabricationError {
        FabricationError(source, "byte \(offset): \(problem)")
    }

    private mutating func next() throws -> Record {
        let start = position
        guard start + 4 <= bytes.count else {
            throw fail(start, "file is truncated (record header expected, \(bytes.count - start) bytes left)")
        }
        let length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
        guard length >= 4, length % 2 == 0 else { throw fail(start, "bad record length \(length)") }
        guard start + length <= bytes.count else {
            throw fail(start, "file is truncated (record of \(length) bytes, \(bytes.count - start) left)")
        }
        position += length
        let record = Record(type: bytes[start + 2], dataType: bytes[start + 3],
                            payload: bytes[(start + 4)..<(start + length)], offset: start)
        try checkDataType(record)
        return record
    }

    /// The payload must suit the data type: sizes multiple of the element width.
    private func checkDataType(_ r: Record) throws {
        let width: Int
        switch GDSDataType(rawValue: r.dataType) {
        case .none?: width = 0
        case .bitArray?, .int16?: width = 2
        case .int32?, .real4?: width = 4
        case .real8?: width = 8
        case .ascii?: width = 1
        case nil: throw fail(r.offset, "unknown data type 0x\(String(r.dataType, radix: 16))")
        }
        if width == 0 ? !r.payload.isEmpty : r.payload.count % width != 0 {
            throw fail(r.offset, "record 0x\(String(r.type, radix: 16)) has \(r.payload.count) data bytes, "
                       + "not valid for data type \(r.dataType)")
        }
    }

    /// Reads the next record, skipping geometry-free ones in `skippable`, and requires `type`.
    private mutating func expect(_ type: GDSRecord, _ dataType: GDSDataType, bytes count: Int? = nil,
                                 skipping skippable: Set<UInt8> = []) throws -> Record {
        var r = try next()
        while skippable.contains(r.type) { r = try next() }
        guard r.type == type.rawValue, r.dataType == dataType.rawValue else {
            throw fail(r.offset, "expected \(type) record, found type 0x\(String(r.type, radix: 16)) "
                       + "data type \(r.dataType)")
        }
        if let count, r.payload.count != count {
            throw fail(r.offset, "\(type) record has \(r.payload.count) data bytes, expected \(count)")
        }
        return r
    }

    private static let libraryExtras: Set<UInt8> = [0x1F, 0x20, 0x22, 0x23, 0x36, 0x37, 0x38]
    private static let elementExtras: Set<UInt8> = [GDSRecord.elflags.rawValue, GDSRecord.plex.rawValue]
    private static let properties: Set<UInt8> = [GDSRecord.propattr.rawValue, GDSRecord.propvalue.rawValue]
    private static let otherElements: Set<UInt8> = [0x09, 0x0A, 0x0B, 0x0C, 0x15, 0x2D]

    private mutating func library() throws -> GDSLibrary {
        guard bytes.count >= 4, bytes[2] == GDSRecord.header.rawValue, bytes[3] == GDSDataType.int16.rawValue else {
            throw FabricationError(source, bytes.count < 4 ? "file is truncated (\(bytes.count) bytes, no GDSII HEADER record)"
                                                           : "not a GDSII stream file (it does not start with a HEADER record)")
        }
        _ = try expect(.header, .int16, bytes: 2)
        _ = try expect(.bgnlib, .int16, bytes: 24)
        let name = ascii(try expect(.libname, .ascii, skipping: Self.libraryExtras).payload)
        let units = try expect(.units, .real8, bytes: 16, skipping: Self.libraryExtras).payload
        let user = GDSReal.decode(uint64(units, 0)), metres = GDSReal.decode(uint64(units, 8))
        var structures: [GDSStructure] = []
        while true {
            let r = try next()
            switch r.type {
            case GDSRecord.endlib.rawValue:
                return GDSLibrary(name: name, structures: structures,
                                  databaseUnitInUserUnits: user, databaseUnitInMetres: metres)
            case GDSRecord.bgnstr.rawValue:
                guard r.payload.count == 24 else { throw fail(r.offset, "BGNSTR needs 24 data bytes") }
                structures.append(try structure())
            default:
                throw fail(r.offset, "expected BGNSTR or ENDLIB, found type 0x\(String(r.type, radix: 16))")
            }
        }
    }

    private mutating func structure() throws -> GDSStructure {
        let name = ascii(try expect(.strname, .ascii).payload)
        var boundaries: [GDSBoundary] = []
        while true {
            let r = try next()
            if r.type == GDSRecord.endstr.rawValue { return GDSStructure(name: name, boundaries: boundaries) }
            if r.type == GDSRecord.boundary.rawValue {
                boundaries.append(try boundary())
            } else if Self.otherElements.contains(r.type) {
                throw fail(r.offset, "unsupported element type 0x\(String(r.type, radix: 16)) in structure \(name)")
            } else {
                throw fail(r.offset, "expected an element or ENDSTR in structure \(name), "
                           + "found type 0x\(String(r.type, radix: 16))")
            }
        }
    }

    private mutating func boundary() throws -> GDSBoundary {
        let layer = int16(try expect(.layer, .int16, bytes: 2, skipping: Self.elementExtras).payload)
        let datatype = int16(try expect(.datatype, .int16, bytes: 2).payload)
        let xy = try expect(.xy, .int32)
        guard xy.payload.count % 8 == 0 else { throw fail(xy.offset, "XY holds an odd number of coordinates") }
        let points = stride(from: 0, to: xy.payload.count, by: 8).map { i in
            GDSPoint(Int32(bitPattern: uint32(xy.payload, i)), Int32(bitPattern: uint32(xy.payload, i + 4)))
        }
        guard points.count >= 4, points.first == points.last else {
            throw fail(xy.offset, "boundary of \(points.count) points is not a closed polygon")
        }
        _ = try expect(.endel, .none, skipping: Self.properties)
        return GDSBoundary(layer: layer, datatype: datatype, points: points)
    }

    private func ascii(_ payload: ArraySlice<UInt8>) -> String {
        String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
    }

    private func int16(_ p: ArraySlice<UInt8>) -> Int16 {
        Int16(bitPattern: UInt16(p[p.startIndex]) << 8 | UInt16(p[p.startIndex + 1]))
    }

    private func uint32(_ p: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(p[p.startIndex + i + $1]) }
    }

    private func uint64(_ p: ArraySlice<UInt8>, _ i: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 << 8 | UInt64(p[p.startIndex + i + $1]) }
    }
}
