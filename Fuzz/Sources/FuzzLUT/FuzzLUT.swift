import Foundation
import FuzzSupport
import Fabrication
import Storage

/// libFuzzer harness: the input read as a gray→phase lookup table (CSV) and as a plain CSV table.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLUT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let path = temporaryFile(data, size, ext: "csv")
    _ = try? PhaseLUT.load(path: path, maxGray: 255)
    _ = try? PhaseLUT.load(path: path, maxGray: 1023)
    _ = try? CSVFile.read(path: path, header: .absent)
    return 0
}

@_cdecl("FuzzLUT_main")
public func fuzzLUTMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzLUT)
}
