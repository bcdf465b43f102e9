import Optics
import TensorCore
import TestSupport
import XCTest

/// The sensing model's single-slice transforms and `FFT`'s batched ones draw on one plan cache.
/// The sizes are used by no other test, so the plans are new to the cache when each test starts.
final class FFTPlanCacheTests: XCTestCase {
    func masks(snapshots: Int, height: Int, width: Int) -> Tensor {
        var rng = SeededGenerator(seed: 2)
        return CodedMasks.random(snapshots: snapshots, height: height, width: width, generator: &rng)
    }

    /// Without oversampling the sensing model transforms in place; `FFT` in place on one slice of the
    /// same size then finds both plans and makes none.
    func testFFTFindsTheSensingModelsPlans() throws {
        let (h, w) = (13, 7)
        let forward = FFTPlanCache.key(batch: 1, height: h, width: w, forward: true, inPlace: true, threads: 1)
        let inverse = FFTPlanCache.key(batch: 1, height: h, width: w, forward: false, inPlace: true, threads: 1)
        XCTAssertFalse(FFTPlanCache.contains(forward))
        _ = try SensingModel().measure(randomField([2, h, w], seed: 1), masks: masks(snapshots: 3, height: h, width: w))
        XCTAssertTrue(FFTPlanCache.contains(forward))
        XCTAssertTrue(FFTPlanCache.contains(inverse))
        let count = FFTPlanCache.count
        let x = randomField([1, h, w], seed: 3)
        FFT.forward(x, into: x)
        FFT.inverse(x, into: x)
        XCTAssertEqual(FFTPlanCache.count, count)
    }

    /// With oversampling 2 the sensing model transforms out of place at the padded size: after `FFT`
    /// has transformed one slice of that size out of place, the sensing model makes no plan.
    func testSensingModelFindsFFTsPlans() throws {
        let (h, w) = (9, 5)
        let x = randomField([1, 2 * h, 2 * w], seed: 4)
        _ = FFT.inverse(FFT.forward(x))
        XCTAssertTrue(FFTPlanCache.contains(
            FFTPlanCache.key(batch: 1, height: 2 * h, width: 2 * w, forward: true, inPlace: false, threads: 1)))
        let count = FFTPlanCache.count
        _ = try SensingModel(oversampling: 2).measure(randomField([2, h, w], seed: 5), masks: masks(snapshots: 3, height: h, width: w))
        XCTAssertEqual(FFTPlanCache.count, count)
    }
}
