import Autodiff
import Foundation
import TensorCore

/// Adam (Kingma & Ba, "Adam: A method for stochastic optimization", ICLR 2015) with bias correction.
///
/// For each trainable parameter θ with gradient g, at its t-th update:
/// `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²`, `m̂ = m/(1 − β1ᵗ)`, `v̂ = v/(1 − β2ᵗ)`,
/// `θ ← θ − lr · m̂ / (√v̂ + ε)`.
/// Defaults: learning rate 5e-4 (the paper's, Fonseca et al.), β1 = 0.9, β2 = 0.999, ε = 1e-8
/// (Kingma & Ba's). Frozen parameters are skipped: neither they nor their moments nor their step
/// counts change. Each parameter keeps its own step count t, so a parameter unfrozen later gets the
/// bias correction of its own number of updates (as in PyTorch).
public final class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    private var state: State

    /// Everything a checkpoint needs to continue exactly: per parameter (in `parameters` order) its
    /// step count and first and second moments (shaped like the parameter).
    public struct State {
        public var steps: [Int]
        public var firstMoments: [Tensor]
        public var secondMoments: [Tensor]

        public init(steps: [Int], firstMoments: [Tensor], secondMoments: [Tensor]) {
            self.steps = steps
            self.firstMoments = firstMoments
            self.secondMoments = secondMoments
        }
    }

    public init(parameters: [Parameter], learningRate: Float = 5e-4, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        state = State(steps: Array(repeating: 0, count: parameters.count),
                      firstMoments: parameters.map { Tensor(zeros: $0.shape) },
                      secondMoments: parameters.map { Tensor(zeros: $0.shape) })
    }

    /// A copy of the optimizer state (the tensors are copied).
    public var currentState: State {
        State(steps: state.steps, firstMoments: state.firstMoments.map { $0.copy() },
              secondMoments: state.secondMoments.map { $0.copy() })
    }

    /// Replaces the optimizer state (values are copied) after checking it matches the parameters.
    public func restore(_ saved: State) throws {
        let n = parameters.count
        guard saved.steps.count == n, saved.firstMoments.count == n, saved.secondMoments.count == n else {
            throw AdamStateError(description: "Adam state has \(saved.steps.count) steps, \(saved.firstMoments.count) first and \(saved.secondMoments.count) second moments for \(n) parameters")
        }
        for (i, p) in parameters.enumerated() {
            guard saved.firstMoments[i].shape == p.shape, saved.secondMoments[i].shape == p.shape,
                  saved.steps[i] >= 0 else {
                throw AdamStateError(description: "Adam state for \(p.name) does not match its shape \(p.shape)")
            }
        }
        for i in 0..<n {
            state.steps[i] = saved.steps[i]
            state.firstMoments[i].assign(saved.firstMoments[i])
            state.secondMoments[i].assign(saved.secondMoments[i])
        }
    }

    /// One update of every trainable parameter from its accumulated `gradient` (not cleared here).
    public func step() {
        for (i, p) in parameters.enumerated() where !p.isFrozen {
            state.steps[i] += 1
            let t = Double(state.steps[i])
            let correction1 = Float(1 - Foundation.pow(Double(beta1), t))
            let correction2 = Float(1 - Foundation.pow(Double(beta2), t))
            let m = state.firstMoments[i].pointer, v = state.secondMoments[i].pointer
            let g = p.gradient.pointer, theta = p.value.pointer
            let (b1, b2, lr, eps) = (beta1, beta2, learningRate, epsilon)
            for k in 0..<p.value.count {
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k]
                theta[k] -= lr * (m[k] / correction1) / ((v[k] / correction2).squareRoot() + eps)
            }
        }
    }
}

/// A saved optimizer state that does not fit the parameters.
public struct AdamStateError: Error, CustomStringConvertible {
    public let description: String
}
