/// Every op this library records on a tape (one case per `Tape.record` call site; see `OpCatalog`).
public enum AutodiffOp: String, OpCatalog {
    // Elementwise.swift, Reduction.swift
    case add, subtract, multiply, scale, reshape
    case sum, mean, sumPerSample, meanPerSample, meanSquaredError
    // Layer ops
    case sigmoid, relu, maxPool2x2, concatChannels, conv2d, transposedConv2x2, batchNorm
    // ComplexOps.swift
    case complexMultiply, conjugate, abs2, complex, realPart, imaginaryPart, packChannels, unpackChannels
    case scalePerSample, normalizePerSample, meanOverSnapshots, complexMeanOverSnapshots
    // FourierOps.swift, ComplexFilter.swift, GlobalPhaseAlignment.swift
    case fft2, ifft2, modulate, filter2D, alignGlobalPhase

    public var isLinearOperator: Bool {
        switch self {
        case .fft2, .ifft2, .modulate, .filter2D: return true
        case .add, .subtract, .multiply, .scale, .reshape, .sum, .mean, .sumPerSample, .meanPerSample,
             .meanSquaredError, .sigmoid, .relu, .maxPool2x2, .concatChannels, .conv2d, .transposedConv2x2,
             .batchNorm, .complexMultiply, .conjugate, .abs2, .complex, .realPart, .imaginaryPart, .packChannels,
             .unpackChannels, .scalePerSample, .normalizePerSample, .meanOverSnapshots, .complexMeanOverSnapshots,
             .alignGlobalPhase:
            return false
        }
    }
}
