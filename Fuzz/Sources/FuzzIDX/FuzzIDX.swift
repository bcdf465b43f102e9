import Foundation
import FuzzSupport
import Storage

/// libFuzzer harness: the input as an IDX image file and as a label file (plain or gzip), whole and
/// as a one-item prefix.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let path = temporaryFile(data, size, ext: "idx")
    _ = try? IDXFile.readImages(path: path)
    _ = try? IDXFile.readLabels(path: path)
    _ = try? IDXFile.readImages(path: path, limit: 1)
    return 0
}

@_cdecl("FuzzIDX_main")
public func fuzzIDXMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzIDX)
}
