import Optics

/// Validation at two levels. Settings checks judge the values on their own: whatever the job, a
/// configuration that fails one cannot describe a system (`PhaseRetrievalSystem` and checkpoint loading use only
/// these). Wiring checks judge the configuration as a training job: a student needs a teacher, and
/// one whose architecture and scenes match its own (`TrainingJob` in Pipeline, `Trainer`).
extension TrainingConfig {
    /// Problems with the values themselves, each one sentence; empty when valid.
    public func settingsProblems() -> [String] {
        var p = architectureProblems()
        if let problem = weightingProblem { p.append(problem) }
        if epochs < 0 { p.append("epochs must not be negative") }
        if batchSize < 1 { p.append("batch size must be at least 1") }
        if !(learningRate > 0 && learningRate.isFinite) { p.append("learning rate must be positive and finite") }
        if !(warmupFraction >= 0 && warmupFraction < 1) { p.append("warm-up fraction must be in [0, 1), got \(warmupFraction)") }
        if !(decayFraction > 0 && decayFraction <= 1) { p.append("decay fraction must be in (0, 1], got \(decayFraction)") }
        if !([alpha, beta, rho].allSatisfy { $0 >= 0 && $0.isFinite }) { p.append("α, β and ρ must be finite and not negative") }
        if mode == .student && alpha + beta > 1 + 1e-12 {
            p.append("α + β = \(alpha + beta) exceeds 1, so σ = 1 − α − β would be negative")
        }
        if !(2...Self.maximumLevels).contains(levels) { p.append("phase levels must be in 2…\(Self.maximumLevels), got \(levels)") }
        if !(stroke > 0 && stroke <= 2 * Double.pi + 1e-9) { p.append("phase stroke must be in (0, 2π], got \(stroke)") }
        do { try noise.validate() } catch { p.append("\(error)") }
        if trainSize < 1 || validationSize < 1 || testSize < 1 { p.append("dataset subset sizes must be positive") }
        p += sceneModel.problems()
        if let amplitudeProblem { p.append(amplitudeProblem) }
        if (1...Self.maximumSize).contains(size) { p += sensingProblems() }
        if let perturbationProblem { p.append(perturbationProblem) }
        return p
    }

    /// The training perturbation's amplitude, and the lithography layers its kind needs.
    private var perturbationProblem: String? {
        guard let perturbation else { return nil }
        if let problem = perturbation.problem { return problem }
        let uniform = levels >= 2 && levels & (levels - 1) == 0 && stroke >= 2 * Double.pi - 1e-9
        if perturbation.kind.needsLayers && !uniform {
            return "the \(perturbation.kind.rawValue) perturbation acts on K = 2^k binary lithography layers over a full 2π "
                + "stroke; got K = \(levels), stroke \(stroke) rad"
        }
        return nil
    }

    /// Problems with this configuration as a training job, each one sentence; empty when it can run.
    /// `teacher` is the configuration of the teacher a student is distilled from, once it is loaded
    /// (nil: only the teacher checkpoint's presence is checked).
    public func wiringProblems(teacher: TrainingConfig? = nil) -> [String] {
        guard mode == .student else { return [] }
        var p: [String] = []
        if teacherCheckpoint == nil { p.append("student mode needs a teacher checkpoint") }
        guard let teacher else { return p }
        if teacher.size != size || teacher.depth != depth || teacher.channels != channels {
            p.append("teacher has size \(teacher.size), depth \(teacher.depth), channels \(teacher.channels); "
                     + "the student asks for \(size), \(depth), \(channels)")
        }
        var taught = teacher.sceneModel, asked = sceneModel
        taught.backgroundOffset = 0; asked.backgroundOffset = 0
        if taught != asked {
            p.append("teacher was trained on scenes with \(taught); the student asks for \(asked) "
                     + "(give the same --phase-range and --amplitude-range)")
        }
        if teacher.sensing != sensing {
            p.append("teacher was trained with the sensing geometry \(teacher.sensing); the student asks for \(sensing) "
                     + "(give the same --propagation, --pixel-pitch-um, --wavelength-nm, --distance-mm and --pad)")
        }
        return p
    }

    /// Throws the first settings problem as `TrainingError.invalidConfiguration`.
    public func checkSettings() throws {
        if let first = settingsProblems().first { throw TrainingError.invalidConfiguration(first) }
    }

    /// Largest accepted settings (see `settingsProblems()`).
    public static let maximumSnapshots = 256, maximumDepth = 10, maximumChannels = 1024, maximumSize = 4096
    public static let maximumIterations = 100_000, maximumLevels = 65_536

    /// Snapshots, U-Net shape, image size and spectral-initialization iterations and filter.
    private func architectureProblems() -> [String] {
        var p: [String] = []
        // Upper limits keep a corrupt checkpoint or a typo from allocating terabytes or overflowing
        // 2^depth; they are far above any setting the method uses (paper: 96×96, depth 4, c = 64, L = 9).
        if !(1...Self.maximumSnapshots).contains(snapshots) {
            p.append("snapshots must be in 1…\(Self.maximumSnapshots), got \(snapshots)")
        }
        if mode != .teacher && snapshots != 1 { p.append("\(mode.rawValue) mode uses one snapshot, got \(snapshots)") }
        if !(1...Self.maximumDepth).contains(depth) { p.append("U-Net depth must be in 1…\(Self.maximumDepth), got \(depth)") }
        if !(1...Self.maximumChannels).contains(channels) {
            p.append("U-Net channels must be in 1…\(Self.maximumChannels), got \(channels)")
        }
        if size < 1 || size > Self.maximumSize {
            p.append("image size must be in 1…\(Self.maximumSize), got \(size)")
        } else if (1...Self.maximumDepth).contains(depth) && size % (1 << depth) != 0 {
            p.append("image size \(size) is not divisible by 2^depth = \(1 << depth)")
        }
        if size < 11 { p.append("image size \(size) is below 11, the SSIM window") }
        if !(1...Self.maximumIterations).contains(iterations) {
            p.append("spectral-initialization iterations must be in 1…\(Self.maximumIterations), got \(iterations)")
        }
        if filterSize < 1 || filterSize % 2 == 0 || filterSize > size {
            p.append("filter size must be odd, positive and at most the image size, got \(filterSize)")
        }
        return p
    }

    private var weightingProblem: String? {
        guard case .truncated(let f) = weighting, !(f > 0 && f <= 1) else { return nil }
        return "truncation fraction must be in (0, 1], got \(f)"
    }
}
