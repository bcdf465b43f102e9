import Foundation
import XCTest

/// Bad option values and bad input files given to the built `phasemask` executable: each must end with a
/// non-zero exit status, exactly one line `Error: …` on standard error naming the option or file and the
/// problem, no crash, and nothing written where the output would have gone.
final class CLIValueTests: XCTestCase {
    struct Case {
        let arguments: [String]
        let fragments: [String]
    }

    /// `OUT` in the arguments is replaced by a path inside a fresh, empty folder.
    static let cases: [Case] = {
        let c = Fault.corpus
        let mask = "\(c)/design/valid.h5:/mask/phase"
        let tinyTrain = ["train", "--mode", "e2e", "--preset", "tiny", "--out", "OUT"]
        return [
            Case(arguments: tinyTrain + ["--levels", "1"], fragments: ["phase levels", "got 1"]),
            Case(arguments: tinyTrain + ["--size", "30", "--depth", "2"], fragments: ["image size 30 is not divisible by 2^depth = 4"]),
            Case(arguments: tinyTrain + ["--depth", "70"], fragments: ["depth", "got 70"]),
            Case(arguments: ["train", "--mode", "student", "--preset", "tiny", "--alpha", "0.7", "--beta", "0.5",
                             "--teacher", "\(c)/checkpoint/valid.h5", "--out", "OUT"], fragments: ["α + β = 1.2 exceeds 1"]),
            Case(arguments: ["model-info", "--size", "30", "--depth", "3"], fragments: ["--size 30", "divisible by 2^3"]),
            Case(arguments: ["design", "--levels", "1", "--work", "OUT/work", "--out", "OUT/masks"], fragments: ["phase levels", "got 1"]),
            Case(arguments: ["design", "--alpha", "0.8", "--beta", "0.4", "--work", "OUT/work", "--out", "OUT/masks"],
                 fragments: ["α + β =", "exceeds 1"]),
            Case(arguments: ["design", "--preset", "tiny", "--size", "30", "--work", "OUT/work", "--out", "OUT/masks"],
                 fragments: ["image size 30 is not divisible"]),
            Case(arguments: ["finetune", "--model", "\(c)/checkpoint/valid.h5", "--levels", "1", "--out", "OUT"],
                 fragments: ["--levels must be at least 2"]),
            Case(arguments: ["export", "--mask", mask, "--levels", "1", "--slm", "pluto-2", "--out", "OUT"],
                 fragments: ["levels", "got 1"]),
            Case(arguments: ["export", "--mask", mask, "--slm", "pluto-2", "--superpixel", "4611686018427387904", "--out", "OUT"],
                 fragments: ["superpixel 4611686018427387904 needs more pixels than any panel has"]),
            Case(arguments: ["export", "--mask", mask, "--slm", "pluto-2", "--oversampling", "4611686018427387904", "--out", "OUT"],
                 fragments: ["--oversampling must be in 1…16"]),
            Case(arguments: ["export", "--mask", mask, "--slm", "\(c)/slm-profile/bit-depth-33.json", "--out", "OUT"],
                 fragments: ["bit-depth-33.json", "bitDepth"]),
            Case(arguments: ["export", "--mask", mask, "--slm", "\(c)/slm-profile/zero-pitch.json", "--out", "OUT"],
                 fragments: ["zero-pitch.json", "pixelPitch"]),
            Case(arguments: ["export", "--mask", mask, "--slm", "pluto-2", "--lut", "\(c)/lut/non-numeric-phase.csv", "--out", "OUT"],
                 fragments: ["non-numeric-phase.csv", "'abc' is not a finite number"]),
            Case(arguments: ["export", "--model", "\(c)/checkpoint/nan-in-phi.h5", "--slm", "pluto-2", "--out", "OUT"],
                 fragments: ["nan-in-phi.h5", "NaN"]),
            Case(arguments: ["finetune", "--model", "\(c)/checkpoint/architecture-depth2-config-depth1-parameters.h5",
                             "--out", "OUT"], fragments: ["architecture-depth2-config-depth1-parameters.h5", "architecture"]),
            Case(arguments: ["evaluate", "--model", "\(c)/checkpoint/truncated-half.h5"], fragments: ["truncated-half.h5", "truncated"]),
            Case(arguments: ["verify", "\(c)/design/display-truncated-rows.h5"],
                 fragments: ["display-truncated-rows.h5", "/slm/display", "shape"]),
            Case(arguments: ["simulate", "--mask", "\(c)/bitmap/depth-24-bit.bmp", "--profile", "\(c)/slm-profile/valid.json",
                             "--size", "4x4", "--scene", "fashion-mnist:test:0", "--out", "OUT/cdp.h5"],
                 fragments: ["depth-24-bit.bmp"]),
            Case(arguments: ["train", "--mode", "e2e", "--preset", "tiny", "--data", "\(c)/idx", "--out", "OUT"],
                 fragments: ["train-images-idx3-ubyte.gz", "no such file"]),
            // Camera frames (the design in the corpus is one 8×8 mask).
            Case(arguments: ["import-frame", "\(c)/frame/two-pages.tif", "--mask", "\(c)/design/valid.h5", "--out", "OUT/cdp.h5"],
                 fragments: ["two-pages.tif", "the TIFF holds 2 pages"]),
            Case(arguments: ["import-frame", "\(c)/frame/valid-8-bit.tif", "--mask", "\(c)/design/valid.h5", "--bits", "7",
                             "--out", "OUT/cdp.h5"], fragments: ["--bits must be auto or 8…16, got '7'"]),
            Case(arguments: ["import-frame", "\(c)/frame/valid-8-bit.tif", "--mask", "\(c)/design/valid.h5", "--crop", "1,2,3",
                             "--out", "OUT/cdp.h5"], fragments: ["--crop must be X,Y,WIDTH,HEIGHT"]),
            Case(arguments: ["import-frame", "\(c)/frame/valid-8-bit.tif", "--mask", "\(c)/design/valid.h5", "--dark",
                             "\(c)/frame/valid-16-bit.png", "--out", "OUT/cdp.h5"], fragments: ["valid-16-bit.png: holds 16-bit data (16-bit PNG); the frame"]),
            Case(arguments: ["reconstruct", "--method", "gs", "--mask", "\(c)/design/valid.h5", "--frame",
                             "\(c)/frame/valid-8-bit.tif", "--out", "OUT/r.png"], fragments: ["--method must be one of unet, spectral, er, hio, wf"]),
            Case(arguments: ["reconstruct", "--method", "er", "--mask", "\(c)/design/valid.h5", "--cdp", "\(c)/design/valid.h5",
                             "--dark", "\(c)/frame/valid-8-bit.tif", "--out", "OUT/r.png"], fragments: ["apply to --frame"]),
            Case(arguments: ["reconstruct", "--mask", "\(c)/design/valid.h5", "--frame", "\(c)/frame/valid-8-bit.tif",
                             "--out", "OUT/r.png"], fragments: ["--method unet", "needs --model"]),
            Case(arguments: ["simulate", "--mask", "\(c)/design/valid.h5", "--scene", "fashion-mnist:test:0", "--out", "OUT/cdp.h5",
                             "--frame-tiff", "OUT/f.tif", "--frame-bits", "10"], fragments: ["--frame-bits: give 8, 12 or 16, got 10"]),
            Case(arguments: ["simulate", "--mask", "\(c)/design/valid.h5", "--scene", "fashion-mnist:test:0", "--out", "OUT/cdp.h5",
                             "--noise", "camera:photons=1e400,read=1"], fragments: ["--noise", "got photons=inf"]),
            Case(arguments: tinyTrain + ["--noise", "camera:photons=100,read=1,well=1000,bits=99999999999999999999"],
                 fragments: ["--noise", "bits must be a whole number in 1…32"]),
        ]
    }()

    func testBadValuesGiveOneLineErrorsAndNoOutput() throws {
        for testCase in Self.cases {
            let parent = try Fault.temporaryDirectory(self, "cli")
            let arguments = testCase.arguments.map { $0.replacingOccurrences(of: "OUT", with: parent + "/out") }
            let (status, _, err) = try PhaseMaskProcess.run(arguments, timeout: 60)
            let label = arguments.joined(separator: " ")
            XCTAssertTrue(status != 0 && status < 128, "\(label): exit status \(status) (expected a plain failure, not 0 or a signal)")
            let lines = err.split(whereSeparator: \.isNewline)
            XCTAssertEqual(lines.count, 1, "\(label): standard error should be one line, got:\n\(err)")
            XCTAssertTrue(err.hasPrefix("Error: "), "\(label): \(err)")
            for fragment in testCase.fragments {
                XCTAssertTrue(err.contains(fragment), "\(label): '\(err)' should mention '\(fragment)'")
            }
            XCTAssertEqual(Fault.listing(parent), [], "\(label) left files behind")
        }
    }
}
