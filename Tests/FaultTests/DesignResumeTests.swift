import Foundation
import Storage
import XCTest

/// `phasemask design` killed inside its student stage and again inside its fine-tuning stage (named
/// stop points), then run again, must reuse the finished stages, resume the unfinished ones and end with
/// the checkpoints, design file and table of an uninterrupted design, bit for bit — on two threads.
/// This covers student resume, fine-tuning resume and the pipeline's stage reuse together.
final class DesignResumeTests: XCTestCase {
    func testKilledDesignResumesToTheUninterruptedResult() throws {
        let root = try Fault.temporaryDirectory(self, "design-resume")
        let panel = root + "/panel.json"
        try Data(#"{"name": "small", "columns": 40, "rows": 24, "pixelPitch": 8e-6, "bitDepth": 8, "gray2Pi": 256, "designWavelength": 633e-9}"#.utf8)
            .write(to: URL(fileURLWithPath: panel))
        // 64 training images in batches of 16: 4 steps per epoch. Teacher 1 epoch (steps 1–4 of a fresh
        // process), student 2 epochs (5–12), fine-tuning 2 epochs (13–20).
        func arguments(_ name: String) -> [String] {
            ["design", "--preset", "tiny", "--snapshots", "2", "--levels", "4", "--epochs", "1", "--student-epochs", "2",
             "--finetune-epochs", "2", "--train-size", "64", "--test-size", "8", "--data", "synthetic:smooth", "--slm", panel,
             "--threads", "2", "--work", root + "/" + name + "/work", "--out", root + "/" + name + "/masks", "--name", "d"]
        }
        let reference = try PhaseMaskProcess.run(arguments("reference"), timeout: 600)
        XCTAssertEqual(reference.status, 0, reference.err)

        let work = root + "/killed/work"
        // 1. Step 10: the student's second epoch, step 2 (its checkpoint holds epoch 1).
        let first = try PhaseMaskProcess(arguments("killed"), environment: [TestStopPoint.environmentVariable: "train-step:10"])
        first.wait(timeout: 600)
        XCTAssertEqual(first.endedBySignal, SIGKILL, first.errorOutput)
        XCTAssertEqual(try TinyTraining.logRecords(work + "/student").count, 1)
        // 2. The teacher is reused; the student resumes its second epoch (steps 1–4 of this process) and
        //    finishes; fine-tuning trains epoch 1 (5–8) and is killed at step 11, in its second epoch.
        let second = try PhaseMaskProcess(arguments("killed"), environment: [TestStopPoint.environmentVariable: "train-step:11"])
        second.wait(timeout: 600)
        XCTAssertEqual(second.endedBySignal, SIGKILL, second.errorOutput)
        let secondLines = second.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(secondLines.contains("teacher: reusing \(work)/teacher/checkpoint.h5 (finished, same settings)"), second.output)
        XCTAssertTrue(secondLines.contains("student: resuming \(work)/student/checkpoint.h5"), second.output)
        XCTAssertEqual(try TinyTraining.logRecords(work + "/finetune").count, 1)
        // 3. To the end: teacher and student reused, fine-tuning continued.
        let third = try PhaseMaskProcess.run(arguments("killed"), timeout: 600)
        XCTAssertEqual(third.status, 0, third.err)
        let thirdLines = third.out.split(separator: "\n").map(String.init)
        for line in ["teacher: reusing \(work)/teacher/checkpoint.h5 (finished, same settings)",
                     "student: reusing \(work)/student/checkpoint.h5 (finished, same settings)",
                     "finetune: continuing or reusing \(work)/finetune/checkpoint.h5", "verify: passed"] {
            XCTAssertTrue(thirdLines.contains(line), "missing '\(line)' in:\n\(third.out)")
        }

        for stage in ["teacher", "student", "finetune"] {
            let expected = try TinyTraining.state(root + "/reference/work/\(stage)/checkpoint.h5")
            let actual = try TinyTraining.state(work + "/\(stage)/checkpoint.h5")
            XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted(), stage)
            for (name, bits) in expected { XCTAssertTrue(actual[name] == bits, "\(stage): \(name) differs from the uninterrupted design") }
        }
        let a = try HDF5File.open(path: root + "/reference/masks/d.h5"), b = try HDF5File.open(path: root + "/killed/masks/d.h5")
        defer { try? a.close(); try? b.close() }
        for object in ["/mask/phase", "/mask/phase_continuous", "/verification/cdp"] {
            XCTAssertTrue(try a.readTensor(object).isBitIdentical(to: try b.readTensor(object)), "\(object) differs")
        }
        // The table's rows (system, PSNR, SSIM) are the same; only the timing line may differ.
        // Held-out rows (scenes the design was not trained on) are compared too, but only present when
        // FashionMNIST, the held-out source of a synthetic design, is installed.
        func rows(_ output: String) -> [String] {
            output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("teacher ") || $0.hasPrefix("student, ") }
        }
        XCTAssertEqual(rows(third.out), rows(reference.out))
        // teacher, continuous, quantized, fine-tuned, and the fine-tuned student refined by error reduction.
        XCTAssertEqual(rows(reference.out).filter { !$0.contains("(held out)") }.count, 5, reference.out)
    }
}
