import Foundation
import Pipeline
import TestSupport
import XCTest

extension ExperimentEndToEndTests {
    /// The experiment of `arguments` again under `mpirun --oversubscribe -np 2` (docs/scaling.md): each
    /// run is trained once, by one of the two ranks, and rank 0 writes the results and the report the
    /// single process wrote into `single`: the same runs, names and scores bit for bit; only the timings
    /// (and the output folder in the command line) differ. The CI runs as root, so mpirun is told it may.
    func checkSpreadOverTwoRanks(_ arguments: [String], single: String, results: [Experiment.RunResult]) throws {
        let mpirun = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mpirun, let executable = CommandLineTool.executable else {
            throw XCTSkip("mpirun (make setup installs openmpi-bin) or the phasemask binary is missing")
        }
        let spread = single + "-ranks"
        defer { try? FileManager.default.removeItem(atPath: spread) }
        let job = try ChildProcess(URL(fileURLWithPath: mpirun),
                                   ["--oversubscribe", "-np", "2", executable.path] + arguments.dropLast() + [spread],
                                   environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
        XCTAssertEqual(job.wait(timeout: 600), 0, job.output + job.errorOutput)
        let trained = job.output.split(separator: "\n").filter { $0.contains("— seed 0, ") }
        XCTAssertEqual(trained.count, 9, "each run is trained once: \(trained)")
        XCTAssertEqual(Set(trained.map { String($0.prefix(9)) }), ["[rank 0] ", "[rank 1] "], "both ranks train runs")
        let spreadResults = try JSONDecoder().decode([Experiment.RunResult].self,
                                                     from: Data(contentsOf: URL(fileURLWithPath: spread + "/results.json")))
        XCTAssertEqual(spreadResults.map(\.name), results.map(\.name))
        XCTAssertEqual(spreadResults.map { $0.psnr.bitPattern }, results.map { $0.psnr.bitPattern })
        XCTAssertEqual(spreadResults.map { $0.ssim.bitPattern }, results.map { $0.ssim.bitPattern })
        let timings = ["    phasemask experiment ", "| training time |", "| inference per batch of "]
        func report(_ dir: String) throws -> [String] {
            try String(contentsOfFile: dir + "/report.md", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init).filter { line in !timings.contains { line.hasPrefix($0) } }
        }
        XCTAssertEqual(try report(spread), try report(single))
    }
}
