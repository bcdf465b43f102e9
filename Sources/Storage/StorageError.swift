/// The one error type of the Storage target.
///
/// Every error names the file it concerns and, for structured formats, the object inside it (an HDF5
/// path, a CSV line and column, a PNG chunk). `kind` lets callers and tests tell failures apart
/// without parsing the message.
public struct StorageError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file (or an object inside it) does not exist.
        case notFound
        /// The bytes are not the expected format: bad magic or signature, bad checksum, bad gzip.
        case corrupt
        /// The file ends before the data its header announces.
        case truncated
        /// The file is well formed but disagrees with what was asked: count, type, shape.
        case mismatch
        /// A valid file that uses a feature this reader does not implement.
        case unsupported
        /// The values are unusable (NaN/Inf where finite values are required, out of range).
        case invalidValue
        /// The operating system refused a read, write, rename or sync.
        case io
    }

    public let kind: Kind
    /// The file the error concerns.
    public let path: String
    /// The object inside the file (HDF5 path, "line 3, column 2", chunk name), or nil.
    public let object: String?
    public let message: String

    public init(_ kind: Kind, path: String, object: String? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.object = object
        self.message = message
    }

    public var description: String {
        if let object { return "\(path): \(object): \(message)" }
        return "\(path): \(message)"
    }
}
