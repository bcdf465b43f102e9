import Foundation
import Pipeline
import XCTest

/// The file names of run folders, which checkpoints, logs, stage folders and tests rely on.
final class RunFolderTests: XCTestCase {
    func testRunFolderNamesItsFiles() {
        let folder = RunFolder("runs/teacher")
        XCTAssertEqual(folder.directory, "runs/teacher")
        XCTAssertEqual(folder.checkpoint, "runs/teacher/checkpoint.h5")
        XCTAssertEqual(folder.log, "runs/teacher/log.jsonl")
        XCTAssertEqual(RunFolder("out/").checkpoint, "out/checkpoint.h5")
    }

    func testStageFoldersOfDesignAndExperiment() {
        XCTAssertEqual(RunFolder.designStage("student", work: "runs/design"), RunFolder("runs/design/student"))
        XCTAssertEqual(RunFolder.designStage("finetune", work: "/tmp/w").checkpoint, "/tmp/w/finetune/checkpoint.h5")
        XCTAssertEqual(RunFolder.experimentSeed(2, output: "experiment"), "experiment/runs/seed2")
        XCTAssertEqual(RunFolder.experimentRun("teacher-L9", seed: 0, output: "/e"), RunFolder("/e/runs/seed0/teacher-L9"))
        XCTAssertEqual(RunFolder.experimentRun("e2e", seed: 1, output: "e").log, "e/runs/seed1/e2e/log.jsonl")
    }

    func testRecoveryFileLiesBesideTheDesign() {
        XCTAssertEqual(RunFolder.recoveryFile(besideDesign: "/masks/phasemask.h5"), "/masks/phasemask_recovery.h5")
        XCTAssertEqual(RunFolder.recoveryFile(besideDesign: "/a/b.c/design.h5"), "/a/b.c/design_recovery.h5")
    }
}
