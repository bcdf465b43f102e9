import Foundation
import FuzzSupport
import Fabrication
import Storage
import Training

func walk(_ path: String) {
    guard let file = try? HDF5File.open(path: path) else { return }
    defer { try? file.close() }
    var pending = ["/"], visited = 0
    while let group = pending.popLast(), visited < 200 {
        visited += 1
        for name in (try? file.attributeNames(of: group)) ?? [] { _ = try? file.attribute(name, of: group) }
        for member in (try? file.members(of: group)) ?? [] {
            let object = group == "/" ? "/" + member : group + "/" + member
            switch try? file.kind(of: object) {
            case .group?: pending.append(object)
            case .dataset?:
                for name in (try? file.attributeNames(of: object)) ?? [] { _ = try? file.attribute(name, of: object) }
                if let info = try? file.datasetInfo(object) {
                    switch info.type {
                    case .float32, .float64: _ = try? file.readTensor(object)
                    case .int32: _ = try? file.read(Int32.self, object)
                    case .int64: _ = try? file.read(Int64.self, object)
                    case .uint8: _ = try? file.read(UInt8.self, object)
                    case .uint16: _ = try? file.read(UInt16.self, object)
                    }
                }
            default: break
            }
        }
    }
}

/// libFuzzer harness: the input as an HDF5 file (through a temporary file, libhdf5 needs a path):
/// every group, dataset and attribute read generically, then as a checkpoint and as a design file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHDF5(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let path = temporaryFile(data, size, ext: "h5")
    walk(path)
    _ = try? Checkpoint.load(path)
    _ = try? DesignFile.read(path: path)
    return 0
}

@_cdecl("FuzzHDF5_main")
public func fuzzHDF5Main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzzHDF5)
}
