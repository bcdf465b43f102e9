import Foundation
import Storage
import Training
import XCTest

/// Helpers for tests that run `phasemask train` as a child process on a tiny problem (16×16 synthetic
/// smooth phase objects, so no dataset is needed; U-Net depth 2 with 4 channels, 64 training images in 4
/// steps per epoch: about 0.3 s per epoch in a debug build).
enum TinyTraining {
    static func arguments(epochs: Int, out: String, seed: Int = 5, threads: Int = 1) -> [String] {
        ["train", "--mode", "e2e", "--preset", "tiny", "--epochs", "\(epochs)", "--train-size", "64", "--val-size", "16",
         "--test-size", "16", "--batch", "16", "--threads", "\(threads)", "--seed", "\(seed)", "--data", "synthetic:smooth", "--out", out]
    }

    static func checkpoint(_ directory: String) -> String { directory + "/checkpoint.h5" }

    /// Every tensor of a checkpoint that training changes — parameters, Adam moments and step counts,
    /// batch-norm statistics — as bit patterns, by object path.
    static func state(_ path: String) throws -> [String: [UInt32]] {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        var out: [String: [UInt32]] = [:]
        for group in ["/parameters", "/buffers", "/optimizer/m", "/optimizer/v"] {
            for name in try file.members(of: group) {
                let t = try file.readTensor(group + "/" + name)
                out[group + "/" + name] = (0..<t.count).map { t.pointer[$0].bitPattern }
            }
        }
        out["/optimizer/steps"] = try file.read(Int64.self, "/optimizer/steps").values.map { UInt32(truncatingIfNeeded: $0) }
        return out
    }

    /// The records of `<directory>/log.jsonl`, one per line (none when the file is absent).
    static func logRecords(_ directory: String) throws -> [EpochRecord] {
        guard let text = try? String(contentsOfFile: directory + "/log.jsonl", encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
    }

    /// Lines in `<directory>/log.jsonl` (0 when the file is absent).
    static func logLines(_ directory: String) -> Int {
        ((try? String(contentsOfFile: directory + "/log.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// The temporary files a killed writer may leave (`AtomicFile` names).
    static func temporaries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(AtomicFile.isTemporaryName)
    }

    /// The highest "epoch k/E" a run printed (each is printed after epoch k's checkpoint was written).
    static func lastReportedEpoch(_ output: String) -> Int {
        output.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("epoch "), let slash = line.firstIndex(of: "/") else { return nil }
            return Int(line[line.index(line.startIndex, offsetBy: 6)..<slash])
        }.max() ?? 0
    }

    /// Polls until `condition` holds or `timeout` seconds pass; true if it held.
    @discardableResult
    static func waitFor(timeout: Double, interval: useconds_t = 200, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(interval)
        }
        return condition()
    }
}
