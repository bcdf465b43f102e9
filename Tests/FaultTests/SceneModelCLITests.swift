import Foundation
import XCTest

/// A bad scene model given to the built `phasemask`: one line `Error: …` naming the option and the
/// problem, the usage exit status, and nothing left where the outputs would have gone.
final class SceneModelCLITests: XCTestCase {
    func testBadSceneModelsGiveOneLineErrorsAndNoOutput() throws {
        let cases: [(option: String, value: String, fragments: [String])] = [
            ("--phase-range", "2:1", ["--phase-range", "MIN < MAX", "2:1"]),
            ("--phase-range", "1:1", ["MIN < MAX"]),
            ("--phase-range", "0:7", ["0:7", "more than 2π"]),
            ("--phase-range", "-pi:1.5pi", ["more than 2π"]),
            ("--phase-range", "nan:1", ["'nan' is not a finite number"]),
            ("--phase-range", "0:inf", ["'inf' is not a finite number"]),
            ("--phase-range", "3", ["must be MIN:MAX", "'3'"]),
            ("--phase-range", "0:1:2", ["must be MIN:MAX"]),
            ("--phase-range", "zero:pi", ["'zero' is not an angle"]),
            ("--background-offset", "-0.1", ["--background-offset", "[0, π]"]),
            ("--background-offset", "4", ["[0, π]"]),
            ("--amplitude-range", "0:2", ["--amplitude-range", "[0, 1]"]),
        ]
        let commands: [[String]] = [
            ["train", "--mode", "e2e", "--preset", "tiny", "--data", "synthetic:blobs", "--threads", "1", "--out", "OUT/run"],
            ["design", "--preset", "tiny", "--snapshots", "2", "--data", "synthetic:blobs", "--threads", "1",
             "--work", "OUT/work", "--out", "OUT/masks"],
            ["experiment", "--preset", "tiny", "--seeds", "0", "--data", "synthetic:blobs", "--threads", "1", "--out", "OUT/exp"],
            // simulate checks the options before it opens the (missing) mask.
            ["simulate", "--mask", "OUT/missing.h5", "--scene", "OUT/missing.png", "--out", "OUT/cdp.h5"],
        ]
        for (option, value, fragments) in cases {
            for command in commands {
                let parent = try Fault.temporaryDirectory(self, "scene-model-out")
                let arguments = (command + [option, value]).map { $0.replacingOccurrences(of: "OUT", with: parent + "/out") }
                let (status, _, err) = try PhaseMaskProcess.run(arguments, timeout: 60)
                let label = arguments.joined(separator: " ")
                XCTAssertEqual(status, 64, "\(label): exit status \(status)")
                XCTAssertEqual(err.split(whereSeparator: \.isNewline).count, 1, "\(label): \(err)")
                XCTAssertTrue(err.hasPrefix("Error: "), "\(label): \(err)")
                for fragment in fragments { XCTAssertTrue(err.contains(fragment), "\(label): '\(err)' should mention '\(fragment)'") }
                XCTAssertEqual(Fault.listing(parent), [], "\(label) left files behind")
            }
        }
    }

    func testExportAndEvaluateRefuseBadRangesAndOffsetsBeforeReadingAnything() throws {
        let parent = try Fault.temporaryDirectory(self, "scene-model-export")
        let runs: [([String], String)] = [
            (["export", "--model", parent + "/none.h5", "--slm", "pluto-2", "--out", parent + "/x", "--phase-range", "1:0"], "MIN < MAX"),
            (["export", "--model", parent + "/none.h5", "--slm", "pluto-2", "--out", parent + "/x", "--phase-scale", "7"], "more than 2π"),
            (["export", "--model", parent + "/none.h5", "--slm", "pluto-2", "--out", parent + "/x", "--phase-range", "0:1",
              "--phase-scale", "1"], "not both"),
            (["simulate", "--mask", parent + "/none.h5", "--scene", "x.png", "--out", parent + "/c.h5", "--phase-range", "0:1",
              "--phase-scale", "1"], "not both"),
            (["evaluate", "--model", parent + "/none.h5", "--background-offset", "-pi"], "[0, π]"),
        ]
        for (arguments, fragment) in runs {
            let (status, _, err) = try PhaseMaskProcess.run(arguments, timeout: 60)
            XCTAssertEqual(status, 64, "\(arguments): \(err)")
            XCTAssertTrue(err.hasPrefix("Error: ") && err.contains(fragment), "\(arguments): \(err)")
            XCTAssertEqual(Fault.listing(parent), [], "\(arguments) left files behind")
        }
    }
}
