import Foundation
import Storage
import XCTest

final class AtomicFileTests: XCTestCase {
    private struct WriterFailed: Error {}

    func testWritesBytesAndLeavesNoTemporary() throws {
        let dir = try makeTemporaryDirectory(self)
        try AtomicFile.write([1, 2, 3], to: dir + "/a.bin")
        XCTAssertEqual(readBytes(dir + "/a.bin"), [1, 2, 3])
        try AtomicFile.write([9], to: dir + "/a.bin")
        XCTAssertEqual(readBytes(dir + "/a.bin"), [9])
        XCTAssertEqual(directoryListing(dir), ["a.bin"])
    }

    func testBodyWritesThroughTheTemporaryPath() throws {
        let dir = try makeTemporaryDirectory(self)
        let value = try AtomicFile.write(to: dir + "/b.txt") { temporary -> Int in
            XCTAssertNotEqual(temporary, dir + "/b.txt")
            XCTAssertTrue(temporary.hasPrefix(dir + "/"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/b.txt"))
            writeBytes(Array("hello".utf8), temporary)
            return 42
        }
        XCTAssertEqual(value, 42)
        XCTAssertEqual(readBytes(dir + "/b.txt"), Array("hello".utf8))
        XCTAssertEqual(directoryListing(dir), ["b.txt"])
    }

    func testThrowingWriterLeavesNoFile() throws {
        let dir = try makeTemporaryDirectory(self)
        XCTAssertThrowsError(try AtomicFile.write(to: dir + "/c.bin") { temporary in
            writeBytes([1, 2], temporary)
            throw WriterFailed()
        }) { XCTAssertTrue($0 is WriterFailed) }
        XCTAssertEqual(directoryListing(dir), [])
    }

    func testThrowingWriterPreservesAnExistingFile() throws {
        let dir = try makeTemporaryDirectory(self)
        writeBytes([5, 5, 5], dir + "/d.bin")
        XCTAssertThrowsError(try AtomicFile.write(to: dir + "/d.bin") { temporary in
            writeBytes([0], temporary)
            throw WriterFailed()
        })
        XCTAssertEqual(readBytes(dir + "/d.bin"), [5, 5, 5])
        XCTAssertEqual(directoryListing(dir), ["d.bin"])
    }

    func testStagingDiscardAndDeinitRemoveTheTemporary() throws {
        let dir = try makeTemporaryDirectory(self)
        let staging = try AtomicFile.Staging(destination: dir + "/e.bin")
        XCTAssertEqual(directoryListing(dir).count, 1)
        staging.discard()
        XCTAssertEqual(directoryListing(dir), [])
        do { _ = try AtomicFile.Staging(destination: dir + "/f.bin") }
        XCTAssertEqual(directoryListing(dir), [])
    }

    func testMissingDirectoryIsAnErrorNamingTheFile() throws {
        let dir = try makeTemporaryDirectory(self)
        assertStorageError(.io, [dir + "/nope/g.bin", "temporary"]) { try AtomicFile.write([1], to: dir + "/nope/g.bin") }
    }
}
