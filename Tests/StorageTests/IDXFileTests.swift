import Foundation
import Storage
import TestSupport
import XCTest

final class IDXFileTests: XCTestCase {
    /// An IDX image file body: 3 images of 2×3 with distinct pixel values.
    private func imageFile(count: UInt32 = 3, rows: UInt32 = 2, columns: UInt32 = 3, magic: UInt32 = 0x803,
                           pixels: Int? = nil) -> (bytes: [UInt8], pixels: [UInt8]) {
        let n = pixels ?? Int(count * rows * columns)
        let data = (0..<n).map { UInt8(($0 * 37 + 5) % 256) }
        return (be32(magic) + be32(count) + be32(rows) + be32(columns) + data, data)
    }

    func testReadsGzipImagesAndLabels() throws {
        let dir = try makeTemporaryDirectory(self)
        let (bytes, pixels) = imageFile()
        writeBytes(gzipCompress(bytes), dir + "/img.gz")
        writeBytes(gzipCompress(be32(0x801) + be32(3) + [7, 0, 9]), dir + "/lab.gz")

        let images = try IDXFile.readImages(path: dir + "/img.gz")
        XCTAssertEqual(images.count, 3)
        XCTAssertEqual(images.rows, 2)
        XCTAssertEqual(images.columns, 3)
        XCTAssertEqual(images.pixels, pixels)
        XCTAssertEqual(Array(images.image(1)), Array(pixels[6..<12]))
        XCTAssertEqual(try IDXFile.readLabels(path: dir + "/lab.gz"), [7, 0, 9])

        let t = images.tensor(1..<3)
        XCTAssertEqual(t.shape, [2, 1, 2, 3])
        XCTAssertEqual(t[1, 0, 1, 2], Float(pixels[17]) / 255)
    }

    func testLimitReadsOnlyAPrefix() throws {
        let dir = try makeTemporaryDirectory(self)
        let (bytes, pixels) = imageFile()
        writeBytes(gzipCompress(bytes), dir + "/img.gz")
        let two = try IDXFile.readImages(path: dir + "/img.gz", limit: 2)
        XCTAssertEqual(two.count, 2)
        XCTAssertEqual(two.pixels, Array(pixels.prefix(12)))
        XCTAssertEqual(try IDXFile.readImages(path: dir + "/img.gz", limit: 10).count, 3)
    }

    func testPlainIDXIsAccepted() throws {
        let dir = try makeTemporaryDirectory(self)
        let (bytes, pixels) = imageFile()
        writeBytes(bytes, dir + "/img-idx3-ubyte")
        XCTAssertEqual(try IDXFile.readImages(path: dir + "/img-idx3-ubyte").pixels, pixels)
    }

    func testBadMagicIsReported() throws {
        let dir = try makeTemporaryDirectory(self)
        writeBytes(gzipCompress(imageFile(magic: 0x801).bytes), dir + "/img.gz")
        assertStorageError(.corrupt, [dir + "/img.gz", "bad magic", "00000801"]) {
            try IDXFile.readImages(path: dir + "/img.gz")
        }
        writeBytes(gzipCompress(be32(0x803) + be32(1)), dir + "/lab.gz")
        assertStorageError(.corrupt, ["lab.gz", "bad magic"]) { try IDXFile.readLabels(path: dir + "/lab.gz") }
    }

    func testTruncatedDataIsReported() throws {
        let dir = try makeTemporaryDirectory(self)
        writeBytes(gzipCompress(imageFile(pixels: 17).bytes), dir + "/img.gz")
        assertStorageError(.truncated, ["img.gz", "truncated", "announces 3"]) {
            try IDXFile.readImages(path: dir + "/img.gz")
        }
    }

    func testExtraDataIsAWrongCount() throws {
        let dir = try makeTemporaryDirectory(self)
        writeBytes(gzipCompress(imageFile(pixels: 24).bytes), dir + "/img.gz")
        assertStorageError(.mismatch, ["img.gz", "wrong count"]) { try IDXFile.readImages(path: dir + "/img.gz") }
        // A prefix read does not look past the requested images.
        XCTAssertEqual(try IDXFile.readImages(path: dir + "/img.gz", limit: 1).count, 1)
    }

    func testTruncatedGzipStreamIsReported() throws {
        let dir = try makeTemporaryDirectory(self)
        let gz = gzipCompress(imageFile().bytes)
        writeBytes(Array(gz.prefix(gz.count - 12)), dir + "/img.gz")
        assertStorageError(.truncated, ["img.gz", "gzip"]) { try IDXFile.readImages(path: dir + "/img.gz") }
    }

    func testCorruptGzipIsReported() throws {
        let dir = try makeTemporaryDirectory(self)
        var gz = gzipCompress(imageFile().bytes)
        gz[gz.count - 6] ^= 0xff   // inside the CRC-32 / length trailer
        writeBytes(gz, dir + "/img.gz")
        assertStorageError(.corrupt, ["img.gz", "bad gzip"]) { try IDXFile.readImages(path: dir + "/img.gz") }
        writeBytes(imageFile().bytes, dir + "/notgz.gz")
        assertStorageError(.corrupt, ["notgz.gz", "gzip"]) { try IDXFile.readImages(path: dir + "/notgz.gz") }
    }

    func testMissingFileNamesTheDebianPackageForTheDefaultDirectory() throws {
        let dir = try makeTemporaryDirectory(self)
        assertStorageError(.notFound, [dir + "/none.gz", "no such file"]) { try IDXFile.readLabels(path: dir + "/none.gz") }
        let missing = IDXFile.fashionMNISTDirectory + "/no-such-split-images-idx3-ubyte.gz"
        assertStorageError(.notFound, [missing, "dataset-fashion-mnist"]) { try IDXFile.readImages(path: missing) }
    }

    func testFashionMNISTTestSetHeaderWhenInstalled() throws {
        let paths = IDXFile.fashionMNISTPaths(.test)
        try XCTSkipIf(FashionMNISTFixture.missing != nil, FashionMNISTFixture.missing ?? "")
        let (images, labels) = try IDXFile.readFashionMNIST(.test, limit: 5)
        XCTAssertEqual(images.count, 5)
        XCTAssertEqual(images.rows, 28)
        XCTAssertEqual(images.columns, 28)
        XCTAssertEqual(labels.count, 5)
        XCTAssertTrue(labels.allSatisfy { $0 < 10 })
    }
}
