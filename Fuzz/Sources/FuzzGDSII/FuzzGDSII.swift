import Foundation
import FuzzSupport
import Fabrication

/// libFuzzer harness: the input read as a GDSII stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGDSII(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? GDSReader.read(Data(bytes(data, size)), source: "input.gds")
    return 0
}

@_cdecl("FuzzGDSII_main")
public func fuzzGDSIIMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzGDSII)
}
