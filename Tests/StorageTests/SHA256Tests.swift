import Foundation
import Storage
import XCTest

final class SHA256Tests: XCTestCase {
    /// The FIPS 180-4 examples (one block, two blocks, empty) and a million 'a's.
    func testPublishedVectors() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56/64-byte padding boundaries agree with the system's `sha256sum`.
    func testAgreesWithSha256sumAroundThePaddingBoundaries() throws {
        let tool = "/usr/bin/sha256sum"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: tool), "\(tool) not installed")
        let path = NSTemporaryDirectory() + "sha-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = [path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
            XCTAssertEqual(try SHA256.hex(ofFile: path), String(printed), "length \(length)")
        }
    }
}
