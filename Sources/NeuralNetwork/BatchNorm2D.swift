import Autodiff
import TensorCore

/// Batch normalization over the channels of an NCHW batch (`batchNorm`), PyTorch's defaults:
/// γ = 1, β = 0, running mean 0, running variance 1, momentum 0.1, ε = 1e-5.
///
/// Parameters `<name>.weight` (γ) and `<name>.bias` (β), `[C]`; buffers `<name>.running_mean` and
/// `<name>.running_var`, `[C]` (PyTorch's names), updated by every training-mode call.
public final class BatchNorm2D: Layer {
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
    public var buffers: [LayerBuffer] {
        [(qualified(name, "running_mean"), runningMean), (qualified(name, "running_var"), runningVariance)]
    }

    /// Training: normalize with batch statistics and update the running ones; evaluation: normalize
    /// with the running statistics.
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        batchNorm(x, gamma: x.tape.variable(gamma), beta: x.tape.variable(beta), runningMean: runningMean,
                  runningVariance: runningVariance, training: training, momentum: momentum, epsilon: epsilon)
    }
}
