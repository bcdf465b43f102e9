import Foundation
import FuzzSupport
import Storage

/// libFuzzer harness: the input as a TIFF (libtiff through TIFFHandle): its pages counted, its first
/// page decoded, and read as a camera frame (`CameraFrameFile`: page count, depth, justification).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTIFF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    _ = try? TIFFFile.pageCount(input, path: "input.tif")
    _ = try? TIFFFile.decode(input, path: "input.tif")
    _ = try? CameraFrameFile.decode(input, format: .tiff, path: "input.tif", bits: .auto)
    _ = try? CameraFrameFile.decode(input, format: .tiff, path: "input.tif", bits: .bits(12))
    return 0
}

@_cdecl("FuzzTIFF_main")
public func fuzzTIFFMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzTIFF)
}
