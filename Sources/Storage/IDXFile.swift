import TensorCore

/// A block of 8-bit images read from an IDX file, stored image after image, row-major, row 0 at the
/// top of each image.
public struct IDXImages: Equatable, Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// `count · rows · columns` bytes.
    public let pixels: [UInt8]

    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        precondition(pixels.count == count * rows * columns, "IDXImages: \(pixels.count) bytes for \(count)×\(rows)×\(columns)")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }

    /// The bytes of image `index`.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image \(index) of \(count)")
        let size = rows * columns
        return pixels[index * size ..< (index + 1) * size]
    }

    /// Images `range` as a `[range.count, 1, rows, columns]` tensor of intensities in [0, 1]
    /// (byte / 255).
    public func tensor(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "images \(range) of \(count)")
        let size = rows * columns
        let t = Tensor(uninitialized: [range.count, 1, rows, columns])
        pixels.withUnsafeBufferPointer { p in
            let base = range.lowerBound * size
            for i in 0..<range.count * size { t.pointer[i] = Float(p[base + i]) / 255 }
        }
        return t
    }
}

/// Reader for the IDX format of MNIST and FashionMNIST, gzip-compressed (`.gz`) or plain.
///
/// Layout: a big-endian magic `0x000008dd` (0x08 = unsigned bytes, dd = number of dimensions), then
/// dd big-endian UInt32 dimensions, then the data. Images are `0x00000803` (count, rows, columns),
/// labels `0x00000801` (count). The whole file is checked: the data must be exactly as long as the
/// dimensions say, and a gzip file must pass its CRC check — except when `limit` asks for a prefix,
/// in which case only the bytes up to the requested images are decoded and checked.
public enum IDXFile {
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Where the Debian package `dataset-fashion-mnist` installs FashionMNIST.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    public enum Split: String, Sendable {
        case train
        case test = "t10k"
    }

    /// Reads an image file; with `limit`, only its first `limit` images.
    public static func readImages(path: String, limit: Int? = nil) throws -> IDXImages {
        let source = try IDXSource(path: path)
        let dims = try source.header(magic: imagesMagic, what: "images")
        let (count, rows, columns) = (dims[0], dims[1], dims[2])
        guard rows > 0 && columns > 0 && rows < 1 << 16 && columns < 1 << 16 else {
            throw StorageError(.corrupt, path: path, "implausible image size \(rows)×\(columns)")
        }
        let n = min(count, max(limit ?? count, 0))
        let pixels = try source.body(count: n, itemSize: rows * columns, declared: count, complete: n == count)
        return IDXImages(count: n, rows: rows, columns: columns, pixels: pixels)
    }

    /// Reads a label file; with `limit`, only its first `limit` labels.
    public static func readLabels(path: String, limit: Int? = nil) throws -> [UInt8] {
        let source = try IDXSource(path: path)
        let count = try source.header(magic: labelsMagic, what: "labels")[0]
        let n = min(count, max(limit ?? count, 0))
        return try source.body(count: n, itemSize: 1, declared: count, complete: n == count)
    }

    /// The paths of a FashionMNIST split in `directory`.
    public static func fashionMNISTPaths(_ split: Split, directory: String = fashionMNISTDirectory)
        -> (images: String, labels: String)
    {
        let prefix = directory + "/" + split.rawValue
        return (prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz")
    }

    /// Reads a FashionMNIST split (optionally its first `limit` examples) and checks that images and
    /// labels agree in count and that labels are classes 0…9.
    public static func readFashionMNIST(_ split: Split, limit: Int? = nil,
                                        directory: String = fashionMNISTDirectory) throws
        -> (images: IDXImages, labels: [UInt8])
    {
        let paths = fashionMNISTPaths(split, directory: directory)
        let images = try readImages(path: paths.images, limit: limit)
        let labels = try readLabels(path: paths.labels, limit: limit)
        guard images.count == labels.count else {
            throw StorageError(.mismatch, path: paths.labels,
                               "\(labels.count) labels for \(images.count) images in \(paths.images)")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw StorageError(.invalidValue, path: paths.labels, "label \(labels[bad]) at index \(bad) is not a class 0…9")
        }
        return (images, labels)
    }
}

/// The decoded byte stream of one IDX file, plain or gzip.
private final class IDXSource {
    let path: String
    private var gzip: GzipReader?
    private var plain: [UInt8] = []
    private var position = 0

    init(path: String) throws {
        self.path = path
        let isDefault = path.hasPrefix(IDXFile.fashionMNISTDirectory + "/")
        let hint = isDefault ? "install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)" : nil
        let bytes = try readFileBytes(path, hint: hint)
        if path.hasSuffix(".gz") || GzipReader.isGzip(bytes) {
            gzip = try GzipReader(compressed: bytes, path: path)
        } else {
            plain = bytes
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        if let gzip { return try gzip.read(count) }
        let end = min(plain.count, position + count)
        defer { position = end }
        return Array(plain[position..<end])
    }

    /// Reads and checks the magic number and returns the dimensions.
    func header(magic: UInt32, what: String) throws -> [Int] {
        let head = try read(4)
        guard head.count == 4 else { throw StorageError(.truncated, path: path, "file too short for an IDX header") }
        let found = bigEndian(head, 0)
        guard found == magic else {
            throw StorageError(.corrupt, path: path, "bad magic number 0x\(hex(found)) (IDX \(what) files start with 0x\(hex(magic)))")
        }
        let rank = Int(magic & 0xff)
        let dims = try read(4 * rank)
        guard dims.count == 4 * rank else { throw StorageError(.truncated, path: path, "file ends inside the IDX header") }
        return (0..<rank).map { Int(bigEndian(dims, 4 * $0)) }
    }

    /// Reads `count` items of `itemSize` bytes; when `complete`, also checks that the file holds
    /// exactly `declared` items and nothing after them.
    func body(count: Int, itemSize: Int, declared: Int, complete: Bool) throws -> [UInt8] {
        let (total, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow else { throw StorageError(.corrupt, path: path, "implausible dimensions in the IDX header") }
        let bytes = try read(total)
        guard bytes.count == total else {
            throw StorageError(.truncated, path: path,
                               "truncated: the header announces \(declared) items of \(itemSize) bytes but the data holds only \(bytes.count / itemSize)")
        }
        if complete {
            let extra = try gzip?.finish() ?? (plain.count - position)
            if extra > 0 {
                throw StorageError(.mismatch, path: path,
                                   "wrong count: \(extra) bytes follow the \(declared) items the header announces")
            }
        }
        return bytes
    }

    private func bigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}
