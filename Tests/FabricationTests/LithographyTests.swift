import Fabrication
import Foundation
import Optics
import Storage
import TensorCore
import XCTest

final class LithographyTests: XCTestCase {
    let wavelength = 633e-9, index = 1.457, pitch = 8e-6

    func plan(levels k: Int, mask: Tensor, conjugated: Bool = false) throws -> (QuantizedMask, LithographyPlan) {
        let q = try PhaseQuantizer(try PhaseConstraints(levels: k)).quantize(mask)
        return (q, try LithographyPlan(q, wavelength: wavelength, refractiveIndex: index, pixelPitch: pitch,
                                       conjugated: conjugated))
    }

    func testEtchDepthsAddUpToEachLevelsHeight() throws {
        for k in [2, 4, 8, 16] {
            // One pixel per level: phase 2πℓ/K.
            let mask = Tensor((0..<k).map { Float(2 * Double.pi * Double($0) / Double(k)) }, shape: [1, 1, k])
            let (q, p) = try plan(levels: k, mask: mask)
            XCTAssertEqual(p.maskCount, k.trailingZeroBitCount)
            XCTAssertEqual(q.levelIndices, Array(0..<k))
            let heights = p.heightMap()
            for level in 0..<k {
                let etched = (1...p.maskCount).filter { p.etches(mask: $0, pixel: level) }.map { p.etchDepth(mask: $0) }.reduce(0, +)
                XCTAssertEqual(etched, p.height(level: level), accuracy: 1e-18)
                let fromPhase = Double(q.phases.pointer[level]) / (2 * Double.pi) * wavelength / (index - 1)
                XCTAssertEqual(Double(heights.pointer[level]), fromPhase, accuracy: 1e-12)
            }
            XCTAssertEqual(p.etchDepth(mask: 1), wavelength / (2 * (index - 1)), accuracy: 1e-18)
        }
    }

    func testMaskOneIsTheMostSignificantBit() throws {
        let mask = Tensor([0, Float.pi / 2, Float.pi, 3 * Float.pi / 2], shape: [1, 1, 4])
        let (_, p) = try plan(levels: 4, mask: mask)
        XCTAssertEqual(p.bitPlane(mask: 1, snapshot: 0), [false, false, true, true])
        XCTAssertEqual(p.bitPlane(mask: 2, snapshot: 0), [false, true, false, true])
        let (_, c) = try plan(levels: 4, mask: mask, conjugated: true)
        XCTAssertEqual(c.levelIndices, [0, 3, 2, 1])
    }

    func testRefusesLevelCountsThatAreNotPowersOfTwo() throws {
        let mask = randomMask([1, 2, 2], seed: 1)
        XCTAssertThrowsError(try plan(levels: 6, mask: mask)) { XCTAssertTrue("\($0)".contains("not a power of two")) }
        let q = try PhaseQuantizer(try PhaseConstraints(levels: 4, stroke: 1.5 * Double.pi)).quantize(mask)
        XCTAssertThrowsError(try LithographyPlan(q, wavelength: wavelength, refractiveIndex: index, pixelPitch: pitch))
        let full = try PhaseQuantizer(try PhaseConstraints(levels: 4)).quantize(mask)
        XCTAssertThrowsError(try LithographyPlan(full, wavelength: wavelength, refractiveIndex: 1, pixelPitch: pitch))
        XCTAssertThrowsError(try LithographyPlan(full, wavelength: 0, refractiveIndex: index, pixelPitch: pitch))
        XCTAssertThrowsError(try LithographyPlan(full, wavelength: wavelength, refractiveIndex: index, pixelPitch: 8.0005e-6))
    }

    func testGDSPolygonsCoverExactlyTheSetPixelsOfEachBitPlane() throws {
        let (h, w) = (5, 7)
        let (_, p) = try plan(levels: 8, mask: randomMask([2, h, w], seed: 4))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("litho-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("mask.gds")
        try GDSWriter.write(p.gdsLibrary(name: "PM"), to: url)
        let library = try GDSReader.read(contentsOf: url)
        XCTAssertEqual(library.structures.map(\.name), ["PM_S0", "PM_S1"])
        XCTAssertEqual(library.databaseUnitInMetres, 1e-9)
        let pitchNm = 8000
        for (l, structure) in library.structures.enumerated() {
            for i in 1...3 {
                var cover = [Int](repeating: 0, count: h * w)
                for b in structure.boundaries where b.layer == i {
                    XCTAssertEqual(b.datatype, 0)
                    XCTAssertEqual(b.points.count, 5)
                    XCTAssertEqual(b.points.first, b.points.last)
                    let xs = b.points.map { Int($0.x) }, ys = b.points.map { Int($0.y) }
                    let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
                    XCTAssertEqual(Set(b.points.map { [Int($0.x), Int($0.y)] }), [[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
                    for v in [x0, x1, y0, y1] { XCTAssertEqual(v % pitchNm, 0) }
                    XCTAssertEqual(y1 - y0, pitchNm)   // runs along rows
                    let row = h - y1 / pitchNm         // row 0 is the top edge
                    for c in (x0 / pitchNm)..<(x1 / pitchNm) { cover[row * w + c] += 1 }
                }
                let expected = p.bitPlane(mask: i, snapshot: l).map { $0 ? 1 : 0 }
                XCTAssertEqual(cover, expected, "snapshot \(l) mask \(i)")
            }
            XCTAssertTrue(structure.boundaries.allSatisfy { (1...3).contains($0.layer) })
        }
    }

    func testSummaryListsDepthsAndFeatureSizes() throws {
        // K = 2, one 3×4 plane; level 1 where "#".
        //   # # . #
        //   . . . #
        //   # # # #
        let bits: [Float] = [1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1]
        let (_, p) = try plan(levels: 2, mask: Tensor(bits.map { $0 * .pi }, shape: [1, 3, 4]))
        let f = p.features(mask: 1)
        XCTAssertEqual(f.polygonCount, 4)
        XCTAssertEqual(f.etchedPixels, 8)
        XCTAssertEqual(f.minFeatureWidth, 1)   // the lone "#" at the end of row 0
        XCTAssertEqual(f.minFeatureHeight, 1)  // column 0: #, ., #
        XCTAssertEqual(f.minGapWidth, 1)       // row 0: "." between # runs
        XCTAssertEqual(f.minGapHeight, 1)      // column 0 (row 1 between rows 0 and 2)
        let text = p.summary()
        XCTAssertTrue(text.contains(String(format: "%.2f", p.etchDepth(mask: 1) * 1e9)), text)
        XCTAssertTrue(text.contains("633.00 nm"), text)
        XCTAssertTrue(text.contains("8.000 µm"), text)
    }
}

final class LithographyFileTests: XCTestCase {
    func testFilesHoldTheBitPlanesAndTheLayout() throws {
        let (dir, cleanup) = try temporaryDirectory("litho-files")
        defer { cleanup() }
        let q = try PhaseQuantizer(try PhaseConstraints(levels: 4)).quantize(randomMask([2, 3, 5], seed: 8))
        let plan = try LithographyPlan(q, wavelength: 633e-9, refractiveIndex: 1.457, pixelPitch: 2e-6)
        let paths = try plan.writeFiles(to: dir, stem: "my design")
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["my design_S0_mask1.png", "my design_S0_mask2.png", "my design_S1_mask1.png",
                        "my design_S1_mask2.png", "my design.gds", "my design_fabrication.txt"])
        let png = try PNGFile.read(path: paths[2])
        XCTAssertEqual(png.sourceBitDepth, 1)
        XCTAssertEqual(png.image.pixels, .gray8(plan.bitPlane(mask: 1, snapshot: 1).map { $0 ? 255 : 0 }))
        let library = try GDSReader.read(contentsOf: URL(fileURLWithPath: paths[4]))
        XCTAssertEqual(library.structures.map(\.name), ["my_design_S0", "my_design_S1"])
        XCTAssertEqual(try String(contentsOfFile: paths[5], encoding: .utf8), plan.summary())
    }
}
