import Foundation
import Storage
import TensorCore

/// A folder of scenes with an amplitude channel for `--data pairs:DIR` (or a plain `--data DIR` that
/// holds both subfolders): `DIR/phase/` holds the normalized phase images I and `DIR/amplitude/` the
/// amplitude images A, each subfolder read like any folder of images (`ImageFolder`: PNG, BMP, HDF5, at
/// any depth). A pair is two files with the same path below their subfolders apart from the extension
/// (`phase/day1/cell.png` ↔ `amplitude/day1/cell.h5`); both must hold as many images (HDF5 datasets in
/// group order) of the same pixel size. A file without a partner, or two files of one subfolder whose
/// names differ only in the extension, is an error naming them. Files beside the two subfolders are
/// ignored with a note.
///
/// Splits and crops are those of `folder:DIR/phase` (same files per split, same draws), with every crop,
/// flip and turn applied to I and A alike: channel 0 of a pair folder's scenes equals the scenes of
/// its phase folder.
public struct ImagePairFolder {
    public let root: String
    public let phase: ImageFolder
    public let amplitude: ImageFolder
    /// Top-level entries of `root` other than the two subfolders (not read).
    public let ignored: [String]
    /// The amplitude file (relative to `amplitude.root`) of each phase file (relative to `phase.root`).
    let partners: [String: String]

    public static let phaseFolder = "phase", amplitudeFolder = "amplitude"

    /// Whether `directory` holds both a `phase` and an `amplitude` subfolder.
    public static func holdsPairs(_ directory: String) -> Bool {
        holdsFolder(directory, phaseFolder) && holdsFolder(directory, amplitudeFolder)
    }

    static func holdsFolder(_ root: String, _ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(name),
                                              isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// What reading each subfolder met (colour converted, values stretched, …).
    public struct Report {
        public var phase = ImageFolder.Report(), amplitude = ImageFolder.Report()
        public init() {}
    }

    /// Lists both subfolders and matches their files. Throws for a missing folder or subfolder, a
    /// subfolder `ImageFolder` refuses, and files that do not pair up.
    public init(_ root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StorageError(.notFound, path: root, "no such folder (a pair folder holds phase/ and amplitude/)")
        }
        for name in [Self.phaseFolder, Self.amplitudeFolder] where !Self.holdsFolder(root, name) {
            throw StorageError(.notFound, path: root, "has no \(name)/ subfolder; a pair folder holds phase/ and amplitude/ "
                               + "with files of the same name (phase/NAME.png, amplitude/NAME.png)")
        }
        phase = try ImageFolder((root as NSString).appendingPathComponent(Self.phaseFolder))
        amplitude = try ImageFolder((root as NSString).appendingPathComponent(Self.amplitudeFolder))
        partners = try Self.match(phase: phase.files, amplitude: amplitude.files, root: root)
        ignored = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != Self.phaseFolder && $0 != Self.amplitudeFolder }.sorted()
    }

    /// The amplitude file of every phase file, matched by path without extension.
    static func match(phase: [String], amplitude: [String], root: String) throws -> [String: String] {
        func byName(_ files: [String], _ folder: String) throws -> [String: String] {
            var out: [String: String] = [:]
            for file in files {
                let name = (file as NSString).deletingPathExtension
                if let other = out[name] {
                    throw StorageError(.mismatch, path: root, "\(folder)/\(other) and \(folder)/\(file) have the same name; "
                                       + "a pair needs exactly one file of each name in phase/ and in amplitude/")
                }
                out[name] = file
            }
            return out
        }
        let phases = try byName(phase, phaseFolder), amplitudes = try byName(amplitude, amplitudeFolder)
        let lonePhases = phases.keys.filter { amplitudes[$0] == nil }.sorted().map { "phase/" + phases[$0]! }
        let loneAmplitudes = amplitudes.keys.filter { phases[$0] == nil }.sorted().map { "amplitude/" + amplitudes[$0]! }
        let lone = lonePhases + loneAmplitudes
        guard lone.isEmpty else {
            let shown = lone.prefix(5).joined(separator: ", ") + (lone.count > 5 ? ", … (\(lone.count) in all)" : "")
            throw StorageError(.mismatch, path: root, "unmatched file(s) without a partner of the same name in the other "
                               + "subfolder: \(shown); every phase/NAME.* needs an amplitude/NAME.* and the other way round")
        }
        return Dictionary(uniqueKeysWithValues: phases.map { (name, file) in (file, amplitudes[name]!) })
    }

    /// The images of the pair whose phase file is `relative` (below `phase/`): each `[I, A]`, two
    /// `[1, 1, H, W]` planes of one size. Throws, naming the amplitude file, when the two files hold a
    /// different number of images or images of different sizes.
    public func images(_ relative: String, report: inout Report) throws -> [[Tensor]] {
        guard let partner = partners[relative] else {
            throw StorageError(.notFound, path: (phase.root as NSString).appendingPathComponent(relative), "is not an image of this pair folder")
        }
        let phases = try phase.images(relative, report: &report.phase)
        let amplitudes = try amplitude.images(partner, report: &report.amplitude)
        let path = (amplitude.root as NSString).appendingPathComponent(partner)
        guard phases.count == amplitudes.count else {
            throw StorageError(.mismatch, path: path, "holds \(amplitudes.count) image(s), its phase file phase/\(relative) \(phases.count)")
        }
        return try zip(phases, amplitudes).map { i, a in
            guard i.shape == a.shape else {
                throw StorageError(.mismatch, path: path, "is \(a.shape[3])×\(a.shape[2]) pixels, its phase image phase/\(relative) "
                                   + "\(i.shape[3])×\(i.shape[2]); a pair needs images of the same size")
            }
            return [i, a]
        }
    }

    /// Scenes 0..<count of `split`, `[count, 2, size, size]`: channel 0 I, channel 1 A, cut alike. The
    /// draws are those of `ImageFolder.scenes` on the phase folder.
    public func scenes(_ split: SceneSplit, count: Int, size: Int, seed: UInt64 = SceneSplits.dataSeed,
                       report: inout Report) throws -> Tensor {
        let paths = phase.files(in: split, seed: seed)
        return try RandomCrop.scenes(count: count, size: size, channels: 2, units: paths.count,
                                     stream: [seed, split.tag, ImageFolder.streamTag]) { f in
            try images(paths[f], report: &report)
        }
    }

    /// Notes for the user: conversions and ignored files in either subfolder, and entries beside them.
    func notes(_ source: String, report: Report) -> [String] {
        var notes = report.phase.notes("\(source) phase/", folder: phase)
        notes += report.amplitude.notes("\(source) amplitude/", folder: amplitude)
        if !ignored.isEmpty {
            notes.append("\(source): \(ignored.count) file(s) or folder(s) beside phase/ and amplitude/ ignored, e.g. \(ignored[0])")
        }
        return notes
    }
}
