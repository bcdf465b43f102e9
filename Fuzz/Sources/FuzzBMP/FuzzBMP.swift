import Foundation
import FuzzSupport
import Storage
import Fabrication

let panel = try! SLMProfile(name: "fuzz", columns: 8, rows: 4, pixelPitch: 8e-6, bitDepth: 8, gray2Pi: 256,
                            designWavelength: 633e-9)

/// libFuzzer harness: the input decoded as a BMP and read as an SLM frame.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBMP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? BMPFile.decode(bytes(data, size), path: "input.bmp")
    let path = temporaryFile(data, size, ext: "bmp")
    _ = try? SLMBitmap.read(path: path, profile: panel)
    return 0
}

@_cdecl("FuzzBMP_main")
public func fuzzBMPMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzBMP)
}
