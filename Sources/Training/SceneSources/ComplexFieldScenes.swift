import Foundation
import Optics
import Storage
import TensorCore

/// Scenes with an amplitude channel cut from a stack of complex fields, for `--data FILE.h5:/DATASET`
/// (`ComplexFieldDataset`: float32/64 `[B, H, W, 2]` or `[H, W, 2]`, re/im, the layout `simulate`
/// writes). Each field x becomes the pair of images the scene model would turn back into it:
///
///     A = |x| / max|x|                      (per field: its brightest pixel has A = 1)
///     I = wrap(arg x − φmin) / (φmax − φmin) (phases outside the range go to the nearer end, I = 0 or 1)
///
/// with φmin, φmax of the run's scene model (`SceneModel.normalizedPhase(of:outside:)`,
/// `normalizedAmplitude(of:)`). Pixels outside the phase range are counted for a note.
///
/// **Split by field.** Fields are ranked like the files of a folder (`SceneSplit.keys`, the keys being
/// the field indices 0, 1, …): the first ⌈B/10⌉ are test fields, the next ⌈B/10⌉ validation fields, the
/// rest training fields, so B ≥ 3. Scenes are cut from the fields of their split as from the images of
/// a folder (`RandomCrop`, one crop for I and A).
public struct ComplexFieldScenes {
    public let source: ComplexFieldDataset
    /// `[B, 2, H, W]`: I and A of every field.
    let images: Tensor
    /// Pixels whose phase lay outside [φmin, φmax] (beyond `SceneModel.outsideTolerance`).
    public let outside: Int

    /// Checks the dataset's header without reading the fields: at least 3 fields of at least
    /// `ImageFolder.minimumSide` pixels a side.
    public static func check(_ source: ComplexFieldDataset) throws {
        let s = try source.shape()
        guard s.count >= 3 else {
            throw StorageError(.mismatch, path: source.path, object: source.dataset, "holds \(s.count) field(s); at least 3 are "
                               + "needed so that training, validation and test scenes come from different fields")
        }
        guard min(s.height, s.width) >= ImageFolder.minimumSide else {
            throw StorageError(.invalidValue, path: source.path, object: source.dataset, "fields are \(s.width)×\(s.height) "
                               + "pixels; scenes need at least \(ImageFolder.minimumSide)×\(ImageFolder.minimumSide)")
        }
    }

    /// Reads every field and converts it to (I, A) under `model`'s phase range.
    public init(_ source: ComplexFieldDataset, model: SceneModel) throws {
        try Self.check(source)
        self.source = source
        let fields = try source.read()
        let amplitude: Tensor
        do { amplitude = try SceneModel.normalizedAmplitude(of: fields) } catch let error as OpticsError {
            throw StorageError(.invalidValue, path: source.path, object: source.dataset, error.description)
        }
        var outside = 0
        let phase = model.normalizedPhase(of: fields, outside: &outside)
        self.outside = outside
        let (b, h, w) = (fields.shape[0], fields.shape[1], fields.shape[2])
        images = Tensor(uninitialized: [b, 2, h, w])
        for k in 0..<b {
            (images.pointer + 2 * k * h * w).update(from: phase.pointer + k * h * w, count: h * w)
            (images.pointer + (2 * k + 1) * h * w).update(from: amplitude.pointer + k * h * w, count: h * w)
        }
    }

    /// The field indices of `split`.
    public func fields(in split: SceneSplit, seed: UInt64 = SceneSplits.dataSeed) -> [Int] {
        split.keys(of: (0..<images.shape[0]).map(String.init), seed: seed).map { Int($0)! }
    }

    /// Scenes 0..<count of `split`, `[count, 2, size, size]`: channel 0 I, channel 1 A, cut alike.
    public func scenes(_ split: SceneSplit, count: Int, size: Int, seed: UInt64 = SceneSplits.dataSeed) throws -> Tensor {
        let chosen = fields(in: split, seed: seed)
        let plane = images.shape[2] * images.shape[3]
        return try RandomCrop.scenes(count: count, size: size, channels: 2, units: chosen.count,
                                     stream: [seed, split.tag, Self.streamTag]) { f in
            [(0..<2).map { c in
                Tensor(Array(images.buffer[((2 * chosen[f] + c) * plane)..<((2 * chosen[f] + c + 1) * plane)]),
                       shape: [1, 1, images.shape[2], images.shape[3]])
            }]
        }
    }

    /// Notes for the user: pixels whose phase lay outside the range.
    func notes(_ name: String, model: SceneModel) -> [String] {
        guard outside > 0 else { return [] }
        return [String(format: "%@: %d pixel(s) with a phase outside the range %g:%g rad set to the nearer end (I = 0 or 1)",
                       name, outside, model.phaseMin, model.phaseMax)]
    }

    /// Stream tag of complex-field scenes (folders use 0xF01D, synthetic kinds 1…5).
    static let streamTag: UInt64 = 0xF1E1D
}
