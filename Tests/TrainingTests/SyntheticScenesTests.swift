import TensorCore
@testable import Training
import XCTest

/// The procedural phase objects of `--data synthetic:…`: range, determinism, and what each kind is.
final class SyntheticScenesTests: XCTestCase {
    /// The minimum and maximum of scene `k` of a `[n, 1, h, w]` tensor.
    func extremes(_ t: Tensor, _ k: Int) -> (Float, Float) {
        let plane = t.shape[2] * t.shape[3]
        let values = UnsafeBufferPointer(start: t.pointer + k * plane, count: plane)
        return (values.min()!, values.max()!)
    }

    func testEveryGeneratorStaysInTheUnitRangeAtEvenAndOddSizes() {
        for kind in SyntheticKind.allCases {
            for size in [16, 23] {
                let t = SyntheticScenes.scenes([kind], split: .train, indices: 0..<24, size: size)
                XCTAssertEqual(t.shape, [24, 1, size, size])
                XCTAssertTrue(t.isFinite, "\(kind)")
                XCTAssertGreaterThanOrEqual(t.buffer.min()!, 0, "\(kind) at \(size)")
                XCTAssertLessThanOrEqual(t.buffer.max()!, 1, "\(kind) at \(size)")
                let varied = (0..<24).filter { let (lo, hi) = extremes(t, $0); return hi - lo > 0.1 }.count
                XCTAssertGreaterThanOrEqual(varied, 20, "\(kind) at \(size): most scenes should not be flat")
            }
        }
    }

    func testScenesAreDeterministicPerSeedAndIndex() {
        for kind in SyntheticKind.allCases {
            let a = SyntheticScenes.scenes([kind], split: .train, indices: 0..<6, size: 16)
            let b = SyntheticScenes.scenes([kind], split: .train, indices: 0..<6, size: 16)
            XCTAssertTrue(a.isBitIdentical(to: b), "\(kind)")
            // Scene 4 alone is scene 4 of the batch; a longer request starts with the same scenes.
            XCTAssertEqual(SyntheticScenes.scene(kind, index: 4, size: 16).array, a.slice(4..<5).array, "\(kind)")
            let longer = SyntheticScenes.scenes([kind], split: .train, indices: 0..<9, size: 16)
            XCTAssertEqual(longer.slice(0..<6).array, a.array, "\(kind)")
            // Other index, seed or split: another scene.
            XCTAssertNotEqual(a.slice(0..<1).array, a.slice(1..<2).array, "\(kind)")
            XCTAssertNotEqual(SyntheticScenes.scene(kind, index: 0, size: 16, seed: 7).array, a.slice(0..<1).array, "\(kind)")
            XCTAssertNotEqual(SyntheticScenes.scene(kind, split: .test, index: 0, size: 16).array, a.slice(0..<1).array, "\(kind)")
        }
    }

    func testThreadCountDoesNotChangeTheScenes() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = SyntheticScenes.scenes(SyntheticKind.allCases, split: .validation, indices: 0..<10, size: 16)
        Parallel.threads = 2
        let two = SyntheticScenes.scenes(SyntheticKind.allCases, split: .validation, indices: 0..<10, size: 16)
        XCTAssertTrue(one.isBitIdentical(to: two))
    }

    func testSeveralKindsTakeTurnsAndKeepTheirOwnStreams() {
        let mixed = SyntheticScenes.scenes([.smooth, .steps], split: .train, indices: 0..<4, size: 16)
        // Scene j is kind j % 2, drawn from (seed, split, kind, j): the same as asking that kind alone for j.
        XCTAssertEqual(mixed.slice(1..<2).array, SyntheticScenes.scene(.steps, index: 1, size: 16).array)
        XCTAssertEqual(mixed.slice(2..<3).array, SyntheticScenes.scene(.smooth, index: 2, size: 16).array)
    }

    func testSmoothAndZernikeFieldsSpanAtLeastAQuarterOfTheRange() {
        for kind in [SyntheticKind.smooth, .zernike] {
            let t = SyntheticScenes.scenes([kind], split: .train, indices: 0..<16, size: 16)
            for k in 0..<16 {
                let (lo, hi) = extremes(t, k)
                XCTAssertGreaterThanOrEqual(hi - lo, 0.25 - 1e-5, "\(kind) scene \(k)")
            }
        }
    }

    func testBlobsAndPolygonsLieOnAZeroBackground() {
        for kind in [SyntheticKind.blobs, .polygons] {
            let t = SyntheticScenes.scenes([kind], split: .train, indices: 0..<16, size: 32)
            let zeros = t.buffer.filter { $0 == 0 }.count
            XCTAssertGreaterThan(Double(zeros) / Double(t.count), 0.3, "\(kind): background should be zero phase")
            XCTAssertGreaterThan(t.buffer.max()!, 0.2, "\(kind): objects should stand out")
        }
    }

    func testPolygonsAreFlatAndStepTargetsArePiecewiseConstant() {
        let polygons = SyntheticScenes.scenes([.polygons], split: .train, indices: 0..<8, size: 32)
        let steps = SyntheticScenes.scenes([.steps], split: .train, indices: 0..<8, size: 32)
        for k in 0..<8 {
            // At most 6 polygons (one value each) and the background; at most 8 stair levels.
            XCTAssertLessThanOrEqual(Set(polygons.slice(k..<(k + 1)).array).count, 7, "polygons \(k)")
            let levels = Set(steps.slice(k..<(k + 1)).array).count
            XCTAssertTrue((2...8).contains(levels), "steps \(k): \(levels) levels")
        }
    }

    func testSmoothFieldIsTheSumOfItsPlaneWaves() {
        let waves = [SmoothField.Wave(u: 1.5, v: -0.5, a: 0.8, phase: 0.3), SmoothField.Wave(u: 0, v: 2.25, a: -1.2, phase: 2)]
        let n = 9
        var plane = [Float](repeating: .nan, count: n * n)
        SmoothField.sum(waves, size: n, into: &plane)
        for r in 0..<n {
            for c in 0..<n {
                let x = (Double(c) + 0.5) / Double(n), y = (Double(r) + 0.5) / Double(n)
                let direct = waves.reduce(0.0) { $0 + $1.a * cos(2 * Double.pi * ($1.u * x + $1.v * y) + $1.phase) }
                XCTAssertEqual(Double(plane[r * n + c]), direct, accuracy: 1e-5, "pixel (\(r), \(c))")
            }
        }
    }

    func testZernikeRadialPolynomials() {
        for rho in [0.0, 0.3, 0.7, 1.0] {
            XCTAssertEqual(ZernikeAberration.radial(n: 2, m: 0, rho: rho), 2 * rho * rho - 1, accuracy: 1e-12)
            XCTAssertEqual(ZernikeAberration.radial(n: 3, m: 1, rho: rho), 3 * pow(rho, 3) - 2 * rho, accuracy: 1e-12)
            XCTAssertEqual(ZernikeAberration.radial(n: 4, m: 0, rho: rho), 6 * pow(rho, 4) - 6 * rho * rho + 1, accuracy: 1e-12)
            XCTAssertEqual(ZernikeAberration.radial(n: 4, m: 2, rho: rho), 4 * pow(rho, 4) - 3 * rho * rho, accuracy: 1e-12)
            XCTAssertEqual(ZernikeAberration.radial(n: 5, m: 5, rho: rho), pow(rho, 5), accuracy: 1e-12)
        }
        XCTAssertEqual(ZernikeAberration.radial(n: 3, m: 0, rho: 0.5), 0, "n − m odd is not a Zernike polynomial")
        // Z₂² = ρ² cos 2θ, Z₂⁻² = ρ² sin 2θ.
        XCTAssertEqual(ZernikeAberration.zernike(n: 2, m: 2, rho: 0.5, theta: 0.3), 0.25 * cos(0.6), accuracy: 1e-12)
        XCTAssertEqual(ZernikeAberration.zernike(n: 2, m: -2, rho: 0.5, theta: 0.3), 0.25 * sin(0.6), accuracy: 1e-12)
        XCTAssertEqual(ZernikeAberration(size: 8).terms.count, 20, "orders 1…5 with every m")
    }

    func testPolygonContainment() {
        let square: [(x: Double, y: Double)] = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)]
        XCTAssertTrue(PolygonScene.contains(square, x: 0.5, y: 0.5))
        XCTAssertFalse(PolygonScene.contains(square, x: 0.9, y: 0.5))
        XCTAssertFalse(PolygonScene.contains(square, x: 0.5, y: 0.1))
        let triangle: [(x: Double, y: Double)] = [(0, 0), (1, 0), (0, 1)]
        XCTAssertTrue(PolygonScene.contains(triangle, x: 0.2, y: 0.2))
        XCTAssertFalse(PolygonScene.contains(triangle, x: 0.6, y: 0.6))
    }
}
