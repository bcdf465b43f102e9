import Autodiff
import TensorCore

/// A named tensor a layer keeps besides its parameters and updates itself (batch-norm running
/// statistics); checkpoints store it under `name`.
public typealias LayerBuffer = (name: String, tensor: Tensor)

/// A network layer's state: its trainable parameters and its buffers, each in a fixed order. The
/// optimizer and checkpoints are loops over these lists, so the order is part of the checkpoint format.
public protocol Layer: ParameterCollection {
    var parameters: [Parameter] { get }
    var buffers: [LayerBuffer] { get }
}

/// A layer made of sub-layers, listed once in `layers`: its parameters and buffers are theirs, in
/// that order.
public protocol CompositeLayer: Layer {
    var layers: [any Layer] { get }
}

extension CompositeLayer {
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [LayerBuffer] { layers.flatMap(\.buffers) }
}
