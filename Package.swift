// swift-tools-version:6.0
// PhaseMask: coded phase mask design for single-snapshot phase retrieval.
// Dependencies point one way: TensorCore ← Autodiff ← {NeuralNetwork, Optics} ← Training;
// Fabrication needs Optics and Storage, never Training; Benchmarks sees Training and Fabrication, and
// only the CLI imports it (and Distributed, the Open MPI communicator); nothing imports the CLI.
import PackageDescription

/// Release builds use SwiftPM's `-O` everywhere, so the `precondition`s that guard the raw-pointer
/// kernels (shapes, counts, strides) and Swift's overflow and bounds checks stay on: a wrong shape stops
/// with a message instead of reading out of bounds. (`-Ounchecked`, used before 0.2, removed them;
/// docs/performance.md, "Checks in release builds", measures the difference.)
let numeric: [SwiftSetting] = []

let package = Package(
    name: "PhaseMask",
    products: [
        .executable(name: "phasemask", targets: ["phasemask"]),
        // The file readers, for the libFuzzer harnesses in Fuzz/ (a separate package, so `swift build`
        // and `swift test` here never compile fuzz targets).
        .library(name: "PhaseMaskReaders", targets: ["Storage", "Fabrication", "Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: module map + shim header, nothing else.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4",
                       providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        .target(name: "TensorCore", dependencies: ["CBLAS", "CFFTW"], swiftSettings: numeric),
        .target(name: "Autodiff", dependencies: ["TensorCore"], swiftSettings: numeric),
        .target(name: "Optics", dependencies: ["Autodiff"], swiftSettings: numeric),
        .target(name: "NeuralNetwork", dependencies: ["Autodiff"], swiftSettings: numeric),
        .target(name: "Storage", dependencies: ["TensorCore", "CHDF5", "CZlib", "CPNG", "CTIFF"]),
        .target(name: "Figures", dependencies: ["TensorCore", "Storage"]),
        .target(name: "Training", dependencies: ["NeuralNetwork", "Optics", "Storage"],
                swiftSettings: numeric),
        .target(name: "Fabrication", dependencies: ["TensorCore", "Optics", "Storage", "Figures"], swiftSettings: numeric),

        .target(name: "Pipeline", dependencies: ["Training", "Fabrication", "Figures"], swiftSettings: numeric),
        .target(name: "Benchmarks", dependencies: ["Training", "Fabrication"], swiftSettings: numeric),
        // Open MPI behind Training's `Communicator`; only the CLI wires it in (docs/scaling.md).
        .target(name: "Distributed", dependencies: ["CMPI", "Training"]),

        .executableTarget(name: "phasemask", dependencies: [
            "TensorCore", "Autodiff", "NeuralNetwork", "Optics", "Storage", "Training", "Fabrication", "Pipeline",
            "Benchmarks", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numeric),

        .target(name: "TestSupport", dependencies: ["TensorCore", "Autodiff", "Optics"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"]),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TestSupport"]),
        .testTarget(name: "OpticsTests", dependencies: ["Optics", "Storage", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "CZlib", "TestSupport"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Storage", "TensorCore"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Storage", "TestSupport"]),
        .testTarget(name: "FabricationTests", dependencies: ["Fabrication", "Storage", "TestSupport"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks"]),
        .testTarget(name: "FaultTests", dependencies: ["Storage", "Fabrication", "Training", "Pipeline", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
