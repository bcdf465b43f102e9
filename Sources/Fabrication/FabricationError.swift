import Foundation
import Optics
import TensorCore

/// An error from the fabrication and export code: `source` names the file (or, for in-memory input,
/// the argument such as "mask" or "profile"), `problem` says what is wrong with it.
public struct FabricationError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}

/// Checks that a mask tensor is `[L, H, W]` with positive sizes and finite entries.
func validateMask(_ mask: Tensor, source: String) throws {
    guard mask.rank == 3, mask.shape.allSatisfy({ $0 > 0 }) else {
        throw FabricationError(source, "phase mask must have shape [L, H, W] with positive sizes, got \(mask.shape)")
    }
    let (h, w) = (mask.shape[1], mask.shape[2])
    for i in 0..<mask.count where !mask.pointer[i].isFinite {
        throw FabricationError(source, "phase mask has a non-finite value (\(mask.pointer[i])) at "
                                   + "[\(i / (h * w)), \((i / w) % h), \(i % w)]")
    }
}
