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
