import Foundation

/// libFuzzer's input callback type.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> Int32

/// Hands the process to libFuzzer.
///
/// Why a driver call and not libFuzzer's own `main`: SwiftPM links an executable target with
/// `--defsym main=<Module>_main`, so each harness defines `<Module>_main` (with `@_cdecl`) and calls
/// this, which runs libFuzzer with the harness's exported `LLVMFuzzerTestOneInput`.
public func runLibFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ callback: FuzzCallback) -> Int32 {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, callback)
}

/// The fuzz input as an array.
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Writes the input to a per-process temporary file with extension `ext` (for readers that take a path)
/// and returns its path; the file is rewritten on every call.
public func temporaryFile(_ data: UnsafePointer<UInt8>?, _ size: Int, ext: String) -> String {
    let path = NSTemporaryDirectory() + "phasemask-fuzz-\(getpid()).\(ext)"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot write \(path)")
    var offset = 0
    while offset < size, let data {
        let n = write(fd, data + offset, size - offset)
        precondition(n > 0, "cannot write \(path)")
        offset += n
    }
    close(fd)
    return path
}
