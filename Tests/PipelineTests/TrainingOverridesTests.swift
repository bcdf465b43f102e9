import Optics
@testable import Pipeline
import Training
import XCTest

/// `train`, `design` and `experiment` build their configurations by laying one `TrainingOverrides` over
/// a preset. Each comparison is with the configuration built field by field, as the commands built it
/// before they shared the overrides.
final class TrainingOverridesTests: XCTestCase {
    let sources = [DataSource(.synthetic([.smooth, .blobs])), DataSource(.synthetic([.steps]), weight: 2)]
    let model = SceneModel(phaseMin: 0, phaseMax: 2, backgroundOffset: 0.1)

    func testNoOverridesGiveThePreset() {
        for preset in Preset.allCases {
            for mode in [TrainingMode.teacher, .e2e, .random] {
                XCTAssertEqual(TrainingOverrides().config(preset: preset, mode: mode), preset.config(mode: mode))
            }
            var student = preset.config(mode: .student)
            student.alpha = TrainingConfig.defaultStudentAlpha
            student.beta = TrainingConfig.defaultStudentBeta
            XCTAssertEqual(TrainingOverrides().config(preset: preset, mode: .student), student)
        }
    }

    /// `train`: every option replaces its field; a student keeps the default α, β unless they are given.
    func testTrainOptionsReplaceTheirFields() {
        var o = TrainingOverrides()
        o.size = 32; o.depth = 3; o.channels = 8; o.iterations = 7; o.weighting = .intensity
        o.globalPhase = .constantStart; o.epochs = 3; o.batchSize = 8; o.learningRate = 1e-3
        o.schedule = .cosine; o.warmupFraction = 0.1; o.beta = 0.25; o.rho = 0.01; o.levels = 4
        o.stroke = 1.5 * .pi; o.noise = .gaussian(snrDB: 25); o.trainSize = 64; o.validationSize = 8
        o.testSize = 8; o.seed = 11; o.dataSources = sources; o.sceneModel = model
        o.teacherCheckpoint = "t.h5"; o.initFromTeacher = true; o.useCDPLoss = false; o.useFeatureLoss = true
        o.kdNormalization = .energy

        var c = Preset.quick.config(mode: .student)
        c.size = 32; c.depth = 3; c.channels = 8; c.iterations = 7; c.weighting = .intensity
        c.globalPhase = .constantStart; c.epochs = 3; c.batchSize = 8; c.learningRate = 1e-3
        c.schedule = .cosine; c.warmupFraction = 0.1; c.alpha = 0.9; c.beta = 0.25; c.rho = 0.01; c.levels = 4
        c.stroke = 1.5 * .pi; c.noise = .gaussian(snrDB: 25); c.trainSize = 64; c.validationSize = 8
        c.testSize = 8; c.seed = 11; c.dataSources = sources; c.sceneModel = model
        c.teacherCheckpoint = "t.h5"; c.initFromTeacher = true; c.useCDPLoss = false; c.useFeatureLoss = true
        c.kdNormalization = .energy
        XCTAssertEqual(o.config(preset: .quick, mode: .student), c)
        XCTAssertEqual(c.phaseScale, 2)

        var teacher = TrainingOverrides()
        teacher.snapshots = 3; teacher.alpha = 0.5
        var t = Preset.tiny.config(mode: .teacher)
        t.snapshots = 3; t.alpha = 0.5
        XCTAssertEqual(teacher.config(preset: .tiny, mode: .teacher), t)
    }

    /// A lone FashionMNIST source is stored as the data directory, as `--data DIR` always was.
    func testDataSourcesGoThroughSetDataSources() {
        var o = TrainingOverrides()
        o.dataSources = [DataSource(.fashionMNIST(directory: "/data/fm"))]
        let c = o.config(preset: .tiny, mode: .e2e)
        XCTAssertEqual(c.dataDirectory, "/data/fm")
        XCTAssertEqual(c.dataSources, [])
        o.dataSources = []
        XCTAssertEqual(o.config(preset: .tiny, mode: .e2e), Preset.tiny.config(mode: .e2e))
    }

    func designOptions() -> DesignPipeline.Options {
        var o = DesignPipeline.Options()
        o.preset = .tiny
        o.training.snapshots = 5; o.training.size = 32; o.training.epochs = 3; o.training.trainSize = 64
        o.training.testSize = 16; o.training.levels = 4; o.training.stroke = 1.8 * .pi; o.training.rho = 0.02
        o.training.seed = 4; o.training.dataSources = sources; o.training.globalPhase = .randomStart
        o.training.weighting = .truncated(fraction: 0.3); o.training.schedule = .cosine
        o.training.noise = .poisson(photonsPerPixel: 500); o.training.sceneModel = model
        o.studentEpochs = 2; o.alpha = 0.7; o.beta = 0.2; o.initFromTeacher = false
        return o
    }

    /// The settings every design stage shared, as `DesignPipeline.Options.apply` set them.
    func sharedDesignSettings(_ c: inout TrainingConfig) {
        c.size = 32; c.trainSize = 64; c.testSize = 16; c.levels = 4; c.stroke = 1.8 * .pi; c.rho = 0.02
        c.seed = 4; c.setDataSources(sources); c.globalPhase = .randomStart
        c.weighting = .truncated(fraction: 0.3); c.schedule = .cosine
        c.noise = .poisson(photonsPerPixel: 500); c.sceneModel = model
    }

    func testDesignStagesGetTheSettingsTheyHad() {
        let o = designOptions()
        var teacher = Preset.tiny.config(mode: .teacher)
        teacher.snapshots = 5
        sharedDesignSettings(&teacher)
        teacher.epochs = 3
        XCTAssertEqual(o.teacherConfig(), teacher)

        var student = Preset.tiny.config(mode: .student)
        sharedDesignSettings(&student)
        student.epochs = 2; student.alpha = 0.7; student.beta = 0.2; student.initFromTeacher = false
        student.teacherCheckpoint = "w/teacher/checkpoint.h5"
        XCTAssertEqual(o.studentConfig(teacherCheckpoint: "w/teacher/checkpoint.h5"), student)

        var sameEpochs = o
        sameEpochs.studentEpochs = nil
        XCTAssertEqual(sameEpochs.studentConfig(teacherCheckpoint: "t").epochs, 3, "the student trains as long as the teacher")
        XCTAssertEqual(o.settingsProblems(), [])
    }

    func testDesignSettingsProblemsCoverEveryStage() {
        var o = designOptions()
        o.alpha = 0.8; o.beta = 0.4
        o.fineTuneEpochs = 0
        XCTAssertEqual(o.settingsProblems().count, 2, "\(o.settingsProblems())")
        XCTAssertTrue(o.settingsProblems()[0].hasPrefix("α + β = "), "the student's problem, found before any training")
        XCTAssertEqual(o.settingsProblems()[1], "fine-tuning epochs must be at least 1, got 0")
        o = designOptions()
        o.training.levels = 1
        XCTAssertEqual(o.settingsProblems(), ["phase levels must be in 2…65536, got 1"], "one line for both stages")
    }

    func testExperimentRunsGetTheSettingsTheyHad() {
        var o = Experiment.Options()
        o.preset = .tiny
        o.training.epochs = 2; o.training.trainSize = 32; o.training.testSize = 8
        o.training.dataSources = sources; o.training.sceneModel = model
        o.alpha = 0.6; o.beta = 0.3; o.initFromTeacher = false
        let e = Experiment(options: o) { _ in }
        func shared(_ c: inout TrainingConfig, seed: UInt64) {
            c.epochs = 2; c.trainSize = 32; c.testSize = 8; c.seed = seed; c.setDataSources(sources); c.sceneModel = model
        }
        var teacher = Preset.tiny.config(mode: .teacher)
        teacher.snapshots = 3
        shared(&teacher, seed: 5)
        XCTAssertEqual(e.teacherConfig(3, 5), teacher)

        var student = Preset.tiny.config(mode: .student)
        shared(&student, seed: 5)
        student.teacherCheckpoint = "t.h5"; student.alpha = 0.6; student.beta = 0.3
        student.useCDPLoss = false; student.useFeatureLoss = true; student.initFromTeacher = false
        XCTAssertEqual(e.studentConfig("t.h5", 5, cdp: false, feat: true), student)

        for mode in [TrainingMode.e2e, .random] {
            var baseline = Preset.tiny.config(mode: mode)
            shared(&baseline, seed: 1)
            XCTAssertEqual(e.baselineConfig(mode, 1), baseline)
        }
        XCTAssertEqual(o.settingsProblems(), [])
        o.beta = 0.5
        XCTAssertEqual(o.settingsProblems().count, 1)
        XCTAssertTrue(o.settingsProblems()[0].contains("exceeds 1"), o.settingsProblems()[0])
    }
}
