// swift-tools-version:6.0
// libFuzzer harnesses for PhaseMask's file readers, one executable per reader. Build and run them with
// `make fuzz` (docs/robustness.md). A separate package, so the main package's `swift build` and
// `swift test` never compile fuzz targets. Build flags (Swift 6.3 on Linux):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let readers = ["IDX", "HDF5", "PNG", "BMP", "TIFF", "GDSII", "SLMProfile", "LUT"]

let package = Package(
    name: "PhaseMaskFuzz",
    dependencies: [.package(name: "PhaseMask", path: "..")],
    targets: [.target(name: "FuzzSupport", dependencies: [.product(name: "PhaseMaskReaders", package: "PhaseMask")])]
        + readers.map { reader in
            .executableTarget(name: "Fuzz\(reader)", dependencies: [
                "FuzzSupport", .product(name: "PhaseMaskReaders", package: "PhaseMask"),
            ])
        },
    swiftLanguageModes: [.v5]
)
