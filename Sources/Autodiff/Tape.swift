import TensorCore

/// One value on the tape and, once the backward pass reaches it, its gradient.
///
/// For real nodes `gradient` holds ∂loss/∂value. For complex nodes (values with a trailing
/// dimension of 2, see `ComplexVariable`) it holds ∂loss/∂Re + j·∂loss/∂Im in the same interleaved
/// layout — the convention PyTorch uses, so that gradient descent moves a complex value by `−lr·g`.
public final class Node {
    /// The value while the node owns it: always for leaves, constants and unrecorded results; for a
    /// recorded op's output until a variable takes it over, and again once a pullback needs it
    /// (`Tape.record(…, readsInputValues: true)` pins every input).
    private var ownedValue: Tensor?
    /// The value while only the variables wrapping the node own it (a recorded output no pullback
    /// reads). Nil once they all died: the tensor went back to the buffer pool.
    private weak var sharedValue: Tensor?
    /// Shape of the value, known even after the value was released.
    public let shape: [Int]
    /// Whether a gradient must be computed for this node (a trainable parameter or something
    /// computed from one).
    public let needsGradient: Bool
    /// The op that computed this node (`OpCatalog.rawValue`); nil for leaves and constants.
    public let op: String?
    /// Accumulated gradient; `nil` until something flows into it.
    public private(set) var gradient: Tensor?
    /// The op's input nodes and its backward step, kept until the backward pass has run it.
    fileprivate var inputs: [Node] = []
    fileprivate var pullback: Pullback?
    /// Whether the pullback reads its inputs' values (they are pinned when recorded).
    fileprivate var readsInputValues = true
    /// A recorded op's output: its value may be left to the variables that wrap it.
    fileprivate var isReleasable = false
    /// Some recorded pullback reads this value: the node keeps it until the tape lets go of the node.
    fileprivate var isPinned = false

    init(value: Tensor, needsGradient: Bool, op: String? = nil, gradient: Tensor? = nil) {
        ownedValue = value
        shape = value.shape
        self.needsGradient = needsGradient
        self.op = op
        self.gradient = gradient
    }

    /// The forward value. Reading it after it was released (no variable holds it and no pullback
    /// declared that it reads it) is a programming error.
    public var value: Tensor {
        guard let value = ownedValue ?? sharedValue else {
            preconditionFailure("the value of a node computed by \(op ?? "?") was released: no variable holds it "
                                + "and no pullback declared that it reads it (Tape.record, readsInputValues)")
        }
        return value
    }

    /// Whether the node itself keeps its value alive (rather than only the variables wrapping it).
    public var ownsValue: Bool { ownedValue != nil }

    /// Called by a variable that now holds the value: a recorded output that no pullback reads is left
    /// to the variables, so it dies with the last of them.
    fileprivate func handOverValue() {
        guard isReleasable, !isPinned, let value = ownedValue else { return }
        sharedValue = value
        ownedValue = nil
    }

    /// A recorded pullback reads this value: keep it for the backward pass.
    fileprivate func pin() {
        isPinned = true
        if ownedValue == nil { ownedValue = value }
    }

    /// The gradient buffer to accumulate into, allocated as zeros on first use.
    fileprivate func gradientBuffer() -> Tensor {
        if let g = gradient { return g }
        let g = Tensor(zeros: shape)
        gradient = g
        return g
    }
}

/// A backward step: given the output gradient ḡ (same shape as the output; for complex outputs
/// ∂L/∂Re + j·∂L/∂Im) and the op's inputs, *adds* each input's vector–Jacobian product into that
/// input's `gradient`. It may capture forward-pass tensors (saved activations, masks, plans), never a
/// `Variable`, `ComplexVariable` or `Tape`: the inputs arrive as arguments.
public typealias Pullback = (_ outputGradient: Tensor, _ inputs: [OpInput]) -> Void

/// One input of a recorded op, as its pullback sees it.
public struct OpInput {
    private let node: Node
    private let valueIsSaved: Bool

    fileprivate init(_ node: Node, valueIsSaved: Bool) {
        self.node = node
        self.valueIsSaved = valueIsSaved
    }

    /// The input's forward value; only for ops recorded with `readsInputValues: true` (the default).
    public var value: Tensor {
        precondition(valueIsSaved, "a pullback recorded with readsInputValues: false read the value of an input")
        return node.value
    }
    public var needsGradient: Bool { node.needsGradient }
    /// The buffer ∂L/∂input accumulates in (zeros when first asked for), or nil when this input
    /// needs no gradient. Pullbacks only add to it (`+=`), never overwrite it.
    public var gradient: Tensor? { node.needsGradient ? node.gradientBuffer() : nil }
}

/// The ops one library records, one case per `Tape.record` call site. `rawValue` names the op on
/// its nodes (`Node.op`); the op table in Tests/TestSupport must have a row for every case
/// (`OpTableTests`), so an op without a gradient check does not go unnoticed.
public protocol OpCatalog: CaseIterable, RawRepresentable, Sendable where RawValue == String {
    /// Whether the op is one of the model's linear operators, written as a matrix A in the docs
    /// (F, Fᴴ, the filter G_ψ, Γ, the modulation): C-linear in its complex field for fixed other
    /// inputs. The op table then also holds an adjointness row `⟨Ax, y⟩ = ⟨x, Aᴴy⟩` for it.
    var isLinearOperator: Bool { get }
}

/// A reverse-mode tape at the granularity of tensor operations.
///
/// Ops append nodes in forward order; `backward` visits them in reverse, handing each node's pullback
/// the node's gradient and inputs. The graph is one-shot: the tape lets go of each node as soon as its
/// pullback has run, so intermediates (values, gradients, saved tensors) are freed during the backward
/// pass and the tape holds nothing afterwards (gradients stay readable through the variables the
/// caller kept). References point one way only — tape → nodes → input nodes, and pullbacks capture
/// plain tensors, never a variable or the tape — so a recording tape whose backward never runs is
/// freed with its last reference; `reset()` releases the recorded graph early while the tape is kept. With
/// `isRecording == false` (evaluation) no pullbacks are kept and nothing requires a gradient.
/// Tensors return to `BufferPool.shared` and are reused by the next step.
///
/// Memory: a recorded op's output belongs to the variables that wrap it, and to the tape only when a
/// later pullback reads it (`record(…, readsInputValues:)`). An output no pullback reads (a batch
/// norm's output, which the following ReLU does not need, or an upsampling whose only consumer is a
/// concatenation) is freed during the forward pass once the caller drops its variable.
public final class Tape {
    public let isRecording: Bool
    private var nodes: [Node] = []
    /// Set for a step of data-parallel training: batch norm in training mode then normalizes with the
    /// statistics of every process's samples (`SampleStatistics`). Nil (one process) by default.
    public var sampleStatistics: SampleStatistics?

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

    /// Records the result of `op`. `inputs` decide whether the result needs a gradient; when it
    /// does, `pullback` runs during `backward` with the result's gradient and the inputs (in the order
    /// given here), unless no gradient reached the result.
    ///
    /// `readsInputValues: false` declares that the pullback never reads `inputs[i].value` (it works
    /// from the output gradient, sizes and tensors it captured): the inputs are then not kept for it,
    /// so an input that is a recorded result needed by no other pullback is freed as soon as the
    /// caller drops its variable (reading it anyway stops with a precondition failure).
    public func record<Op: OpCatalog>(_ value: Tensor, op: Op, inputs: [Node], readsInputValues: Bool = true,
                                      pullback: @escaping Pullback) -> Node {
        let needs = isRecording && inputs.contains { $0.needsGradient }
        let node = Node(value: value, needsGradient: needs, op: op.rawValue)
        if needs {
            node.inputs = inputs
            node.pullback = pullback
            node.readsInputValues = readsInputValues
            node.isReleasable = true
            if readsInputValues { for input in inputs { input.pin() } }
            nodes.append(node)
        }
        return node
    }

    /// The distinct tensors the recorded graph keeps for the backward pass (values of recorded nodes
    /// and of their inputs that the nodes own, i.e. pinned for a pullback, plus leaves and constants),
    /// by the op that computed them ("input" for leaves, constants and parameters); largest first.
    /// Tensors that pullbacks captured (statistics, masks, indices) are not seen here.
    public func keptValues() -> [(op: String, tensors: Int, bytes: Int)] {
        var seen = Set<ObjectIdentifier>(), totals: [String: (tensors: Int, bytes: Int)] = [:]
        for node in nodes {
            for n in [node] + node.inputs where n.ownsValue {
                let value = n.value
                guard seen.insert(ObjectIdentifier(value)).inserted else { continue }
                let key = n.op ?? "input"
                totals[key, default: (0, 0)].tensors += 1
                totals[key, default: (0, 0)].bytes += value.count * MemoryLayout<Float>.size
            }
        }
        return totals.map { (op: $0.key, tensors: $0.value.tensors, bytes: $0.value.bytes) }
            .sorted { ($0.bytes, $1.op) > ($1.bytes, $0.op) }
    }

    /// The ops of the recorded nodes still waiting for the backward pass, in forward order.
    public var recordedOps: [String] { nodes.compactMap(\.op) }

    /// Backpropagates from a scalar (one-element) `loss`, seeding ∂loss/∂loss = 1.
    public func backward(from loss: Variable) {
        precondition(loss.value.count == 1, "backward needs a scalar loss, got shape \(loss.value.shape)")
        backward(from: loss.node, seed: Tensor(repeating: 1, shape: loss.value.shape))
    }

    /// Backpropagates a given output gradient `seed` (same shape as `output`'s value).
    public func backward(from output: Node, seed: Tensor) {
        precondition(seed.shape == output.shape, "seed \(seed.shape) vs output \(output.shape)")
        guard output.needsGradient else { return }
        output.gradientBuffer().accumulate(seed)
        // Every consumer of a node was recorded after it, so once the walk has passed a node nothing
        // reads its value or gradient again: the tape lets go of it at once (popLast), and its value,
        // gradient and saved tensors are freed unless the caller still holds its variable.
        while let node = nodes.popLast() {
            guard let pullback = node.pullback else { continue }
            let inputs = node.inputs
            node.pullback = nil
            node.inputs = []
            if let gradient = node.gradient {
                pullback(gradient, inputs.map { OpInput($0, valueIsSaved: node.readsInputValues) })
            }
        }
    }

    /// Drops every recorded node's pullback and inputs so their tensors can be reused.
    public func reset() {
        for node in nodes {
            node.pullback = nil
            node.inputs = []
        }
        nodes.removeAll(keepingCapacity: true)
    }
}

/// A real tensor value on a tape.
public struct Variable {
    public let node: Node
    public let tape: Tape
    /// The forward value, held by the variable (see `Tape`, "Memory").
    public let value: Tensor
    public init(node: Node, tape: Tape) {
        self.node = node
        self.tape = tape
        value = node.value
        node.handOverValue()
    }

    public var shape: [Int] { value.shape }
    public var gradient: Tensor? { node.gradient }
    public var needsGradient: Bool { node.needsGradient }
}

/// A complex field value on a tape (`value` has a trailing dimension of 2, see `ComplexField`).
public struct ComplexVariable {
    public let node: Node
    public let tape: Tape
    /// The interleaved forward value, held by the variable (see `Tape`, "Memory").
    private let storage: Tensor
    public init(node: Node, tape: Tape) {
        precondition(node.shape.last == 2, "complex node needs a trailing 2, got \(node.shape)")
        self.node = node
        self.tape = tape
        storage = node.value
        node.handOverValue()
    }

    public var field: ComplexField { ComplexField(storage: storage) }
    /// Logical shape, without the trailing 2.
    public var shape: [Int] { Array(storage.shape.dropLast()) }
    /// Gradient as a field (∂L/∂Re + j∂L/∂Im), if any flowed here.
    public var gradient: ComplexField? { node.gradient.map { ComplexField(storage: $0) } }
    public var needsGradient: Bool { node.needsGradient }
}
