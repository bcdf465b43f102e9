import Foundation
import NeuralNetwork
import Storage
import TensorCore

/// Training checkpoints as HDF5 files, written atomically (temporary name, then rename).
///
/// Layout (all tensors float32, in the system's fixed parameter order):
///
///     /                       attrs: format = "phasemask-checkpoint", role (training | recovery;
///                                    absent before 0.2 = training), format_version, software_version,
///                                    created (ISO 8601 UTC), config (TrainingConfig as JSON)
///     /parameters/<name>      every parameter (phi, psi, unet.…); attr order (JSON list of names) on the group
///     /buffers/<name>         batch-norm running statistics
///     /optimizer/steps        Adam's update count t per parameter (int64, parameter order);
///     /optimizer/m/<name>, /optimizer/v/<name>   first and second moments
///     /progress               attrs epoch (finished epochs), step (finished steps of the current epoch),
///                             seed — the random stream of step s of epoch e is derived from
///                             (seed, e, s), so (seed, epoch, step) is the complete RNG state
///     /history                attr epochs: JSON array of per-epoch records (loss, validation metrics, time)
public struct Checkpoint {
    public static let format = "phasemask-checkpoint"
    /// The newest layout this build reads and writes. Version 2 marks a checkpoint whose configuration
    /// holds a near-field sensing geometry (`TrainingConfig.sensing`), which a build that knows only
    /// version 1 would silently read as far field; every other checkpoint is written as version 1, as
    /// before, so far-field files stay readable by older builds.
    public static let formatVersion = 2

    /// The version a checkpoint of `config` is written as (see `formatVersion`).
    static func version(_ config: TrainingConfig) -> Int {
        config.sensing != .farField ? 2 : 1
    }

    /// Where the run stands.
    public struct Progress: Equatable, Codable {
        public var epoch = 0
        public var step = 0
        public init(epoch: Int = 0, step: Int = 0) { self.epoch = epoch; self.step = step }
    }

    /// What a checkpoint file is for (root attribute `role`): continuing a training run, or only
    /// recovering scenes (`recovery`: written beside a design, without optimizer state).
    public enum Role: String, Sendable {
        case training, recovery
    }

    /// Writes `system` (and optionally its optimizer) to `path` atomically.
    public static func save(_ system: PhaseRetrievalSystem, optimizer: Adam?, progress: Progress,
                            history: [EpochRecord], to path: String, role: Role = .training) throws {
        let file = try HDF5File.create(path: path)
        do {
            try file.setAttribute("format", .string(format))
            try file.setAttribute("role", .string(role.rawValue))
            try file.setAttribute("format_version", .int(version(system.config)))
            try file.setAttribute("software_version", .string(SoftwareVersion.string))
            try file.setAttribute("created", .string(ISO8601DateFormatter().string(from: Date())))
            try file.setAttribute("config", .string(try jsonString(system.config)))
            try file.createGroup("/parameters")
            try file.setAttribute("order", .string(try jsonString(system.parameters.map(\.name))), on: "/parameters")
            for p in system.parameters { try file.write(p.value, to: "/parameters/\(p.name)", requireFinite: true) }
            TestStopPoint.reached(.checkpointWrite)
            try file.createGroup("/buffers")
            for (name, tensor) in system.unet.buffers { try file.write(tensor, to: "/buffers/\(name)") }
            if let optimizer {
                let state = optimizer.currentState
                try file.createGroup("/optimizer/m")
                try file.createGroup("/optimizer/v")
                try file.write(state.steps.map { Int64($0) }, shape: [state.steps.count], to: "/optimizer/steps")
                for (k, p) in system.parameters.enumerated() {
                    try file.write(state.firstMoments[k], to: "/optimizer/m/\(p.name)")
                    try file.write(state.secondMoments[k], to: "/optimizer/v/\(p.name)")
                }
            }
            try file.createGroup("/progress")
            try file.setAttribute("epoch", .int(progress.epoch), on: "/progress")
            try file.setAttribute("step", .int(progress.step), on: "/progress")
            try file.setAttribute("seed", .string(String(system.config.seed)), on: "/progress")
            try file.createGroup("/history")
            try file.setAttribute("epochs", .string(try jsonString(history)), on: "/history")
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }

    /// Writes the recovery network of `system` — φ, ψ, θ, batch-norm statistics, configuration and
    /// history, no optimizer state — to `path` (`phasemask reconstruct --model` and `evaluate` read it).
    public static func saveRecovery(_ system: PhaseRetrievalSystem, history: [EpochRecord], to path: String) throws {
        try save(system, optimizer: nil, progress: Progress(epoch: history.count, step: 0), history: history,
                 to: path, role: .recovery)
    }

    /// A generous size in bytes of the checkpoint of `system`: parameters, both Adam moments and the
    /// batch-norm statistics as float32, plus HDF5's per-object overhead and the attributes.
    public static func estimatedBytes(_ system: PhaseRetrievalSystem) -> Int {
        let parameters = system.parameters.reduce(0) { $0 + $1.value.count }
        let buffers = system.unet.buffers.reduce(0) { $0 + $1.tensor.count }
        let objects = 3 * system.parameters.count + system.unet.buffers.count + 16
        return 4 * (3 * parameters + buffers) + 2048 * objects + (64 << 10)
    }

    /// The configuration stored in a checkpoint.
    public static func configuration(at path: String) throws -> TrainingConfig {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        return try readConfig(file)
    }

    /// Everything a checkpoint holds, restored into a new system (and optimizer state when present).
    public struct Loaded {
        public let system: PhaseRetrievalSystem
        public let optimizerState: Adam.State?
        public let progress: Progress
        public let history: [EpochRecord]
    }

    /// Every failure names `path`: errors from Storage already do, the others are wrapped.
    public static func load(_ path: String) throws -> Loaded {
        do {
            return try loadUnchecked(path)
        } catch let error as StorageError {
            throw error
        } catch let error as TrainingError {
            if case .invalidConfiguration(let why) = error {
                throw TrainingError.checkpoint(path: path, problem: "its configuration is invalid: \(why)")
            }
            throw error
        } catch {
            throw TrainingError.checkpoint(path: path, problem: "\(error)")
        }
    }

    private static func loadUnchecked(_ path: String) throws -> Loaded {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let config = try readConfig(file)
        let system = try PhaseRetrievalSystem(config: config)
        let stored = try decodeJSON([String].self, try file.stringAttribute("order", of: "/parameters"),
                                    path: path, what: "the /parameters order attribute (a JSON list of names)")
        let names = system.parameters.map(\.name)
        guard stored == names else {
            throw TrainingError.checkpoint(path: path, problem: "its parameters (\(stored.count)) do not match the architecture its configuration describes (\(names.count)); was it written by another version?")
        }
        for p in system.parameters {
            p.value.assign(try file.readTensor("/parameters/\(p.name)", shape: p.shape, requireFinite: true))
        }
        for (name, tensor) in system.unet.buffers {
            tensor.assign(try file.readTensor("/buffers/\(name)", shape: tensor.shape, requireFinite: true))
        }
        var optimizerState: Adam.State?
        if file.exists("/optimizer") {
            let steps = try file.read(Int64.self, "/optimizer/steps", shape: [names.count]).values.map { Int($0) }
            let m = try system.parameters.map { try file.readTensor("/optimizer/m/\($0.name)", shape: $0.shape, requireFinite: true) }
            let v = try system.parameters.map { try file.readTensor("/optimizer/v/\($0.name)", shape: $0.shape, requireFinite: true) }
            optimizerState = Adam.State(steps: steps, firstMoments: m, secondMoments: v)
        }
        let progress = Progress(epoch: try file.intAttribute("epoch", of: "/progress"),
                                step: try file.intAttribute("step", of: "/progress"))
        let stepsPerEpoch = config.trainSize / config.batchSize
        guard progress.epoch >= 0, progress.step >= 0, progress.step <= stepsPerEpoch else {
            throw TrainingError.checkpoint(path: path, problem: "/progress epoch \(progress.epoch), step \(progress.step) is "
                                           + "impossible (an epoch has at most \(stepsPerEpoch) steps)")
        }
        let history = try decodeJSON([EpochRecord].self, try file.stringAttribute("epochs", of: "/history"),
                                     path: path, what: "the /history epochs attribute (a JSON list of epoch records)")
        return Loaded(system: system, optimizerState: optimizerState, progress: progress, history: history)
    }

    /// Decodes JSON text stored in an attribute, with an error naming the file and the attribute.
    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, path: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw TrainingError.checkpoint(path: path, problem: "\(what) cannot be read: \(oneLine(error))")
        }
    }

    private static func readConfig(_ file: HDF5File) throws -> TrainingConfig {
        let format = try? file.stringAttribute("format")
        guard format == Self.format else {
            throw TrainingError.checkpoint(path: file.path, problem: "not a PhaseMask checkpoint (format attribute is \(format ?? "missing"))")
        }
        // Files of 0.1 have no format_version: they are version 1.
        let version = (try? file.intAttribute("format_version")) ?? 1
        guard version >= 1, version <= formatVersion else {
            throw TrainingError.checkpoint(path: file.path, problem: "format version \(version) is not supported (this build reads 1…\(formatVersion)); was it written by a newer PhaseMask?")
        }
        let json = try file.stringAttribute("config")
        do {
            return try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
        } catch {
            throw TrainingError.checkpoint(path: file.path, problem: "its configuration cannot be read: \(oneLine(error))")
        }
    }
}

/// One line of the training history (also written to `log.jsonl`).
public struct EpochRecord: Codable, Equatable {
    public var epoch: Int
    public var loss: Double
    public var task: Double
    public var validationPSNR: Double
    public var validationSSIM: Double
    public var seconds: Double
    public var imagesPerSecond: Double
    /// Peak bytes held by live tensors during the epoch (training steps and validation).
    public var peakTensorBytes: Int?
}

/// A decoding error as one readable line: the decoder's reason and the key path, if any.
func oneLine(_ error: Error) -> String {
    var text: String
    switch error {
    case DecodingError.dataCorrupted(let c), DecodingError.keyNotFound(_, let c), DecodingError.typeMismatch(_, let c),
         DecodingError.valueNotFound(_, let c):
        let keys = c.codingPath.map(\.stringValue).joined(separator: ".")
        text = (keys.isEmpty ? "" : "at '\(keys)': ") + c.debugDescription
        if case DecodingError.keyNotFound(let key, _) = error { text = "missing key '\(key.stringValue)'" + (keys.isEmpty ? "" : " at '\(keys)'") }
    default:
        text = "\(error)"
    }
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// The PhaseMask version written into every file it produces.
public enum SoftwareVersion {
    public static let string = "0.1.0"
}
