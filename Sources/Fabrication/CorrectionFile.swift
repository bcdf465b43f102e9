import Foundation
import Storage

/// A vendor's flatness (wavefront) correction for one panel, named on the command line as
/// `[KIND:]PATH[,2pi=GRAY][,wavelength=METRES]` (`export --correction`, repeatable).
///
/// The map must have the panel's size, `rows × columns`, row 0 = top row of the panel (as frames).
/// What a stored value means, by kind:
///
/// | kind | file | value → phase at the correction's wavelength |
/// |---|---|---|
/// | `hamamatsu` | `CAL_*.bmp`: 8-bit grayscale image | `2π g / G`, G = the panel's 2π gray value (the profile's `gray2Pi`, e.g. 218 at 690 nm for the X13138), or `2pi=G` |
/// | `santec` | CSV whose first row and first column are headers (column and row numbers), gray values | `2π g / G`, G as for Hamamatsu; a value above the panel's `maxGray` is refused |
/// | `holoeye`, `meadowlark` | 8-bit grayscale image (BMP, PNG) | `2π g / 256` (their wavefront-compensation images span one wave over the 8-bit range), or `2pi=G` |
/// | `image` | 8- or 16-bit grayscale PNG, BMP or TIFF | `2π g / 2^bits`, or `2pi=G` |
/// | `hdf5` | `FILE.h5:/DATASET`, float `[rows, columns]` or `[1, rows, columns]` | radians (or the dataset's `units`, as `MaskDataset`) |
///
/// Without a KIND prefix: `FILE.h5:/DATASET` is `hdf5`, `.csv` is `santec`, an image whose name
/// starts with `CAL_` is `hamamatsu`, any other image is `image`.
///
/// Wavelength: `wavelength=` if given, else a `<number>nm` in the file name (`CAL_LSH0801234_690nm.bmp`),
/// else the HDF5 dataset's `wavelength_m` attribute, else the operating wavelength. A flatness error is
/// an optical path difference, so a correction made at λc is applied at λ as `phase · λc/λ`.
public struct CorrectionFile: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case hamamatsu, santec, holoeye, meadowlark, image, hdf5
    }

    /// The file (without `:/DATASET`).
    public let path: String
    /// The dataset inside an HDF5 file.
    public let dataset: String?
    public let kind: Kind
    /// The gray value meaning 2π, when given with `2pi=`.
    public let gray2Pi: Int?
    /// The correction's wavelength in metres, when given with `wavelength=`.
    public let wavelength: Double?

    public init(path: String, dataset: String? = nil, kind: Kind, gray2Pi: Int? = nil, wavelength: Double? = nil) {
        self.path = path
        self.dataset = dataset
        self.kind = kind
        self.gray2Pi = gray2Pi
        self.wavelength = wavelength
    }

    /// Parses `[KIND:]PATH[,2pi=GRAY][,wavelength=METRES]`; errors name the option.
    public init(parsing spec: String, option: String = "--correction") throws {
        var text = spec
        var gray2Pi: Int?, wavelength: Double?
        while let comma = text.range(of: ",", options: .backwards) {
            let field = text[comma.upperBound...].trimmingCharacters(in: .whitespaces)
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, ["2pi", "wavelength"].contains(pair[0].lowercased()) else { break }
            if pair[0].lowercased() == "2pi" {
                guard let g = Int(pair[1]), g >= 2 else {
                    throw FabricationError(option, "'\(spec)': 2pi=\(pair[1]) must be a gray value ≥ 2")
                }
                gray2Pi = g
            } else {
                guard let w = Double(pair[1]), w.isFinite, w > 0 else {
                    throw FabricationError(option, "'\(spec)': wavelength=\(pair[1]) must be a positive length in metres")
                }
                wavelength = w
            }
            text = String(text[..<comma.lowerBound])
        }
        var kind: Kind?
        if let colon = text.firstIndex(of: ":"), let k = Kind(rawValue: text[..<colon].lowercased()) {
            kind = k
            text = String(text[text.index(after: colon)...])
        }
        var dataset: String?
        if let split = text.range(of: ":/"), ["h5", "hdf5"].contains((String(text[..<split.lowerBound]) as NSString).pathExtension.lowercased()) {
            dataset = String(text[text.index(after: split.lowerBound)...])
            text = String(text[..<split.lowerBound])
        }
        guard !text.isEmpty else { throw FabricationError(option, "'\(spec)' names no file") }
        let name = (text as NSString).lastPathComponent
        let inferred: Kind
        if dataset != nil { inferred = .hdf5 }
        else if (text as NSString).pathExtension.lowercased() == "csv" { inferred = .santec }
        else if name.uppercased().hasPrefix("CAL_") { inferred = .hamamatsu }
        else { inferred = .image }
        let chosen = kind ?? inferred
        if chosen == .hdf5 && dataset == nil {
            throw FabricationError(option, "'\(spec)': an HDF5 correction is given as FILE.h5:/DATASET")
        }
        if chosen != .hdf5 && dataset != nil {
            throw FabricationError(option, "'\(spec)': a \(chosen.rawValue) correction is a file, not FILE.h5:/DATASET")
        }
        if chosen == .hdf5 && gray2Pi != nil {
            throw FabricationError(option, "'\(spec)': an HDF5 correction is in radians; 2pi= applies to gray values only")
        }
        self.init(path: text, dataset: dataset, kind: chosen, gray2Pi: gray2Pi, wavelength: wavelength)
    }

    /// How the option spells this correction.
    public var spec: String {
        var text = "\(kind.rawValue):\(path)" + (dataset.map { ":\($0)" } ?? "")
        if let gray2Pi { text += ",2pi=\(gray2Pi)" }
        if let wavelength { text += ",wavelength=\(wavelength)" }
        return text
    }

    /// The wavelength written in a file name as `<number>nm` (e.g. `CAL_LSH0801234_690nm.bmp` → 690e-9), or nil.
    public static func wavelength(inName name: String) -> Double? {
        let scalars = Array(name.lowercased())
        var i = 0
        while i < scalars.count {
            guard scalars[i].isNumber else { i += 1; continue }
            var j = i
            while j < scalars.count, scalars[j].isNumber || scalars[j] == "." { j += 1 }
            if j + 1 < scalars.count, scalars[j] == "n", scalars[j + 1] == "m", let nm = Double(String(scalars[i..<j])), nm > 0 {
                return nm * 1e-9
            }
            i = j
        }
        return nil
    }
}
