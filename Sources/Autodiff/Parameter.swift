import TensorCore

/// A trainable tensor with its gradient buffer.
///
/// Models expose their parameters as an ordered list (`ParameterCollection.parameters`); the
/// optimizer and checkpoints are loops over that list, so the order is part of the file format.
public final class Parameter {
    /// A stable, unique name within its model, e.g. `unet.enc0.conv1.weight`.
    public let name: String
    public let value: Tensor
    /// ∂loss/∂value, accumulated by the backward pass; cleared by `zeroGradient()`.
    public let gradient: Tensor
    /// Frozen parameters take part in the forward pass but receive no gradient and are not updated.
    public var isFrozen: Bool

    public init(_ name: String, _ value: Tensor, frozen: Bool = false) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.isFrozen = frozen
    }

    public var shape: [Int] { value.shape }
    public func zeroGradient() { gradient.fill(0) }
}

/// Anything that owns parameters in a fixed order.
public protocol ParameterCollection {
    var parameters: [Parameter] { get }
}

extension ParameterCollection {
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public func setFrozen(_ frozen: Bool) { for p in parameters { p.isFrozen = frozen } }
}
