import TensorCore

/// 2×2 transposed convolution with stride 2 (PyTorch's `ConvTranspose2d(Cin, Cout, 2, stride: 2)`),
/// the U-Net's up-sampling step.
///
/// Shapes: `x` `[N, Cin, H, W]`, `weight` `[Cin, Cout, 2, 2]`, `bias` `[Cout]` → `[N, Cout, 2H, 2W]`.
///
/// Forward: `y[n, o, 2i+a, 2j+b] = bias[o] + Σ_c x[n,c,i,j] · w[c,o,a,b]` for a, b ∈ {0, 1} (the
/// 2×2 output blocks do not overlap).
/// Backward (ȳ = ∂L/∂y):
/// - `x̄[n,c,i,j] += Σ_{o,a,b} w[c,o,a,b] · ȳ[n, o, 2i+a, 2j+b]`;
/// - `w̄[c,o,a,b] += Σ_{n,i,j} x[n,c,i,j] · ȳ[n, o, 2i+a, 2j+b]`;
/// - `b̄[o] += Σ_{n,y,x} ȳ[n,o,y,x]`.
///
/// Kernels: one sgemm per pixel tile (Kernels/TransposedConvolutionKernels.swift).
public func transposedConv2x2(_ x: Variable, weight: Variable, bias: Variable) -> Variable {
    precondition(x.shape.count == 4, "transposedConv2x2: input must be [N, Cin, H, W], got \(x.shape)")
    let w = weight.shape
    precondition(w.count == 4 && w[0] == x.shape[1] && w[2] == 2 && w[3] == 2,
                 "transposedConv2x2: weight must be [\(x.shape[1]), Cout, 2, 2], got \(w)")
    precondition(bias.shape == [w[1]], "transposedConv2x2: bias must be [\(w[1])], got \(bias.shape)")
    let shape = TransposedConvolutionKernels.Shape(batch: x.shape[0], inputChannels: w[0], outputChannels: w[1],
                                                   height: x.shape[2], width: x.shape[3])
    let out = Tensor(uninitialized: [shape.batch, shape.outputChannels, 2 * shape.height, 2 * shape.width])
    TransposedConvolutionKernels.forward(x.value.pointer, weight: weight.value.pointer, bias: bias.value.pointer,
                                         into: out.pointer, shape: shape)
    let node = x.tape.record(out, op: AutodiffOp.transposedConv2x2,
                             inputs: [x.node, weight.node, bias.node]) { gOut, inputs in
        let (x, weight, bias) = (inputs[0], inputs[1], inputs[2])
        let g = gOut.pointer
        if x.needsGradient || weight.needsGradient {
            TransposedConvolutionKernels.backward(
                g, input: x.value.pointer, weight: weight.value.pointer, inputGradient: x.gradient?.pointer,
                weightGradient: weight.gradient?.pointer, shape: shape)
        }
        if let gb = bias.gradient {
            ConvolutionKernels.accumulateBiasGradient(g, into: gb.pointer,
                                                      batch: shape.batch, channels: shape.outputChannels,
                                                      plane: 4 * shape.plane)
        }
    }
    return Variable(node: node, tape: x.tape)
}
