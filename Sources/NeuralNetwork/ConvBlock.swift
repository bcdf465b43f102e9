import Autodiff
import TensorCore

/// The U-Net's block: (3×3 convolution → batch norm → ReLU) × 2.
///
/// Layers `<name>.conv1`, `<name>.bn1`, `<name>.conv2`, `<name>.bn2`. Input `[N, Cin, H, W]`, output
/// `[N, Cout, H, W]`.
public final class ConvBlock: CompositeLayer {
    public let conv1: Conv2D
    public let bn1: BatchNorm2D
    public let conv2: Conv2D
    public let bn2: BatchNorm2D

    public init(name: String, inputChannels: Int, outputChannels: Int, generator: inout SeededGenerator) {
        conv1 = Conv2D(name: qualified(name, "conv1"), inputChannels: inputChannels, outputChannels: outputChannels,
                       kernelSize: 3, generator: &generator)
        bn1 = BatchNorm2D(name: qualified(name, "bn1"), channels: outputChannels)
        conv2 = Conv2D(name: qualified(name, "conv2"), inputChannels: outputChannels, outputChannels: outputChannels,
                       kernelSize: 3, generator: &generator)
        bn2 = BatchNorm2D(name: qualified(name, "bn2"), channels: outputChannels)
    }

    /// The sub-layers in parameter and buffer order.
    public var layers: [any Layer] { [conv1, bn1, conv2, bn2] }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let h = relu(bn1(conv1(x), training: training))
        return relu(bn2(conv2(h), training: training))
    }
}
