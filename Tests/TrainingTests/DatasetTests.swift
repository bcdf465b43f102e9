import TensorCore
import TestSupport
import Training
import XCTest

final class DatasetTests: XCTestCase {
    func testSplitsHaveRequestedSizesAndRange() throws {
        try XCTSkipIf(FashionMNISTFixture.missing != nil, FashionMNISTFixture.missing ?? "")
        let dir = FashionMNISTFixture.directory
        let s = try SceneSplits.load(directory: dir, size: 16, trainSize: 20, validationSize: 10, testSize: 5)
        XCTAssertEqual(s.train.shape, [20, 1, 16, 16])
        XCTAssertEqual(s.validation.shape, [10, 1, 16, 16])
        XCTAssertEqual(s.test.shape, [5, 1, 16, 16])
        for t in [s.train, s.validation, s.test] {
            XCTAssertGreaterThanOrEqual(t.buffer.min()!, 0)
            XCTAssertLessThanOrEqual(t.buffer.max()!, 1)
            XCTAssertGreaterThan(t.sum(), 0)
        }
        // Same request → same images; a larger request starts with the same images.
        let again = try SceneSplits.load(directory: dir, size: 16, trainSize: 30, validationSize: 10, testSize: 8)
        XCTAssertEqual(again.train.slice(0..<20).array, s.train.array)
        XCTAssertEqual(again.test.slice(0..<5).array, s.test.array)
    }

    func testTooLargeSubsetIsRefused() {
        XCTAssertThrowsError(try SceneSplits.load(directory: "/nonexistent", size: 16, trainSize: 40_000,
                                                  validationSize: 1, testSize: 1)) { error in
            XCTAssertTrue("\(error)".contains("30000"))
        }
    }

    func testMissingDirectoryNamesThePackage() {
        XCTAssertThrowsError(try SceneSplits.load(directory: "/nonexistent", size: 16, trainSize: 1,
                                                  validationSize: 1, testSize: 1)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent"), "\(error)")
        }
    }
}
