import Optics
@testable import Pipeline
import Training
import XCTest

/// The scene model given to `design` and `experiment` reaches every run they train.
final class SceneModelOptionsTests: XCTestCase {
    let model = SceneModel(phaseMin: 0.5, phaseMax: 2.5, backgroundOffset: 0.1, amplitudeAtZero: 0.9, amplitudeAtOne: 1)

    func testDesignStagesUseTheModel() {
        var o = DesignPipeline.Options()
        XCTAssertEqual(o.teacherConfig().sceneModel, .standard)
        o.training.sceneModel = model
        XCTAssertEqual(o.teacherConfig().sceneModel, model)
        XCTAssertEqual(o.studentConfig(teacherCheckpoint: "t.h5").sceneModel, model)
    }

    func testExperimentRunsUseTheModel() {
        var o = Experiment.Options()
        o.training.sceneModel = model
        let e = Experiment(options: o) { _ in }
        XCTAssertEqual(e.teacherConfig(3, 1).sceneModel, model)
        XCTAssertEqual(e.studentConfig("t.h5", 1, cdp: true, feat: false).sceneModel, model)
        XCTAssertEqual(e.baselineConfig(.random, 1).sceneModel, model)
        XCTAssertEqual(Experiment(options: Experiment.Options()) { _ in }.baselineConfig(.e2e, 0).sceneModel, .standard)
    }
}
