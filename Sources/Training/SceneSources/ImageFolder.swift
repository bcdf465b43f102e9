import Foundation
import Storage
import TensorCore

/// A folder of scene images for `--data DIR`: every PNG, BMP, TIFF and HDF5 file under DIR, at any depth.
///
/// - PNG (any colour type and depth), BMP (8-bit indexed, 24-bit) and TIFF (`.tif`, `.tiff`: the
///   first page; 8/16-bit gray or RGB, 32-bit float gray, see `TIFFFile`) hold one image each; colour
///   is converted to gray with the Rec. 601 luma weights and noted, transparency is composited onto
///   black (see `PNGFile`, `TIFFFile`). Intensities are sample / maximum sample; float TIFF images
///   follow the float HDF5 rule below.
/// - HDF5 (`.h5`, `.hdf5`) files hold one image per 2-D dataset of float32/64, uint8 or uint16 (found
///   in every group); integers are divided by their maximum (255, 65535); floats inside [0, 1] are
///   taken as they are and other float images are stretched min → 0, max → 1, with a note. Datasets of
///   other ranks or types are skipped with a note; a file without any image dataset is an error.
/// - Other files (and names starting with ".") are ignored, with a note.
/// Every image must be at least `minimumSide` pixels on each side. An unreadable file stops the run
/// with an error naming the file.
///
/// **Split by file.** Files are ordered by a seeded 64-bit hash of their path relative to DIR (FNV-1a,
/// mixed with the data seed; ties by path): the first ⌈n/10⌉ are test files, the next ⌈n/10⌉
/// validation files, the rest training files, so at least 3 files are needed. No scene of one split
/// comes from a file of another. Adding files moves no training file into the test split while ⌈n/10⌉
/// at most doubles (a training file has 2⌈n/10⌉ files ranked below it, and additions never lower it).
public struct ImageFolder {
    public let root: String
    /// Image files, as paths relative to `root`, sorted.
    public let files: [String]
    /// Files that are not images (relative paths, sorted).
    public let ignored: [String]

    public static let minimumSide = 4
    static let imageExtensions: Set<String> = ImageFile.extensions.union(["h5", "hdf5"])

    /// Lists the folder. Throws for a missing or empty folder, one without any image file, or fewer
    /// than 3 image files (too few to split by file).
    public init(_ root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw StorageError(.notFound, path: root, "no such folder")
        }
        guard isDirectory.boolValue else { throw StorageError(.mismatch, path: root, "is a file, not a folder of images") }
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw StorageError(.io, path: root, "cannot list the folder")
        }
        var images: [String] = [], others: [String] = []
        while let item = walker.nextObject() as? String {
            let full = (root as NSString).appendingPathComponent(item)
            var dir: ObjCBool = false
            if item.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            guard FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue else { continue }
            let ext = (item as NSString).pathExtension.lowercased()
            if Self.imageExtensions.contains(ext) { images.append(item) } else { others.append(item) }
        }
        files = images.sorted()
        ignored = others.sorted()
        if files.isEmpty {
            throw StorageError(.notFound, path: root, ignored.isEmpty ? "the folder is empty: no images to make scenes from"
                               : "no PNG, BMP, TIFF or HDF5 image in the folder (\(ignored.count) other file(s), e.g. \(ignored[0]))")
        }
        guard files.count >= 3 else {
            throw StorageError(.mismatch, path: root, "holds \(files.count) image file(s); at least 3 are needed so that training, validation and test scenes come from different files")
        }
    }

    /// The files of `split` (relative paths, in hash order), for the data seed `seed`.
    public func files(in split: SceneSplit, seed: UInt64 = SceneSplits.dataSeed) -> [String] {
        split.keys(of: files, seed: seed)
    }

    /// FNV-1a of the UTF-8 bytes: a hash that is the same in every process (Swift's `Hasher` is not).
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// What reading the folder met, for the notes printed before training.
    public struct Report {
        public var colour = 0, transparent = 0, stretched = 0, skippedDatasets = 0

        func notes(_ source: String, folder: ImageFolder) -> [String] {
            var notes: [String] = []
            if colour > 0 { notes.append("\(source): \(colour) colour image(s) converted to gray (Rec. 601 luma)") }
            if transparent > 0 { notes.append("\(source): \(transparent) image(s) with transparency composited onto black") }
            if stretched > 0 { notes.append("\(source): \(stretched) float image(s) outside [0, 1] stretched to [0, 1]") }
            if skippedDatasets > 0 { notes.append("\(source): \(skippedDatasets) HDF5 dataset(s) that are not 2-D images skipped") }
            if !folder.ignored.isEmpty {
                notes.append("\(source): \(folder.ignored.count) file(s) that are not PNG, BMP, TIFF or HDF5 ignored, e.g. \(folder.ignored[0])")
            }
            return notes
        }
    }

    /// The images of the file at `relative`, each `[1, 1, H, W]` intensities in [0, 1].
    public func images(_ relative: String, report: inout Report) throws -> [Tensor] {
        let path = (root as NSString).appendingPathComponent(relative)
        let images: [(tensor: Tensor, object: String?)]
        if ImageFile.format(of: relative) != nil {
            let d = try ImageFile.read(path: path)
            if d.isColour { report.colour += 1 }
            if d.hadAlpha { report.transparent += 1 }
            if d.image.isStretched { report.stretched += 1 }
            images = [(d.image.intensityTensor(), nil)]
        } else {
            images = try Self.hdf5Images(path, report: &report)
        }
        for (t, object) in images where min(t.shape[2], t.shape[3]) < Self.minimumSide {
            throw StorageError(.invalidValue, path: path, object: object,
                               "image is \(t.shape[3])×\(t.shape[2]) pixels; scene images need at least \(Self.minimumSide)×\(Self.minimumSide)")
        }
        return images.map(\.tensor)
    }

    /// Every 2-D float32/64, uint8 or uint16 dataset of an HDF5 file, in group order.
    static func hdf5Images(_ path: String, report: inout Report) throws -> [(tensor: Tensor, object: String?)] {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        var out: [(Tensor, String?)] = []
        func visit(_ group: String) throws {
            for name in try file.members(of: group) {
                let object = (group == "/" ? "" : group) + "/" + name
                switch try file.kind(of: object) {
                case .group?: try visit(object)
                case .dataset?:
                    if let t = try image(file, object, report: &report) { out.append((t, object)) } else { report.skippedDatasets += 1 }
                case nil: break
                }
            }
        }
        try visit("/")
        guard !out.isEmpty else {
            throw StorageError(.mismatch, path: path, "no 2-D image dataset (float32, float64, uint8 or uint16) in the file")
        }
        return out
    }

    /// The dataset at `object` as `[1, 1, H, W]` in [0, 1], or nil when it is not a 2-D image.
    static func image(_ file: HDF5File, _ object: String, report: inout Report) throws -> Tensor? {
        let info: (type: HDF5ElementType, shape: [Int])
        do { info = try file.datasetInfo(object) } catch let e as StorageError where e.kind == .unsupported { return nil }
        guard info.shape.count == 2 else { return nil }
        let (h, w) = (info.shape[0], info.shape[1])
        switch info.type {
        case .uint8:
            return Tensor(try file.read(UInt8.self, object).values.map { Float($0) / 255 }, shape: [1, 1, h, w])
        case .uint16:
            return Tensor(try file.read(UInt16.self, object).values.map { Float($0) / 65535 }, shape: [1, 1, h, w])
        case .float32, .float64:
            let t = try file.readTensor(object, requireFinite: true).reshaped([1, 1, h, w])
            guard t.count > 0 else { return t }
            let values = UnsafeBufferPointer(start: t.pointer, count: t.count)
            if values.min()! < 0 || values.max()! > 1 {
                stretch(t.pointer, count: t.count)
                report.stretched += 1
            }
            return t
        case .int32, .int64:
            return nil
        }
    }
}
