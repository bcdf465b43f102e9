import Foundation
import Storage
import XCTest

final class DirectoryLockTests: XCTestCase {
    func testUnusedFolderIsRemovedWithTheParentsItCreatedButNothingElse() throws {
        let root = NSTemporaryDirectory() + "phasemask-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let lock = try DirectoryLock(directory: root + "/a/b/run")
        lock.removeFolderIfUnused()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [], "run, b and a were created by the lock")

        // A parent that existed before, or that gained a file meanwhile, stays.
        try FileManager.default.createDirectory(atPath: root + "/kept", withIntermediateDirectories: true)
        let second = try DirectoryLock(directory: root + "/kept/c/run")
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/kept/c/other.txt"))
        second.removeFolderIfUnused()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/kept/c"), ["other.txt"])
    }

    /// A relative folder whose parent is one letter (`--work w`): walking its parents once trapped inside
    /// Foundation; the created parents are still found and removed.
    func testRelativeFolderWithAOneLetterParent() throws {
        let root = NSTemporaryDirectory() + "phasemask-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        let lock = try DirectoryLock(directory: "w/teacher")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/w/teacher/.phasemask.lock"))
        lock.removeFolderIfUnused()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [], "teacher and w were created by the lock")
    }
}
