import Autodiff
import Optics
import TensorCore

/// One gradient row of the op table: small random inputs and one op applied to them, checked by
/// `OpTableTests` against finite differences (`checkGradients`) and for recording `op`.
public struct GradientRow {
    /// The op's catalog name (`AutodiffOp` or `OpticsOp` raw value); `apply` must record it.
    public let op: String
    /// What tells this row from others of the same op ("training", "f = 2"); may be empty.
    public let variant: String
    public let inputs: [Tensor]
    /// Finite-difference settings, as in `checkGradients`; `wrt` nil checks every input.
    public let epsilon: Float, tolerance: Double, wrt: Set<Int>?
    /// Builds the op's output on the tape from the inputs (as variables, in order).
    public let apply: (Tape, [Variable]) -> Node

    public init(_ op: some OpCatalog, _ variant: String = "", inputs: [Tensor], epsilon: Float = 1e-2,
                tolerance: Double = 1e-2, wrt: Set<Int>? = nil, _ apply: @escaping (Tape, [Variable]) -> Node) {
        self.op = op.rawValue
        self.variant = variant
        self.inputs = inputs
        self.epsilon = epsilon
        self.tolerance = tolerance
        self.wrt = wrt
        self.apply = apply
    }

    public var label: String { variant.isEmpty ? op : "\(op) (\(variant))" }
}

/// One adjointness row: a linear operator A of a complex field `x` (other inputs fixed) and its
/// adjoint Aᴴ written out independently (a plain loop or a transform known to be the adjoint).
/// `OpTableTests` checks `⟨Ax, y⟩ = ⟨x, Aᴴy⟩` and that the op's pullback of `y` is `Aᴴy`.
public struct AdjointRow {
    public let op: String
    public let variant: String
    /// A point of the domain and one of the range.
    public let x: ComplexField, y: ComplexField
    /// A on the tape.
    public let forward: (ComplexVariable) -> ComplexVariable
    /// Aᴴ without the tape.
    public let adjoint: (ComplexField) -> ComplexField

    public init(_ op: some OpCatalog, _ variant: String = "", x: ComplexField, y: ComplexField,
                forward: @escaping (ComplexVariable) -> ComplexVariable,
                adjoint: @escaping (ComplexField) -> ComplexField) {
        self.op = op.rawValue
        self.variant = variant
        self.x = x
        self.y = y
        self.forward = forward
        self.adjoint = adjoint
    }

    public var label: String { variant.isEmpty ? op : "\(op) (\(variant))" }
}

/// The table of every differentiable op: one `OpTableTests` walks it, so an op is checked as soon as
/// it has a row, and an op of a catalog without one fails that test (`uncovered`).
public enum OpTable {
    /// Every op the libraries record, with whether it is a linear operator (`OpCatalog`).
    public static var catalog: [(op: String, isLinearOperator: Bool)] {
        AutodiffOp.allCases.map { ($0.rawValue, $0.isLinearOperator) }
            + OpticsOp.allCases.map { ($0.rawValue, $0.isLinearOperator) }
    }

    public static func gradientRows() -> [GradientRow] {
        elementwiseRows() + layerRows() + complexRows() + fourierRows() + opticsRows()
    }

    public static func adjointRows() -> [AdjointRow] { autodiffAdjointRows() + opticsAdjointRows() }

    /// What the table misses for `catalog`: "op" for an op without a gradient row, "op (adjoint)" for a
    /// linear operator without an adjointness row, "op (not in the catalog)" for a row of an unknown op.
    public static func uncovered(catalog: [(op: String, isLinearOperator: Bool)], gradientRows: [GradientRow],
                                 adjointRows: [AdjointRow]) -> [String] {
        let checked = Set(gradientRows.map(\.op)), adjoint = Set(adjointRows.map(\.op))
        let known = Set(catalog.map(\.op))
        var missing = catalog.filter { !checked.contains($0.op) }.map(\.op)
        missing += catalog.filter { $0.isLinearOperator && !adjoint.contains($0.op) }.map { "\($0.op) (adjoint)" }
        missing += (checked.union(adjoint)).subtracting(known).sorted().map { "\($0) (not in the catalog)" }
        return missing
    }

    /// Standard normal tensors of the given shapes, one generator for all.
    static func normals(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
        var rng = SeededGenerator(seed: seed)
        return shapes.map { Tensor.normal($0, generator: &rng) }
    }

    /// Uniform tensor in `[low, high)`.
    static func uniform(_ shape: [Int], low: Float, high: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, generator: &rng)
    }
}
