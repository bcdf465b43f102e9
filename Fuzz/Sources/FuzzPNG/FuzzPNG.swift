import Foundation
import FuzzSupport
import Storage
import Fabrication

let panel = try! SLMProfile(name: "fuzz", columns: 8, rows: 4, pixelPitch: 8e-6, bitDepth: 8, gray2Pi: 256,
                            designWavelength: 633e-9)

/// libFuzzer harness: the input decoded as a PNG (libpng simplified API), read as a camera frame and
/// as an SLM frame.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? PNGFile.decode(bytes(data, size), path: "input.png")
    _ = try? CameraFrameFile.decode(bytes(data, size), format: .png, path: "input.png")
    let path = temporaryFile(data, size, ext: "png")
    _ = try? SLMBitmap.read(path: path, profile: panel)
    return 0
}

@_cdecl("FuzzPNG_main")
public func fuzzPNGMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzPNG)
}
