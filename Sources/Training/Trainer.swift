import Autodiff
import Foundation
import NeuralNetwork
import Optics
import Storage
import TensorCore

/// Trains one PR system (teacher, e2e, random or student) with Adam, validating each epoch and writing
/// an atomic checkpoint plus a `log.jsonl` line after every epoch.
///
/// Determinism: the batch order of epoch e comes from a generator seeded with (seed, e) and the noise of
/// step s from (seed, e, s), so a run resumed from any checkpoint continues with exactly the draws an
/// uninterrupted run would have made. On SIGINT/SIGTERM the current step finishes, a checkpoint records
/// the position inside the epoch, and `run` throws `TrainingInterrupted`.
///
/// Data parallel (`group`, by default `ProcessGroup.current`, has more than one rank): every rank builds
/// the same system and takes its share of each global batch (`DataParallelStep.swift`); gradients are
/// summed over the ranks every step, batch norm uses the global batch's statistics, and the ranks stop
/// together. Rank 0 alone takes the folder, writes the checkpoint and the log, and reports progress.
public final class Trainer {
    public let config: TrainingConfig
    public let system: PhaseRetrievalSystem
    public let teacher: PhaseRetrievalSystem?
    public let splits: SceneSplits
    /// Where the run's checkpoint and its `log.jsonl` are written (the caller names them).
    public let checkpointPath: String
    public let logPath: String
    /// The folder holding them, created by `run`.
    public var directory: String { (checkpointPath as NSString).deletingLastPathComponent }
    public var log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    let objective: Objective
    /// Exclusive use of `directory` while this trainer exists (see `DirectoryLock`); rank 0's only.
    public let outputLock: DirectoryLock?
    /// The ranks training this system together (one for a plain run).
    public let group: any Communicator
    let optimizer: Adam
    let noise: NoiseModel
    /// The trainable parameters' gradients as one buffer, summed over the ranks each step (kept between steps).
    var gradientBuffer: [Float] = []
    var progress = Checkpoint.Progress()
    public private(set) var history: [EpochRecord] = []

    /// A fresh run, or (with `resumingFrom`, the checkpoint at `checkpoint` as loaded by the caller) its
    /// continuation; the trainer writes `checkpoint` and the epoch log `logFile`.
    /// `startingFrom` copies φ, ψ, θ and batch-norm statistics from an existing system (fine-tuning).
    /// `lock` is the caller's lock on the checkpoint's folder; without one the trainer takes it (creating
    /// the folder, checking that a checkpoint fits, removing temporary files of a killed run). Only rank 0
    /// of `group` takes it and writes files.
    public init(config: TrainingConfig, splits: SceneSplits, teacher: PhaseRetrievalSystem?, checkpoint: String, logFile: String,
                resumingFrom stored: Checkpoint.Loaded? = nil, startingFrom initial: PhaseRetrievalSystem? = nil,
                lock: DirectoryLock? = nil, group: any Communicator = ProcessGroup.current) throws {
        try config.checkSettings()
        if group.size > config.batchSize {
            throw SharedFailure(TrainingError.invalidConfiguration("\(group.size) processes need a batch of at least \(group.size) images, got \(config.batchSize)"))
        }
        if config.mode == .student && teacher == nil {
            throw TrainingError.invalidConfiguration("student mode needs a teacher system")
        }
        if let first = config.wiringProblems(teacher: teacher?.config).first {
            throw TrainingError.invalidConfiguration(first)
        }
        outputLock = group.isRoot ? try lock ?? DirectoryLock(directory: (checkpoint as NSString).deletingLastPathComponent,
                                                              reserving: Checkpoint.estimatedBytes(try PhaseRetrievalSystem(config: config))) : nil
        self.group = group
        checkpointPath = checkpoint
        logPath = logFile
        self.splits = splits
        self.teacher = teacher
        teacher?.setFrozen(true)
        system = try PhaseRetrievalSystem(config: config)
        optimizer = Adam(parameters: system.parameters, learningRate: Float(config.learningRate))
        self.config = config
        objective = try Objective(config: config)
        noise = config.noise
        if let stored {
            try resume(from: stored)
        } else {
            if let initial { system.copyState(from: initial) }
            if config.mode == .student && config.initFromTeacher, let teacher { system.warmStart(from: teacher) }
        }
    }

    /// Takes over the state of the checkpoint being resumed: its settings must train like this run's
    /// (only the epochs may change) and its position must fit this run's epochs.
    private func resume(from stored: Checkpoint.Loaded) throws {
        guard stored.system.config.sceneModel == config.sceneModel else {
            throw TrainingError.checkpoint(path: checkpointPath, problem: "was trained on scenes with \(stored.system.config.sceneModel); "
                                           + "this run asks for \(config.sceneModel) (give the same --phase-range, --background-offset and --amplitude-range to --resume)")
        }
        guard stored.system.config.trainsLike(config) else {
            throw TrainingError.checkpoint(path: checkpointPath, problem: "was written with different settings (only --epochs may change on --resume)")
        }
        system.copyState(from: stored.system)
        progress = stored.progress
        history = stored.history
        guard progress.step <= splits.train.shape[0] / config.batchSize else {
            throw TrainingError.checkpoint(path: checkpointPath, problem: "stopped at step \(progress.step) of an epoch, "
                                           + "but an epoch of this data has \(splits.train.shape[0] / config.batchSize) steps")
        }
        if let state = stored.optimizerState {
            do { try optimizer.restore(state) } catch {
                throw TrainingError.checkpoint(path: checkpointPath, problem: "optimizer state: \(error)")
            }
        }
    }

    /// Steps per epoch (the last incomplete batch is dropped).
    public var stepsPerEpoch: Int { splits.train.shape[0] / config.batchSize }

    /// Trains the remaining epochs. Throws `TrainingInterrupted` after checkpointing on Ctrl-C.
    public func run() throws {
        if group.isRoot { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try checkRanksAgree()
        let reporter = group.isRoot ? ProgressReporter(epochs: config.epochs, stepsPerEpoch: stepsPerEpoch) : nil
        // A run killed between an epoch's checkpoint and its log line left the log one epoch short; a
        // resumed run brings it level with the checkpoint first (even when no epoch is left to train).
        if !history.isEmpty { try writeLog() }
        while progress.epoch < config.epochs {
            let epoch = progress.epoch
            var shuffle = SeededGenerator(seed: Trainer.streamSeed(config.seed, epoch))
            var order = Array(0..<splits.train.shape[0])
            order.shuffle(using: &shuffle)
            reporter?.beginEpoch()
            BufferPool.shared.resetPeak()
            let started = MonotonicClock.now()
            var lossSum = 0.0, taskSum = 0.0, stepsDone = 0
            for step in progress.step..<stepsPerEpoch {
                let batch = splits.train.gather(order[(step * config.batchSize)..<((step + 1) * config.batchSize)])
                var rng = SeededGenerator(seed: Trainer.streamSeed(config.seed, epoch, step))
                optimizer.learningRate = Float(config.schedule.rate(
                    peak: config.learningRate, step: epoch * stepsPerEpoch + step,
                    totalSteps: config.epochs * stepsPerEpoch, warmupFraction: config.warmupFraction,
                    decayFraction: config.decayFraction))
                let (terms, stop) = try optimizationStep(batch, generator: &rng)
                lossSum += terms.total; taskSum += terms.task; stepsDone += 1
                reporter?.step(epoch: epoch + 1, step: step + 1, batch: config.batchSize, losses: terms.named)
                progress.step = step + 1
                TestStopPoint.reached(.trainStep)
                if stop {
                    try save()
                    throw TrainingInterrupted(checkpoint: checkpointPath, epoch: epoch, step: step + 1)
                }
            }
            let seconds = MonotonicClock.now() - started
            let validation = try Evaluation.evaluate(system, images: splits.validation, batchSize: config.batchSize, group: group)
            let record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(max(stepsDone, 1)),
                                     task: taskSum / Double(max(stepsDone, 1)),
                                     validationPSNR: validation.psnr, validationSSIM: validation.ssim,
                                     seconds: seconds, imagesPerSecond: Double(stepsDone * config.batchSize) / seconds,
                                     peakTensorBytes: BufferPool.shared.peakLiveBytes)
            history.append(record)
            progress = Checkpoint.Progress(epoch: epoch + 1, step: 0)
            try save()
            TestStopPoint.reached(.epochSaved)
            try writeLog()
            if group.isRoot { log(String(format: "epoch %d/%d  loss %.5f  val PSNR %.2f dB  SSIM %.4f  (%.1fs, %.0f img/s)",
                       epoch + 1, config.epochs, record.loss, record.validationPSNR, record.validationSSIM,
                       seconds, record.imagesPerSecond)) }
        }
    }

    /// One optimizer step on the global batch `images` and whether the run must stop after it (Ctrl-C,
    /// SIGTERM on any rank).
    func optimizationStep(_ images: Tensor, generator: inout SeededGenerator) throws -> (Objective.Terms, stop: Bool) {
        guard group.size > 1 else { return (try trainStep(images, generator: &generator), InterruptFlag.isRaised) }
        return try dataParallelStep(images, generator: &generator)
    }

    /// One optimizer step on a batch `[B, 1, N, N]` (`[B, 2, N, N]` with an amplitude channel; the target
    /// is channel 0, I); returns the loss terms. The scenes come from the run's scene model with its background offsets (drawn from `generator` before the noise, only when
    /// Δ > 0); a student's teacher sees the same scenes.
    @discardableResult
    public func trainStep(_ images: Tensor, generator: inout SeededGenerator) throws -> Objective.Terms {
        if group.size > 1 { return try dataParallelStep(images, generator: &generator).0 }
        let terms = try accumulateGradients(images, generator: &generator)
        optimizer.step()
        system.zeroGradients()
        return terms
    }

    /// Forward and backward on the batch: ∂loss/∂θ accumulated into the parameters' gradients.
    func accumulateGradients(_ images: Tensor, generator: inout SeededGenerator) throws -> Objective.Terms {
        let tape = Tape()
        let scene = try system.scene(images, offsets: true, generator: &generator)
        let output = try system.forward(scene: scene, tape: tape, training: true, noise: noise, generator: &generator)
        let targets = try teacher.map { try teacherTargets($0, scene: scene) }
        let (loss, terms) = objective.loss(output, images: SceneChannels.phase(images), masks: tape.variable(system.masks),
                                           teacher: targets)
        tape.backward(from: loss)
        return terms
    }

    /// The frozen teacher's mean CDP and bottleneck for `images` under the run's scene model, without
    /// offsets (noise-free, evaluation mode).
    func teacherTargets(_ teacher: PhaseRetrievalSystem, _ images: Tensor) throws -> Objective.TeacherTargets {
        try teacherTargets(teacher, scene: try system.scene(images))
    }

    /// The frozen teacher's mean CDP and bottleneck for the complex scenes `[B, N, N]`.
    func teacherTargets(_ teacher: PhaseRetrievalSystem, scene: ComplexField) throws -> Objective.TeacherTargets {
        let tape = Tape(recording: false)
        var unused = SeededGenerator(seed: 0)
        let out = try teacher.forward(scene: scene, tape: tape, training: false, generator: &unused)
        return Objective.TeacherTargets(meanCDP: meanOverSnapshots(out.measurements).value,
                                        bottleneck: out.bottleneck.value)
    }

    /// Writes the checkpoint for the current progress (rank 0; the other ranks write nothing).
    public func save() throws {
        guard group.isRoot else { return }
        try Checkpoint.save(system, optimizer: optimizer, progress: progress, history: history, to: checkpointPath)
    }

    /// Rewrites `log.jsonl` (one line per finished epoch) from the history just checkpointed, atomically:
    /// the log never holds an epoch the checkpoint lacks; a kill between the two writes leaves it one
    /// epoch short until `run` resumes and rewrites it.
    private func writeLog() throws {
        guard group.isRoot else { return }
        let text = try history.map { try jsonString($0) + "\n" }.joined()
        try AtomicFile.write(Array(text.utf8), to: logPath)
    }

    /// A seed for the random stream identified by `parts` (SplitMix-style mixing of the words).
    static func streamSeed(_ seed: UInt64, _ parts: Int...) -> UInt64 {
        streamSeed([seed] + parts.map { UInt64(bitPattern: Int64($0)) })
    }
    static func streamSeed(_ words: [UInt64]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for w in words {
            var g = SeededGenerator(seed: h ^ w)
            h = g.next()
        }
        return h
    }
}

/// Thrown after a checkpoint was written because the user interrupted the run.
public struct TrainingInterrupted: Error, CustomStringConvertible {
    public let checkpoint: String
    public let epoch: Int
    public let step: Int
    public var description: String {
        "interrupted at epoch \(epoch + 1), step \(step); checkpoint written to \(checkpoint) (rerun with --resume)"
    }
}

extension PhaseRetrievalSystem {
    /// Starts from a teacher: its filter ψ, its U-Net θ (and batch-norm statistics) and its first mask.
    public func warmStart(from teacher: PhaseRetrievalSystem) {
        let l = masks.shape[0], plane = masks.value.count / l
        masks.value.pointer.update(from: teacher.masks.value.pointer, count: l * plane)
        filter.value.assign(teacher.filter.value)
        copyNetwork(from: teacher)
    }
}
