import Foundation
import Optics
import Storage

/// The flatness corrections of one export, read from their files and summed: the phase map that
/// `DisplayChain` adds to every frame, and a record of each file so a correction is never applied twice.
public struct PanelCorrection: Equatable, Sendable {
    /// What the design file keeps about one correction file (`/slm/correction` attribute `files_json`).
    public struct Record: Codable, Equatable, Sendable {
        /// File name without folders, and the path as given.
        public var file: String
        public var path: String
        /// SHA-256 of the file's bytes (what `sha256sum` prints).
        public var sha256: String
        public var kind: CorrectionFile.Kind
        /// The gray value taken as 2π (nil for radians).
        public var gray2Pi: Int?
        /// The wavelength the correction was made for, metres.
        public var wavelength: Double
        /// λc/λ: the factor applied to the correction's phase at the operating wavelength.
        public var phaseScale: Double
    }

    /// One record per file, in the order given (the order they are added; addition commutes).
    public let records: [Record]
    /// The summed correction at the operating wavelength, radians (not wrapped), `[rows · columns]`
    /// row-major, row 0 = top of the panel.
    public let phase: [Double]

    public init(records: [Record], phase: [Double]) {
        self.records = records
        self.phase = phase
    }

    /// Reads every file in order and sums their phases at `wavelength` (metres). Throws, naming the
    /// file, for a map of the wrong size or bit depth, an unreadable file, or the same file (same
    /// checksum) given twice. `notes` receives the wavelength and 2π gray value assumed for each.
    public static func load(_ files: [CorrectionFile], profile: SLMProfile, wavelength: Double,
                            notes: (String) -> Void = { _ in }) throws -> PanelCorrection {
        var records: [Record] = []
        var total = [Double](repeating: 0, count: profile.rows * profile.columns)
        for file in files {
            let (map, record) = try read(file, profile: profile, wavelength: wavelength, notes: notes)
            if let earlier = records.first(where: { $0.sha256 == record.sha256 }) {
                throw FabricationError(file.path, "is the same correction as \(earlier.path) (sha256 \(record.sha256.prefix(12))…); "
                                       + "a correction is applied once")
            }
            records.append(record)
            for i in total.indices { total[i] += map[i] }
        }
        return PanelCorrection(records: records, phase: total)
    }

    /// One file's phase map at `wavelength` and its record.
    static func read(_ file: CorrectionFile, profile: SLMProfile, wavelength: Double,
                     notes: (String) -> Void) throws -> ([Double], Record) {
        let checksum = try SHA256.hex(ofFile: file.path)
        var (values, gray2Pi, fileWavelength) = try rawPhase(file, profile: profile)
        let name = (file.path as NSString).lastPathComponent
        let correctionWavelength = file.wavelength ?? CorrectionFile.wavelength(inName: name) ?? fileWavelength ?? wavelength
        if file.wavelength == nil && CorrectionFile.wavelength(inName: name) == nil && fileWavelength == nil {
            notes("\(file.path): no wavelength given or in the name; taken as made for the operating wavelength \(wavelength) m")
        }
        let scale = correctionWavelength / wavelength
        if abs(scale - 1) > 1e-12 {
            for i in values.indices { values[i] *= scale }
            notes(String(format: "%@: made for %.4g m, applied at %.4g m: phase × %.6f", file.path, correctionWavelength, wavelength, scale))
        }
        if let gray2Pi { notes("\(file.path): \(file.kind.rawValue) correction, gray \(gray2Pi) = 2π") }
        let record = Record(file: name, path: file.path, sha256: checksum, kind: file.kind, gray2Pi: gray2Pi,
                            wavelength: correctionWavelength, phaseScale: scale)
        return (values, record)
    }

    /// The map in radians at the correction's own wavelength, the gray value taken as 2π, and a
    /// wavelength stored in the file.
    private static func rawPhase(_ file: CorrectionFile, profile: SLMProfile) throws -> ([Double], Int?, Double?) {
        let (rows, columns) = (profile.rows, profile.columns)
        func checkSize(_ w: Int, _ h: Int) throws {
            guard w == columns, h == rows else {
                throw FabricationError(file.path, "correction is \(w)×\(h) pixels; \(profile.name) has \(columns)×\(rows)")
            }
        }
        switch file.kind {
        case .hdf5:
            let (map, w) = try hdf5Phase(file, rows: rows, columns: columns)
            return (map, nil, w)
        case .santec:
            let gray2Pi = file.gray2Pi ?? profile.gray2Pi
            let table = try CSVFile.read(path: file.path, header: .present)
            guard table.rows.count == rows, table.columnCount == columns + 1 else {
                throw FabricationError(file.path, "correction is \(max(table.columnCount - 1, 0))×\(table.rows.count) values "
                                       + "after the header row and column; \(profile.name) has \(columns)×\(rows)")
            }
            var map = [Double]()
            map.reserveCapacity(rows * columns)
            for (r, row) in table.rows.enumerated() {
                for (c, g) in row.dropFirst().enumerated() {
                    guard g >= 0, g <= Double(profile.maxGray), g == g.rounded() else {
                        throw FabricationError(file.path, "row \(r + 1), column \(c + 1): \(g) is not a gray value of the "
                                               + "\(profile.bitDepth)-bit \(profile.name) (0…\(profile.maxGray))")
                    }
                    map.append(2 * Double.pi * g / Double(gray2Pi))
                }
            }
            return (map, gray2Pi, nil)
        case .hamamatsu, .holoeye, .meadowlark, .image:
            let decoded = try ImageFile.read(path: file.path)
            try checkSize(decoded.image.width, decoded.image.height)
            let (gray, bits) = try grayValues(decoded, file)
            let gray2Pi = file.gray2Pi ?? {
                switch file.kind {
                case .hamamatsu: return profile.gray2Pi
                case .holoeye, .meadowlark: return 256
                default: return 1 << bits
                }
            }()
            return (gray.map { 2 * Double.pi * Double($0) / Double(gray2Pi) }, gray2Pi, nil)
        }
    }

    /// The gray values of a correction image and their bit depth: 8-bit gray for the vendor kinds,
    /// 8- or 16-bit gray for `image`; colour, transparency and other depths are refused.
    private static func grayValues(_ decoded: DecodedImage, _ file: CorrectionFile) throws -> ([Int], Int) {
        let what = "\(decoded.sourceBitDepth)-bit \(decoded.sourceLayout)"
        let vendor = file.kind != .image
        let kind = vendor ? "a \(file.kind.rawValue)" : "a generic image"
        let expected = vendor ? "an 8-bit grayscale image" : "an 8- or 16-bit grayscale image"
        guard !decoded.hadAlpha, !decoded.isColour else {
            throw FabricationError(file.path, "\(kind) correction is \(expected); this file is \(what)")
        }
        switch decoded.image.pixels {
        case .gray8(let p) where decoded.sourceBitDepth == 8:
            return (p.map(Int.init), 8)
        case .gray16(let p) where !vendor && decoded.sourceBitDepth == 16:
            return (p.map(Int.init), 16)
        default:
            throw FabricationError(file.path, "\(kind) correction is \(expected); this file is \(what)")
        }
    }

    /// An HDF5 map `[rows, columns]` or `[1, rows, columns]` in radians (or its `units`), and its
    /// `wavelength_m` attribute when present.
    private static func hdf5Phase(_ file: CorrectionFile, rows: Int, columns: Int) throws -> ([Double], Double?) {
        let dataset = file.dataset ?? "/"
        let (phases, _) = try MaskDataset(path: file.path, dataset: dataset).load()
        guard phases.shape == [1, rows, columns] else {
            throw FabricationError(file.path, "\(dataset) is \(phases.shape[2])×\(phases.shape[1]) pixels"
                                   + (phases.shape[0] > 1 ? " × \(phases.shape[0]) maps" : "") + "; the panel has \(columns)×\(rows)")
        }
        let h5 = try HDF5File.open(path: file.path)
        defer { try? h5.close() }
        let wavelength = try h5.attributeNames(of: dataset).contains("wavelength_m") ? try h5.doubleAttribute("wavelength_m", of: dataset) : nil
        return ((0..<phases.count).map { Double(phases.pointer[$0]) }, wavelength)
    }
}
