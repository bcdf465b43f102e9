import Fabrication
import Foundation
import Optics
import TensorCore
import TestSupport
import XCTest

/// Plain-loop CDPs without oversampling, y_bℓ = |DFT(exp(jφ_ℓ) ⊙ x_b)|², as the stand-in for the
/// optics' sensing model in these tests.
func naiveCDP(_ scenes: ComplexField, _ masks: Tensor) -> Tensor {
    let (b, l, h, w) = (scenes.shape[0], masks.shape[0], masks.shape[1], masks.shape[2])
    let modulated = ComplexField(uninitialized: [b * l, h, w])
    for s in 0..<b {
        for m in 0..<l {
            for i in 0..<(h * w) {
                let (re, im) = scenes[s * h * w + i]
                let phi = masks.pointer[m * h * w + i]
                let o = 2 * ((s * l + m) * h * w + i)
                modulated.pointer[o] = re * cos(phi) - im * sin(phi)
                modulated.pointer[o + 1] = re * sin(phi) + im * cos(phi)
            }
        }
    }
    let spectrum = naiveDFT2(modulated, sign: -1)
    let y = Tensor(uninitialized: [b, l, h, w])
    for i in 0..<y.count {
        let (re, im) = spectrum[i]
        y.pointer[i] = re * re + im * im
    }
    return y
}

/// A design (2 snapshots, 4×5, K = 8, 8-bit panel) exported with verification data into `dir` as "v".
func makeVerifiedFiles(_ dir: URL) throws -> (DesignExport, [String]) {
    let slm = try profile(columns: 16, rows: 13, gray2Pi: 218)
    let export = try DesignExport(mask: randomMask([2, 4, 5], seed: 60),
                                  settings: ExportSettings(constraints: try PhaseConstraints(levels: 8), profile: slm))
    let scenes = ComplexField(storage: randomMask([2, 4, 5, 2], seed: 61, range: -1...1))
    let v = try VerificationData.compute(scenes: scenes, export: export, oversampling: 1, measure: naiveCDP)
    let paths = try export.writeAll(to: dir, stem: "v", metadata: DesignMetadata(softwareVersion: "test"), verification: v)
    return (export, paths)
}

final class VerificationTests: XCTestCase {
    func testFreshExportPasses() throws {
        let (dir, cleanup) = try temporaryDirectory("verify-pass")
        defer { cleanup() }
        let (export, paths) = try makeVerifiedFiles(dir)
        let frames = (0..<2).map { export.framePath(directory: dir, stem: "v", snapshot: $0, format: .bmp) }
        let report = try DesignVerifier.verify(try DesignFile.read(path: paths[0]), frames: frames, measure: naiveCDP)
        XCTAssertTrue(report.passed, report.description)
        XCTAssertEqual(report.checks.count, 5)
        XCTAssertEqual(DesignVerifier.frameFiles(besides: try DesignFile.read(path: paths[0])), frames)
        XCTAssertLessThan(report.maxRelativeError, 1e-6)
    }

    func testOneChangedGrayValueInAFrameFileFails() throws {
        let (dir, cleanup) = try temporaryDirectory("verify-fail")
        defer { cleanup() }
        let (export, paths) = try makeVerifiedFiles(dir)
        let frames = (0..<2).map { export.framePath(directory: dir, stem: "v", snapshot: $0, format: .png) }
        let design = try DesignFile.read(path: paths[0])
        var frame = try SLMBitmap.read(path: frames[1], profile: design.profile)
        let (r, c) = (design.layout.top + 5, design.layout.left + 7)   // inside the design
        frame[r, c] = (frame[r, c] + 100) % 218
        try SLMBitmap.write(frame, profile: design.profile, format: .png, to: frames[1])
        let report = try DesignVerifier.verify(design, frames: frames, measure: naiveCDP)
        XCTAssertFalse(report.passed, report.description)
        let failed = report.checks.filter { !$0.passed }.map(\.name)
        XCTAssertEqual(failed, ["frame files equal /slm/display", "CDPs of the frame files vs /verification/cdp_display"])
        XCTAssertEqual(report.checks.first { $0.name == "frame files equal /slm/display" }?.differingPixels, 1)
    }

    func testRelativeErrorIsPerPattern() {
        let reference = Tensor([1, 2, 100, 200], shape: [1, 2, 1, 2])
        let a = Tensor([1, 2.2, 100, 201], shape: [1, 2, 1, 2])
        XCTAssertEqual(DesignVerifier.relativeError(a, reference), 0.1, accuracy: 1e-6)   // 0.2/2, not 0.2/200
        XCTAssertEqual(DesignVerifier.relativeError(reference, reference), 0)
    }
}

final class MaskSourceTests: XCTestCase {
    func testDesignAndFramesGiveTheSameDisplayedMask() throws {
        let (dir, cleanup) = try temporaryDirectory("mask-source")
        defer { cleanup() }
        let (export, paths) = try makeVerifiedFiles(dir)
        let quantized = try MaskSource.design(path: paths[0], displayed: false).load()
        XCTAssertTrue(bitIdentical(quantized, export.quantized.phases))
        let displayed = try MaskSource.design(path: paths[0], displayed: true).load()
        let frames = (0..<2).map { export.framePath(directory: dir, stem: "v", snapshot: $0, format: .png) }
        let fromFrames = try MaskSource.frames(paths: frames, profile: export.layout.profile, height: 4, width: 5,
                                               superpixel: nil, lut: nil).load()
        XCTAssertTrue(bitIdentical(displayed, fromFrames))
        XCTAssertThrowsError(try MaskSource.frames(paths: frames, profile: export.layout.profile, height: 40, width: 5,
                                                   superpixel: nil, lut: nil).load())
        XCTAssertThrowsError(try MaskSource.frames(paths: [], profile: export.layout.profile, height: 4, width: 5,
                                                   superpixel: nil, lut: nil).load())
    }
}
