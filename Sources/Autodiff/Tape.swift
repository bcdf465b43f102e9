import TensorCore

/// One value on the tape and, once the backward pass reaches it, its gradient.
///
/// For real nodes `gradient` holds ∂loss/∂value. For complex nodes (values with a trailing
/// dimension of 2, see `ComplexVariable`) it holds ∂loss/∂Re + j·∂loss/∂Im in the same interleaved
/// layout — the convention PyTorch uses, so that gradient descent moves a complex value by `−lr·g`.
public final class Node {
    public let value: Tensor
    /// Whether a gradient must be computed for this node (a trainable parameter or something
    /// computed from one).
    public let needsGradient: Bool
    /// Accumulated gradient; `nil` until something flows into it.
    public private(set) var gradient: Tensor?
    /// Runs this node's backward step: reads `gradient`, accumulates into the inputs' gradients.
    var pullback: ((Node) -> Void)?

    init(value: Tensor, needsGradient: Bool, gradient: Tensor? = nil) {
        self.value = value
        self.needsGradient = needsGradient
        self.gradient = gradient
    }

    /// The gradient buffer to accumulate into, allocated as zeros on first use.
    /// Backward steps must only add to it (`+=`), never overwrite it.
    public func gradientBuffer() -> Tensor {
        if let g = gradient { return g }
        let g = Tensor(zeros: value.shape)
        gradient = g
        return g
    }
}

/// A reverse-mode tape at the granularity of tensor operations.
///
/// Ops append nodes in forward order; `backward` visits them in reverse, each node's pullback
/// accumulating into its inputs' gradient buffers. The graph is one-shot: each pullback is released
/// as soon as it has run, so intermediates are freed during the backward pass and the tape holds
/// nothing afterwards (gradients stay readable through the variables the caller kept). Pullbacks
/// capture their input variables, which reference the tape, so a recording tape whose backward never
/// runs must be `reset()` to break that cycle. With `isRecording == false` (evaluation) no pullbacks
/// are kept, nothing requires a gradient, and nothing needs resetting. Tensors return to
/// `BufferPool.shared` and are reused by the next step.
public final class Tape {
    public let isRecording: Bool
    private var nodes: [Node] = []

    public init(recording: Bool = true) { isRecording = recording }

    /// Number of recorded nodes that will take part in the backward pass.
    public var recordedCount: Int { nodes.count }

    /// A constant input (no gradient).
    public func constant(_ value: Tensor) -> Variable {
        Variable(node: Node(value: value, needsGradient: false), tape: self)
    }

    /// A complex constant input (no gradient).
    public func constant(_ field: ComplexField) -> ComplexVariable {
        ComplexVariable(node: Node(value: field.storage, needsGradient: false), tape: self)
    }

    /// A parameter on the tape. Unless the parameter is frozen (or the tape is not recording), its
    /// node accumulates directly into `parameter.gradient`.
    public func variable(_ parameter: Parameter) -> Variable {
        let trainable = isRecording && !parameter.isFrozen
        let node = Node(value: parameter.value, needsGradient: trainable,
                        gradient: trainable ? parameter.gradient : nil)
        return Variable(node: node, tape: self)
    }

    /// A leaf that needs a gradient, for tests and for inputs whose gradient is wanted.
    public func leaf(_ value: Tensor) -> Variable {
        Variable(node: Node(value: value, needsGradient: isRecording), tape: self)
    }

    public func leaf(_ field: ComplexField) -> ComplexVariable {
        ComplexVariable(node: Node(value: field.storage, needsGradient: isRecording), tape: self)
    }

    /// Records the result of an op. `inputs` decide whether the result needs a gradient; when it
    /// does, `pullback` is called during `backward` with the output node (whose `gradient` is set).
    public func record(_ value: Tensor, inputs: [Node], pullback: @escaping (Node) -> Void) -> Node {
        let needs = isRecording && inputs.contains { $0.needsGradient }
        let node = Node(value: value, needsGradient: needs)
        if needs {
            node.pullback = pullback
            nodes.append(node)
        }
        return node
    }

    /// Backpropagates from a scalar (one-element) `loss`, seeding ∂loss/∂loss = 1.
    public func backward(from loss: Variable) {
        precondition(loss.value.count == 1, "backward needs a scalar loss, got shape \(loss.value.shape)")
        backward(from: loss.node, seed: Tensor(repeating: 1, shape: loss.value.shape))
    }

    /// Backpropagates a given output gradient `seed` (same shape as `output`'s value).
    public func backward(from output: Node, seed: Tensor) {
        precondition(seed.shape == output.value.shape, "seed \(seed.shape) vs output \(output.value.shape)")
        guard output.needsGradient else { return }
        output.gradientBuffer().accumulate(seed)
        for node in nodes.reversed() {
            guard let pullback = node.pullback else { continue }
            node.pullback = nil
            if node.gradient != nil { pullback(node) }
        }
        nodes.removeAll(keepingCapacity: true)
    }

    /// Drops every recorded node and pullback so their tensors can be reused.
    public func reset() {
        for node in nodes { node.pullback = nil }
        nodes.removeAll(keepingCapacity: true)
    }
}

/// A real tensor value on a tape.
public struct Variable {
    public let node: Node
    public let tape: Tape
    public init(node: Node, tape: Tape) { self.node = node; self.tape = tape }

    public var value: Tensor { node.value }
    public var shape: [Int] { node.value.shape }
    public var gradient: Tensor? { node.gradient }
    public var needsGradient: Bool { node.needsGradient }
}

/// A complex field value on a tape (`value` has a trailing dimension of 2, see `ComplexField`).
public struct ComplexVariable {
    public let node: Node
    public let tape: Tape
    public init(node: Node, tape: Tape) {
        precondition(node.value.shape.last == 2, "complex node needs a trailing 2, got \(node.value.shape)")
        self.node = node
        self.tape = tape
    }

    public var field: ComplexField { ComplexField(storage: node.value) }
    /// Logical shape, without the trailing 2.
    public var shape: [Int] { Array(node.value.shape.dropLast()) }
    /// Gradient as a field (∂L/∂Re + j∂L/∂Im), if any flowed here.
    public var gradient: ComplexField? { node.gradient.map { ComplexField(storage: $0) } }
    public var needsGradient: Bool { node.needsGradient }
}
