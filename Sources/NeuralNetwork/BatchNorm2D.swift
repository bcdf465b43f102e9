import Autodiff
import TensorCore

/// Batch normalization over the channels of an NCHW batch (`batchNorm`), PyTorch's defaults:
/// γ = 1, β = 0, running mean 0, running variance 1, momentum 0.1, ε = 1e-5.
///
/// Parameters `<name>.weight` (γ) and `<name>.bias` (β), `[C]`; buffers `<name>.running_mean` and
/// `<name>.running_var`, `[C]` (PyTorch's names), updated by every training-mode call.
public final class BatchNorm2D: ParameterCollection {
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float
    private let name: String

    public init(name: String, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.name = name
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(qualified(name, "weight"), Tensor(repeating: 1, shape: [channels]))
        beta = Parameter(qualified(name, "bias"), Tensor(zeros: [channels]))
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
    }

    public var parameters: [Parameter] { [gamma, beta] }

    /// The running statistics, in a fixed order, for checkpoints.
    public var buffers: [(name: String, tensor: Tensor)] {
        [(qualified(name, "running_mean"), runningMean), (qualified(name, "running_var"), runningVariance)]
    }

    /// Training: normalize with batch statistics and update the running ones; evaluation: normalize
    /// with the running statistics.
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        batchNorm(x, gamma: x.tape.variable(gamma), beta: x.tape.variable(beta), runningMean: runningMean,
                  runningVariance: runningVariance, training: training, momentum: momentum, epsilon: epsilon)
    }
}

/// The U-Net's block: (3×3 convolution → batch norm → ReLU) × 2.
///
/// Layers `<name>.conv1`, `<name>.bn1`, `<name>.conv2`, `<name>.bn2`. Input `[N, Cin, H, W]`, output
/// `[N, Cout, H, W]`.
public final class ConvBlock: ParameterCollection {
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

    public var parameters: [Parameter] { conv1.parameters + bn1.parameters + conv2.parameters + bn2.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { bn1.buffers + bn2.buffers }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        let h = relu(bn1(conv1(x), training: training))
        return relu(bn2(conv2(h), training: training))
    }
}
