import Autodiff

/// Every op this library records on a tape (one case per `Tape.record` call site; see `OpCatalog`).
public enum OpticsOp: String, OpCatalog {
    /// `SensingModel.measure`: the CDPs |A_ℓ x|².
    case measure
    /// `NoiseModel.apply`: a constant offset, gradient straight through.
    case noise
    /// `PhaseRegularizer.callAsFunction`: R(φ).
    case regularizer
    /// `spectralOperator`: Γ.
    case spectralOperator
    /// `parsevalNorm`: the norm estimate from the CDPs.
    case parsevalNorm
    /// `MaskError.applied(to:layers:)` on a variable: a realized fabrication or display error of φ.
    case maskError

    public var isLinearOperator: Bool {
        switch self {
        case .spectralOperator: return true
        case .measure, .noise, .regularizer, .parsevalNorm, .maskError: return false
        }
    }
}
