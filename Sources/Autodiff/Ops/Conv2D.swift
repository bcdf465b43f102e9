import TensorCore

/// 2-D convolution (cross-correlation, as in PyTorch's `Conv2d`), stride 1, "same" zero padding.
///
/// Shapes: `x` `[N, Cin, H, W]`, `weight` `[Cout, Cin, k, k]` with k = 3 (padding 1) or k = 1 (no
/// padding), `bias` `[Cout]` → `[N, Cout, H, W]`.
///
/// Forward: `y[n,o,i,j] = b[o] + Σ_{c,a,b'} w[o,c,a,b'] · x[n, c, i+a−p, j+b'−p]` with p = k/2 and
/// x = 0 outside the image.
/// Backward (ȳ = ∂L/∂y):
/// - `x̄[n,c,i,j] += Σ_{o,a,b'} w[o,c,a,b'] · ȳ[n, o, i−a+p, j−b'+p]` (correlation of ȳ with the
///   flipped, channel-transposed kernel);
/// - `w̄[o,c,a,b'] += Σ_{n,i,j} ȳ[n,o,i,j] · x[n, c, i+a−p, j+b'−p]`;
/// - `b̄[o] += Σ_{n,i,j} ȳ[n,o,i,j]`.
///
/// Kernels: pixel tiles, im2col or shifted-rows patch matrices, sgemm (Kernels/ConvolutionKernels.swift).
public func conv2d(_ x: Variable, weight: Variable, bias: Variable) -> Variable {
    let shape = convolutionShape(x.shape, weight.shape, bias.shape)
    let out = Tensor(uninitialized: [shape.batch, shape.outputChannels, shape.height, shape.width])
    ConvolutionKernels.forward(x.value.pointer, weight: weight.value.pointer, bias: bias.value.pointer,
                               into: out.pointer, shape: shape)
    let node = x.tape.record(out, op: AutodiffOp.conv2d, inputs: [x.node, weight.node, bias.node]) { gOut, inputs in
        let (x, weight, bias) = (inputs[0], inputs[1], inputs[2])
        let g = gOut.pointer
        if let gx = x.gradient {
            ConvolutionKernels.accumulateInputGradient(g, weight: weight.value.pointer, into: gx.pointer, shape: shape)
        }
        if let gw = weight.gradient {
            ConvolutionKernels.accumulateWeightGradient(x.value.pointer, outputGradient: g, into: gw.pointer,
                                                        shape: shape)
        }
        if let gb = bias.gradient {
            ConvolutionKernels.accumulateBiasGradient(g, into: gb.pointer,
                                                      batch: shape.batch, channels: shape.outputChannels,
                                                      plane: shape.plane)
        }
    }
    return Variable(node: node, tape: x.tape)
}

private func convolutionShape(_ x: [Int], _ w: [Int], _ b: [Int]) -> ConvolutionKernels.Shape {
    precondition(x.count == 4, "conv2d: input must be [N, Cin, H, W], got \(x)")
    precondition(w.count == 4 && w[2] == w[3] && (w[2] == 1 || w[2] == 3),
                 "conv2d: weight must be [Cout, Cin, k, k] with k = 1 or 3, got \(w)")
    precondition(w[1] == x[1], "conv2d: weight \(w) expects \(w[1]) input channels, input has \(x[1])")
    precondition(b == [w[0]], "conv2d: bias must be [\(w[0])], got \(b)")
    return ConvolutionKernels.Shape(batch: x[0], inputChannels: x[1], outputChannels: w[0],
                                    height: x[2], width: x[3], kernel: w[2])
}
