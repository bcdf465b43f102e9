import Foundation
import FuzzSupport
import Fabrication

/// libFuzzer harness: the input parsed as an SLM profile (JSON).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSLMProfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? SLMProfile.parse(json: Data(bytes(data, size)), source: "input.json")
    return 0
}

@_cdecl("FuzzSLMProfile_main")
public func fuzzSLMProfileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzSLMProfile)
}
