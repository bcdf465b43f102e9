import Fabrication
import Foundation
import Pipeline
import Storage
import Training
import XCTest

/// Every file in Tests/Corpus/<reader>/ goes through its reader. A bad file must give one error line that
/// names the file and contains the fragment Tests/Corpus/expectations.tsv lists for it (case-insensitive);
/// a file listed as `OK` must load. A crash or trap fails the whole test run, so every case also proves
/// the reader survives it. Every file must be listed, and every listed file must exist.
final class CorpusTests: XCTestCase {
    /// The 8×4 8-bit panel the bitmap corpus is made for.
    static let panel = try! SLMProfile(name: "corpus panel", columns: 8, rows: 4, pixelPitch: 8e-6, bitDepth: 8,
                                       gray2Pi: 256, designWavelength: 633e-9)

    /// Reads one corpus file with the reader of its folder.
    static func read(_ reader: String, _ path: String) throws {
        switch reader {
        case "idx":
            if path.contains("labels") { _ = try IDXFile.readLabels(path: path) } else { _ = try IDXFile.readImages(path: path) }
        case "bitmap": _ = try SLMBitmap.read(path: path, profile: panel)
        case "gds": _ = try GDSReader.read(contentsOf: URL(fileURLWithPath: path))
        case "slm-profile": _ = try SLMProfile.load(contentsOf: URL(fileURLWithPath: path))
        case "lut": _ = try PhaseLUT.load(path: path, maxGray: 255)
        case "frame": _ = try CameraFrameFile.read(path: path)
        case "checkpoint": _ = try Checkpoint.load(path)
        case "design":
            let report = try VerifyJob.run(file: path, frames: [])
            if !report.passed { throw FabricationError(path, "verify failed: \(report.description)") }
        default: XCTFail("no reader for corpus folder \(reader)")
        }
    }

    /// `reader/file` → expected fragment, from expectations.tsv.
    static func expectations() throws -> [String: String] {
        let text = try String(contentsOfFile: Fault.corpus + "/expectations.tsv", encoding: .utf8)
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            precondition(parts.count == 2, "expectations.tsv: bad line '\(line)'")
            table[parts[0]] = parts[1]
        }
        return table
    }

    func check(_ reader: String) throws {
        let expected = try Self.expectations().filter { $0.key.hasPrefix(reader + "/") }
        let files = try FileManager.default.contentsOfDirectory(atPath: Fault.corpus + "/" + reader).sorted()
        XCTAssertGreaterThan(files.count, 3, "corpus \(reader) is nearly empty")
        for name in files {
            let key = reader + "/" + name, path = Fault.corpus + "/" + key
            guard let fragment = expected[key] else { XCTFail("\(key) is not listed in expectations.tsv"); continue }
            do {
                try Self.read(reader, path)
                XCTAssertEqual(fragment, "OK", "\(key) loaded, but should fail with '\(fragment)'")
            } catch {
                let message = "\(error)"
                XCTAssertNotEqual(fragment, "OK", "\(key) should load: \(message)")
                XCTAssertFalse(message.contains("\n"), "\(key): the error is not one line: \(message)")
                XCTAssertTrue(message.contains(path), "\(key): the error does not name the file: \(message)")
                if fragment != "OK" {
                    XCTAssertTrue(message.lowercased().contains(fragment.lowercased()),
                                  "\(key): '\(message)' should mention '\(fragment)'")
                }
            }
        }
        for key in expected.keys where !files.contains(String(key.dropFirst(reader.count + 1))) {
            XCTFail("expectations.tsv lists \(key), which is not in the corpus")
        }
    }

    func testIDX() throws { try check("idx") }
    func testBitmaps() throws { try check("bitmap") }
    func testGDSII() throws { try check("gds") }
    func testSLMProfiles() throws { try check("slm-profile") }
    func testLookupTables() throws { try check("lut") }
    func testCameraFrames() throws { try check("frame") }
    func testCheckpoints() throws { try check("checkpoint") }
    func testDesignFiles() throws { try check("design") }
}
