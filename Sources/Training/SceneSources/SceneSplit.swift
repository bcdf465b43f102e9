import Foundation

/// The three parts of every scene source: scenes are trained on, validated on (each epoch) and tested on.
public enum SceneSplit: String, CaseIterable, Sendable {
    case train, validation, test

    /// Stream tag mixed into seeds, so the splits draw disjoint random streams.
    var tag: UInt64 {
        switch self {
        case .train: return 0
        case .validation: return 1
        case .test: return 2
        }
    }
}

/// How many scenes each split asks for.
public struct SplitCounts: Equatable, Sendable {
    public var train: Int, validation: Int, test: Int

    public init(train: Int, validation: Int, test: Int) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    public subscript(split: SceneSplit) -> Int {
        switch split {
        case .train: return train
        case .validation: return validation
        case .test: return test
        }
    }
}

extension SceneSplit {
    /// The keys (file paths, field indices) of this split, in hash order: keys are ordered by a 64-bit
    /// FNV-1a hash mixed with the data seed `seed` (ties by key); the first ⌈n/10⌉ are test keys, the
    /// next ⌈n/10⌉ validation keys, the rest training keys (n ≥ 3 for every split to get one). Adding keys
    /// moves no training key into the test split while ⌈n/10⌉ at most doubles.
    func keys(of all: [String], seed: UInt64) -> [String] {
        let ranked = all.map { (hash: Trainer.streamSeed([seed, ImageFolder.fnv1a($0)]), key: $0) }
            .sorted { $0.hash != $1.hash ? $0.hash < $1.hash : $0.key < $1.key }.map(\.key)
        let held = (all.count + 9) / 10
        switch self {
        case .test: return Array(ranked[0..<held])
        case .validation: return Array(ranked[held..<(2 * held)])
        case .train: return Array(ranked[(2 * held)...])
        }
    }
}
