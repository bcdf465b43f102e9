import Foundation
import Optics
import TensorCore

/// The scenes of several weighted `DataSource`s, interleaved.
///
/// Position i of a split is given to a source by smooth weighted round robin over the normalized
/// weights (each position: every source gains its weight, the source with the largest credit takes the
/// position and pays 1; ties go to the source listed first). The order depends only on the weights, a
/// longer split starts with the same positions, and after n positions every source holds its share
/// within one scene. A source's k-th position receives that source's scene k of the split.
public struct SceneMixture {
    public let sources: [DataSource]

    public init(_ sources: [DataSource]) {
        precondition(!sources.isEmpty, "a scene mixture needs at least one source")
        self.sources = sources
    }

    /// The source index of each of the first `count` positions of a split.
    public func assignment(_ count: Int) -> [Int] {
        let total = sources.reduce(0) { $0 + $1.weight }
        var credit = [Double](repeating: 0, count: sources.count)
        return (0..<count).map { _ in
            for s in sources.indices { credit[s] += sources[s].weight / total }
            let pick = credit.indices.max { credit[$0] < credit[$1] || (credit[$0] == credit[$1] && $0 > $1) }!
            credit[pick] -= 1
            return pick
        }
    }

    /// Every split at `size × size`, `[count, C, size, size]` in [0, 1], with notes about the input
    /// (colour converted, values rescaled, files ignored). C = 1 (the images I) unless a source has an
    /// amplitude channel; then C = 2 (`SceneChannels`) and the scenes of sources without one get A = I.
    /// `sceneModel` gives the phase range that turns complex fields into I.
    public func splits(_ counts: SplitCounts, size: Int, sceneModel: SceneModel,
                       seed: UInt64 = SceneSplits.dataSeed) throws -> SceneSplits {
        let order = SceneSplit.allCases.map { assignment(counts[$0]) }
        var notes: [String] = []
        var perSource: [[Tensor]] = []
        for (s, source) in sources.enumerated() {
            let mine = order.map { positions in positions.filter { $0 == s }.count }
            let wanted = SplitCounts(train: mine[0], validation: mine[1], test: mine[2])
            perSource.append(try Self.load(source, wanted, size: size, model: sceneModel, seed: seed, notes: &notes))
        }
        let channels = sources.contains(where: \.hasAmplitude) ? 2 : 1
        if channels == 2 { perSource = perSource.map { $0.map(SceneChannels.withAmplitude) } }
        let parts = SceneSplit.allCases.indices.map { k -> Tensor in
            let out = Tensor(uninitialized: [order[k].count, channels, size, size])
            var next = [Int](repeating: 0, count: sources.count)
            let scene = channels * size * size
            for (i, s) in order[k].enumerated() {
                (out.pointer + i * scene).update(from: perSource[s][k].pointer + next[s] * scene, count: scene)
                next[s] += 1
            }
            return out
        }
        return SceneSplits(train: parts[0], validation: parts[1], test: parts[2], notes: notes)
    }

    /// One source's scenes for every split, in split order.
    static func load(_ source: DataSource, _ counts: SplitCounts, size: Int, model: SceneModel, seed: UInt64,
                     notes: inout [String]) throws -> [Tensor] {
        switch source.kind {
        case .fashionMNIST(let directory):
            let s = try SceneSplits.load(directory: directory, size: size, trainSize: counts.train,
                                         validationSize: counts.validation, testSize: counts.test)
            return [s.train, s.validation, s.test]
        case .synthetic(let kinds):
            return SceneSplit.allCases.map {
                SyntheticScenes.scenes(kinds, split: $0, indices: 0..<counts[$0], size: size, seed: seed)
            }
        case .folder(let directory):
            let folder = try ImageFolder(directory)
            var report = ImageFolder.Report()
            let tensors = try SceneSplit.allCases.map {
                try folder.scenes($0, count: counts[$0], size: size, seed: seed, report: &report)
            }
            notes += report.notes(source.description, folder: folder)
            return tensors
        case .pairs(let directory):
            let folder = try ImagePairFolder(directory)
            var report = ImagePairFolder.Report()
            let tensors = try SceneSplit.allCases.map {
                try folder.scenes($0, count: counts[$0], size: size, seed: seed, report: &report)
            }
            notes += folder.notes(source.description, report: report)
            return tensors
        case .complexField(let dataset):
            let fields = try ComplexFieldScenes(dataset, model: model)
            notes += fields.notes(source.description, model: model)
            return try SceneSplit.allCases.map { try fields.scenes($0, count: counts[$0], size: size, seed: seed) }
        }
    }
}
