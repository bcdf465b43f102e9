import Foundation
import Storage

/// One source of training scenes, as given to `--data` (repeatable; weights mix the sources).
///
/// Spellings (`SPEC[@WEIGHT]`, weight a positive number, 1 when omitted):
/// - `fashion-mnist` or `fashion-mnist:DIR`: FashionMNIST from the Debian package's folder or DIR;
/// - `synthetic:KIND[,KIND…]` with KIND one of `SyntheticKind` (`smooth`, `zernike`, `blobs`,
///   `polygons`, `steps`): procedural phase objects, no files needed;
/// - `folder:DIR`, or a plain `DIR`: every PNG, BMP and HDF5 image under DIR (`ImageFolder`). A plain
///   DIR that holds IDX files (`.idx`, `*-ubyte`, optionally gzipped) is read as FashionMNIST, as
///   `--data DIR` always was;
/// - `pairs:DIR`, or a plain `DIR` holding `phase/` and `amplitude/` subfolders: phase and amplitude
///   images paired by name (`ImagePairFolder`);
/// - `complex:FILE.h5:/DATASET`, or a plain `FILE.h5:/DATASET`: a stack of complex fields
///   (`ComplexFieldScenes`).
/// The last two have an amplitude channel (`hasAmplitude`): their scenes are `[n, 2, N, N]`.
///
/// Stored in checkpoints as its canonical spelling (`description`), which parses back without touching
/// the file system.
public struct DataSource: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case fashionMNIST(directory: String)
        case synthetic([SyntheticKind])
        case folder(String)
        case pairs(String)
        case complexField(ComplexFieldDataset)
    }

    public var kind: Kind
    /// Relative share of this source in every split (normalized over the sources).
    public var weight: Double

    public init(_ kind: Kind, weight: Double = 1) {
        self.kind = kind
        self.weight = weight
    }

    /// Parses `--data` text (see the type's documentation). Throws a message naming the text.
    public init(parsing text: String) throws {
        var spec = text.trimmingCharacters(in: .whitespaces)
        weight = 1
        if let at = spec.lastIndex(of: "@"), let w = Double(spec[spec.index(after: at)...]) {
            guard w.isFinite && w > 0 else { throw DataSourceError(text, "the weight after @ must be a positive number, got \(w)") }
            weight = w
            spec = String(spec[..<at])
        }
        guard !spec.isEmpty else { throw DataSourceError(text, "empty data source") }
        let lower = spec.lowercased()
        if lower == "fashion-mnist" {
            kind = .fashionMNIST(directory: IDXFile.fashionMNISTDirectory)
        } else if lower.hasPrefix("fashion-mnist:") {
            kind = .fashionMNIST(directory: String(spec.dropFirst("fashion-mnist:".count)))
        } else if lower.hasPrefix("synthetic:") || lower == "synthetic" {
            let names = lower.dropFirst("synthetic".count).drop { $0 == ":" }.split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let all = SyntheticKind.allCases.map(\.rawValue).joined(separator: ", ")
            guard !names.isEmpty else { throw DataSourceError(text, "name at least one generator after synthetic: (\(all))") }
            kind = .synthetic(try names.map { name in
                guard let k = SyntheticKind(rawValue: name) else {
                    throw DataSourceError(text, "unknown synthetic generator '\(name)'; choose from \(all)")
                }
                return k
            })
        } else if lower.hasPrefix("folder:") {
            kind = .folder(String(spec.dropFirst("folder:".count)))
        } else if lower.hasPrefix("pairs:") {
            kind = .pairs(String(spec.dropFirst("pairs:".count)))
        } else if lower.hasPrefix("complex:") {
            guard let field = ComplexFieldDataset(spec: String(spec.dropFirst("complex:".count))) else {
                throw DataSourceError(text, "expected complex:FILE.h5:/DATASET (an HDF5 file and the path of a dataset inside it)")
            }
            kind = .complexField(field)
        } else if let field = ComplexFieldDataset(spec: spec) {
            kind = .complexField(field)
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory) else {
                throw DataSourceError(text, "no such directory (expected fashion-mnist, synthetic:KIND[,KIND…], a folder of images or FILE.h5:/DATASET)")
            }
            guard isDirectory.boolValue else {
                throw DataSourceError(text, "is a file; --data takes a folder of images, fashion-mnist, synthetic:KIND or FILE.h5:/DATASET")
            }
            if Self.holdsIDXFiles(spec) {
                kind = .fashionMNIST(directory: spec)
            } else {
                kind = ImagePairFolder.holdsPairs(spec) ? .pairs(spec) : .folder(spec)
            }
        }
    }

    /// Whether the scenes carry an amplitude image A beside I (`SceneChannels`).
    public var hasAmplitude: Bool {
        switch kind {
        case .pairs, .complexField: return true
        case .fashionMNIST, .synthetic, .folder: return false
        }
    }

    /// The checks that need no image decoding, for a command to run before it writes anything: a
    /// folder must exist and hold at least 3 image files (see `ImageFolder`); a pair folder
    /// must also pair its files up; a complex dataset must exist with at least 3 fields.
    public func checkAvailable() throws {
        switch kind {
        case .folder(let directory): _ = try ImageFolder(directory)
        case .pairs(let directory): _ = try ImagePairFolder(directory)
        case .complexField(let field): try ComplexFieldScenes.check(field)
        case .fashionMNIST, .synthetic: break
        }
    }

    /// True when `directory` directly holds a file in the IDX format's naming (`*-ubyte`, `*.idx`, each
    /// optionally `.gz`): the folders `--data` named before folders of images existed.
    static func holdsIDXFiles(_ directory: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { name in
            let stem = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
            return stem.hasSuffix("-ubyte") || stem.hasSuffix(".idx")
        }
    }

    /// The canonical spelling, e.g. `synthetic:blobs,steps@0.5`, `folder:/data/cells`, `pairs:/data/cells`
    /// or `complex:/data/fields.h5:/scenes`.
    public var description: String {
        let spec: String
        switch kind {
        case .fashionMNIST(let d): spec = d == IDXFile.fashionMNISTDirectory ? "fashion-mnist" : "fashion-mnist:\(d)"
        case .synthetic(let kinds): spec = "synthetic:" + kinds.map(\.rawValue).joined(separator: ",")
        case .folder(let d): spec = "folder:\(d)"
        case .pairs(let d): spec = "pairs:\(d)"
        case .complexField(let field): spec = "complex:\(field)"
        }
        return weight == 1 ? spec : spec + "@\(weight)"
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let lower = text.lowercased()
        guard ["fashion-mnist", "synthetic", "folder:", "pairs:", "complex:"].contains(where: { lower.hasPrefix($0) }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a stored data source"))
        }
        self = try DataSource(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A `--data` text that cannot be used, with the reason.
public struct DataSourceError: Error, CustomStringConvertible, Sendable {
    public let source: String
    public let problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "--data \(source): \(problem)" }
}

extension TrainingConfig {
    /// The sources this configuration trains on: `dataSources`, or FashionMNIST from `dataDirectory`
    /// when that list is empty (every checkpoint written before `dataSources` existed).
    public var effectiveDataSources: [DataSource] {
        dataSources.isEmpty ? [DataSource(.fashionMNIST(directory: dataDirectory))] : dataSources
    }

    /// Sets the sources. A lone FashionMNIST source (weight irrelevant) is stored the old way, as
    /// `dataDirectory` with an empty `dataSources`, so `--data DIR` gives the configuration it always
    /// gave and old checkpoints still resume and are reused by `design`.
    public mutating func setDataSources(_ sources: [DataSource]) {
        if sources.count == 1, case .fashionMNIST(let directory) = sources[0].kind {
            dataDirectory = directory
            dataSources = []
        } else {
            dataSources = sources
        }
    }

    /// Why the scene model would ignore the amplitude channel of a source (`SceneChannels.problem`), or
    /// nil (no source has one, or the amplitude range uses it).
    public var amplitudeProblem: String? {
        guard let source = effectiveDataSources.first(where: \.hasAmplitude) else { return nil }
        return SceneChannels.problem(source: source.description, model: sceneModel)
            .map { $0 + "; give --amplitude-range A0:A1 with A0 ≠ A1 (e.g. 0:1 for x = A·exp(jφ))" }
    }

    /// The sources in words, e.g. "FashionMNIST" or "synthetic:blobs + folder:/data".
    public var dataDescription: String {
        dataSources.isEmpty ? "FashionMNIST" : dataSources.map(\.description).joined(separator: " + ")
    }
}
