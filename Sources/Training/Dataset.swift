import Foundation
import Storage
import TensorCore

/// Scenes for training and evaluation: FashionMNIST split as in the paper (below), or the sources of
/// `TrainingConfig.dataSources` (`SceneMixture`: synthetic phase objects, folders of images, pair
/// folders and complex fields). Tensors are `[n, 1, size, size]` images I, or `[n, 2, size, size]` (I
/// and the amplitude image A, `SceneChannels`) when a source has an amplitude channel.
///
/// FashionMNIST: the 60,000 training images are shuffled once with `dataSeed` and cut into 30,000 for training and
/// 30,000 for validation; the 10,000 test images are the test set. `trainSize`, `validationSize` and
/// `testSize` take the first images of each (seeded) split, so every mode, seed and preset that asks
/// for n test images sees the same n. Images are resized to `size × size` (bilinear when enlarging,
/// area-averaged when shrinking) and hold intensities in [0, 1]: tensors `[n, 1, size, size]`.
public struct SceneSplits {
    public let train: Tensor
    public let validation: Tensor
    public let test: Tensor
    /// What loading met that the user should hear about (colour converted, files ignored, …).
    public let notes: [String]

    public init(train: Tensor, validation: Tensor, test: Tensor, notes: [String] = []) {
        self.train = train
        self.validation = validation
        self.test = test
        self.notes = notes
    }

    /// The seed of the split permutation; independent of the training seed so that runs with different
    /// training seeds are evaluated on the same images.
    public static let dataSeed: UInt64 = 20_250_914

    /// Loads the splits a configuration asks for: FashionMNIST from `dataDirectory` when
    /// `dataSources` is empty (as every run before it existed), the mixture of its sources otherwise.
    public static func load(_ config: TrainingConfig) throws -> SceneSplits {
        if config.dataSources.isEmpty {
            return try load(directory: config.dataDirectory, size: config.size, trainSize: config.trainSize,
                            validationSize: config.validationSize, testSize: config.testSize)
        }
        return try SceneMixture(config.dataSources).splits(
            SplitCounts(train: config.trainSize, validation: config.validationSize, test: config.testSize), size: config.size,
            sceneModel: config.sceneModel)
    }

    /// The first `count` (default `config.testSize`) scenes of the configuration's test split,
    /// `[count, C, size, size]` (C as in `load`): the scenes `load(config)` tests on, without the other splits' work
    /// (FashionMNIST still reads its training file for the shared permutation). `log` receives the notes.
    public static func testScenes(_ config: TrainingConfig, count: Int? = nil,
                                  log: (String) -> Void = { _ in }) throws -> Tensor {
        let n = count ?? config.testSize
        if config.dataSources.isEmpty { return try testScenes(directory: config.dataDirectory, size: config.size, count: n) }
        let splits = try SceneMixture(config.dataSources).splits(SplitCounts(train: 0, validation: 0, test: n), size: config.size,
                                                                 sceneModel: config.sceneModel)
        splits.notes.forEach { log("note: \($0)") }
        return splits.test
    }

    public static func load(directory: String, size: Int, trainSize: Int, validationSize: Int,
                            testSize: Int) throws -> SceneSplits {
        guard trainSize <= 30_000, validationSize <= 30_000, testSize <= 10_000 else {
            throw StorageError(.invalidValue, path: directory,
                               "FashionMNIST offers 30000 training, 30000 validation and 10000 test images; asked for \(trainSize)/\(validationSize)/\(testSize)")
        }
        let trainPool = try IDXFile.readFashionMNIST(.train, directory: directory).images
        let testPool = try IDXFile.readFashionMNIST(.test, limit: nil, directory: directory).images
        var rng = SeededGenerator(seed: dataSeed)
        var order = Array(0..<trainPool.count)
        order.shuffle(using: &rng)
        let half = trainPool.count / 2
        var testOrder = Array(0..<testPool.count)
        testOrder.shuffle(using: &rng)
        return SceneSplits(
            train: scenes(trainPool, Array(order[0..<min(trainSize, half)]), size: size),
            validation: scenes(trainPool, Array(order[half..<(half + min(validationSize, trainPool.count - half))]), size: size),
            test: scenes(testPool, Array(testOrder[0..<min(testSize, testPool.count)]), size: size))
    }

    /// The first `count` images of the test split, `[count, 1, size, size]` — the same images every run
    /// is evaluated on (the split order still comes from the shared permutation, so this reads the
    /// training file too).
    public static func testScenes(directory: String, size: Int, count: Int) throws -> Tensor {
        try load(directory: directory, size: size, trainSize: 1, validationSize: 1, testSize: count).test
    }

    /// The selected images as `[n, 1, size, size]` intensities in [0, 1].
    static func scenes(_ images: IDXImages, _ indices: [Int], size: Int) -> Tensor {
        let pixels = images.rows * images.columns
        let raw = Tensor(uninitialized: [indices.count, 1, images.rows, images.columns])
        images.pixels.withUnsafeBufferPointer { p in
            for (k, i) in indices.enumerated() {
                for j in 0..<pixels { raw.pointer[k * pixels + j] = Float(p[i * pixels + j]) / 255 }
            }
        }
        if images.rows == size && images.columns == size { return raw }
        return Resize.resize(raw, height: size, width: size)
    }
}

extension Tensor {
    /// Rows `indices` of the first axis, gathered into a new tensor `[indices.count, ...]`.
    public func gather(_ indices: ArraySlice<Int>) -> Tensor {
        let inner = count / max(shape[0], 1)
        let out = Tensor(uninitialized: [indices.count] + shape.dropFirst())
        for (k, i) in indices.enumerated() {
            (out.pointer + k * inner).update(from: pointer + i * inner, count: inner)
        }
        return out
    }

    /// Rows `range` of the first axis as a new tensor.
    public func slice(_ range: Range<Int>) -> Tensor { gather(ArraySlice(Array(range))) }
}
