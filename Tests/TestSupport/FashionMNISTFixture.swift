import Foundation

/// The one rule for the FashionMNIST dataset in tests (DEVELOPERS.md, "Tests and data"): no test needs it.
/// Tests that train, design, export or evaluate use procedural scenes (`--data synthetic:…`, or tensors
/// made in the test). Only the few tests whose subject is FashionMNIST itself — the IDX reader on the
/// installed files, the `fashion-mnist:` scene source, the recovery measurements docs/optics.md quotes
/// for FashionMNIST — read it, and they skip, with this message, where it is not installed:
///
///     try XCTSkipIf(FashionMNISTFixture.missing != nil, FashionMNISTFixture.missing ?? "")
public enum FashionMNISTFixture {
    /// The Debian package `dataset-fashion-mnist`'s folder (`IDXFile.fashionMNISTDirectory`).
    public static let directory = "/usr/share/datasets/fashion-mnist"

    /// Why a FashionMNIST test cannot run here, or nil when the four IDX files are installed.
    public static var missing: String? {
        let files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                     "t10k-labels-idx1-ubyte.gz"]
        guard let absent = files.first(where: { !FileManager.default.fileExists(atPath: directory + "/" + $0) }) else { return nil }
        return "FashionMNIST is not installed (no \(directory)/\(absent); Debian package dataset-fashion-mnist): "
            + "this test reads the dataset itself; every other test uses synthetic scenes"
    }
}
