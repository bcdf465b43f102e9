import Autodiff
import TensorCore

/// PyTorch's default initialization of convolution weights and biases: Kaiming-uniform with
/// a = √5, i.e. every entry uniform in `(−1/√fanIn, 1/√fanIn)`, where `fanIn` is the size of
/// dimension 1 of the weight times the kernel area (for a transposed convolution, whose weight is
/// `[Cin, Cout, k, k]`, that is Cout·k², as in PyTorch). The bias uses the same bound.
func kaimingUniform(_ shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
    let bound = 1 / Float(fanIn).squareRoot()
    return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
}

/// Joins a layer-name prefix and a part name with a dot (an empty prefix adds nothing).
func qualified(_ prefix: String, _ part: String) -> String { prefix.isEmpty ? part : prefix + "." + part }

/// A k×k convolution layer, k = 3 (zero padding 1) or k = 1, stride 1, with bias (`conv2d`).
///
/// Parameters `<name>.weight` `[Cout, Cin, k, k]` and `<name>.bias` `[Cout]`. Input `[N, Cin, H, W]`,
/// output `[N, Cout, H, W]`.
public final class Conv2D: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int

    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
                generator: inout SeededGenerator) {
        precondition(kernelSize == 1 || kernelSize == 3, "Conv2D \(name): kernel size must be 1 or 3, got \(kernelSize)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        let fanIn = inputChannels * kernelSize * kernelSize
        weight = Parameter(qualified(name, "weight"),
                           kaimingUniform([outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn,
                                          generator: &generator))
        bias = Parameter(qualified(name, "bias"), kaimingUniform([outputChannels], fanIn: fanIn, generator: &generator))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [LayerBuffer] { [] }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: x.tape.variable(weight), bias: x.tape.variable(bias))
    }
}

/// A 2×2 stride-2 transposed convolution layer with bias (`transposedConv2x2`), the U-Net's
/// up-sampling step.
///
/// Parameters `<name>.weight` `[Cin, Cout, 2, 2]` and `<name>.bias` `[Cout]`. Input `[N, Cin, H, W]`,
/// output `[N, Cout, 2H, 2W]`.
public final class TransposedConv2D: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let inputChannels: Int
    public let outputChannels: Int

    public init(name: String, inputChannels: Int, outputChannels: Int, generator: inout SeededGenerator) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let fanIn = outputChannels * 4
        weight = Parameter(qualified(name, "weight"),
                           kaimingUniform([inputChannels, outputChannels, 2, 2], fanIn: fanIn, generator: &generator))
        bias = Parameter(qualified(name, "bias"), kaimingUniform([outputChannels], fanIn: fanIn, generator: &generator))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [LayerBuffer] { [] }

    public func callAsFunction(_ x: Variable) -> Variable {
        transposedConv2x2(x, weight: x.tape.variable(weight), bias: x.tape.variable(bias))
    }
}
