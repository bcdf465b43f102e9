import Foundation

/// The single-image files a user names by path — PNG, BMP and TIFF — told apart by extension, for
/// every place that reads "an image" (scene folders, `simulate --scene`).
public enum ImageFile {
    public enum Format: String, CaseIterable, Sendable {
        case png, bmp, tiff
    }

    /// The extensions `format(of:)` knows, lower case.
    public static let extensions: Set<String> = ["png", "bmp", "tif", "tiff"]

    /// The format named by `path`'s extension (case-insensitive `.png`, `.bmp`, `.tif`, `.tiff`), or nil.
    public static func format(of path: String) -> Format? {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return .png
        case "bmp": return .bmp
        case "tif", "tiff": return .tiff
        default: return nil
        }
    }

    /// Reads the image at `path` with the reader of its extension (`PNGFile`, `BMPFile`, `TIFFFile`).
    /// Throws `.unsupported`, naming the file, for any other extension.
    public static func read(path: String) throws -> DecodedImage {
        switch format(of: path) {
        case .png?: return try PNGFile.read(path: path)
        case .bmp?: return try BMPFile.read(path: path)
        case .tiff?: return try TIFFFile.read(path: path)
        case nil: throw StorageError(.unsupported, path: path, "not an image file name: use .png, .bmp, .tif or .tiff")
        }
    }
}
