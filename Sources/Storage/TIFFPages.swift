import CTIFF

extension TIFFFile {
    /// The number of pages (image file directories) of TIFF `bytes`; `path` names the source in errors.
    ///
    /// `read` and `decode` take the first page only; a reader for which further pages would be data
    /// (a camera frame, `CameraFrameFile`) asks this first and refuses a stack rather than dropping its
    /// pages silently. libtiff walks the directory chain (a loop in it is reported, not followed).
    public static func pageCount(_ bytes: [UInt8], path: String = "<memory>") throws -> Int {
        try checkSignature(bytes, path: path)
        return try bytes.withUnsafeBytes { memory in
            let handle = try TIFFHandle.reading(memory, path: path)
            let pages = Int(TIFFNumberOfDirectories(handle.tiff))
            guard pages >= 1 else { throw handle.failure("cannot count the pages of the file") }
            return pages
        }
    }
}
