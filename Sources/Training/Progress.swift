import Foundation

/// Terminal progress for long runs: epoch, step/total, loss terms, images/s and ETA on one line.
///
/// On a terminal the line is redrawn in place (carriage return); when output is a file or pipe, one line
/// is printed every `everySteps` steps so logs stay short.
public final class ProgressReporter {
    private let totalSteps: Int
    private let epochs: Int
    private let interactive: Bool
    private let everySteps: Int
    private var started = 0.0
    private var images = 0
    public var output: (String) -> Void

    public init(epochs: Int, stepsPerEpoch: Int, everySteps: Int = 20, output: ((String) -> Void)? = nil) {
        self.epochs = epochs
        self.totalSteps = max(stepsPerEpoch, 1)
        self.everySteps = everySteps
        self.interactive = isatty(STDERR_FILENO) != 0
        self.output = output ?? { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Call at the start of each epoch.
    public func beginEpoch() {
        started = now()
        images = 0
    }

    /// Reports one finished step of `batch` images with named loss terms.
    public func step(epoch: Int, step: Int, batch: Int, losses: [(String, Double)]) {
        images += batch
        let elapsed = max(now() - started, 1e-9)
        let rate = Double(images) / elapsed
        let remaining = Double(totalSteps - step) * elapsed / Double(step)
        let terms = losses.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  ")
        let line = "epoch \(epoch)/\(epochs)  step \(step)/\(totalSteps)  \(terms)  "
            + String(format: "%.0f img/s  ETA %@", rate, Self.duration(remaining))
        if interactive {
            output("\r" + line + "\u{1B}[K")
            if step == totalSteps { output("\n") }
        } else if step % everySteps == 0 || step == totalSteps {
            output(line + "\n")
        }
    }

    /// Formats seconds as `1h02m`, `3m05s` or `12.3s`.
    public static func duration(_ s: Double) -> String {
        if !s.isFinite { return "?" }
        if s >= 3600 { return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%.1fs", s)
    }

    private func now() -> Double { Date().timeIntervalSince1970 }
}
