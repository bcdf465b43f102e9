import Foundation
import TestSupport
import XCTest

/// A test that runs `phasemask` in a scratch folder of its own (`dir`, removed afterwards).
class CLITestCase: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "phasemask-\(type(of: self))-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs `phasemask args…`, which must succeed.
    @discardableResult
    func run(_ args: [String]) throws -> CommandLineTool.Result {
        let r = try CommandLineTool.run(args)
        XCTAssertEqual(r.status, 0, "phasemask \(args.joined(separator: " ")) failed:\n\(r.output)\n\(r.error)")
        return r
    }

    /// The number after "PSNR " in the first line of `r` starting with `prefix` ("…: PSNR 12.34 dB…").
    func psnr(_ r: CommandLineTool.Result, _ prefix: String = "reconstructed ") throws -> Double {
        let line = try XCTUnwrap(r.lines(startingWith: prefix).first, r.output)
        let tail = try XCTUnwrap(line.components(separatedBy: "PSNR ").dropFirst().first, line)
        return try XCTUnwrap(Double(tail.prefix { $0 != " " }), line)
    }
}
