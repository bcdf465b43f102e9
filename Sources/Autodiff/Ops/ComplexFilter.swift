import TensorCore

/// A real k×k 2-D filter applied to the real and imaginary parts of a complex field (the learned
/// low-pass `G_ψ` of the filtered spectral initialization).
///
/// Forward (correlation, as PyTorch's `conv2d`; zero padding p = (k−1)/2, 'same' output):
/// `out[b, i, j] = Σ_{a,c=0}^{k−1} ψ[a, c] · z[b, i + a − p, j + c − p]`, with `z` = 0 outside the image.
/// Since ψ is real this acts on Re z and Im z separately.
///
/// Shapes: `field` `[B, H, W]` complex, `kernel` `[k, k]` real with k odd, output `[B, H, W]` complex.
/// Backward, with `ḡ` the output gradient:
/// - `ḡz[b, m, n] += Σ_{a,c} ψ[a, c] · ḡ[b, m − a + p, n − c + p]`: correlation with the flipped
///   kernel, i.e. the adjoint of the forward map;
/// - `ḡψ[a, c] += Σ_{b,i,j} Re(conj(ḡ[b, i, j]) · z[b, i + a − p, j + c − p])`.
public func filter2D(_ field: ComplexVariable, kernel: Variable) -> ComplexVariable {
    precondition(field.shape.count == 3, "filter2D expects a [B, H, W] field, got \(field.shape)")
    precondition(kernel.shape.count == 2 && kernel.shape[0] == kernel.shape[1] && kernel.shape[0] % 2 == 1,
                 "filter2D expects an odd square kernel [k, k], got \(kernel.shape)")
    let geometry = FilterGeometry(batch: field.shape[0], height: field.shape[1], width: field.shape[2],
                                  size: kernel.shape[0])
    let out = Tensor(zeros: field.node.value.shape)
    geometry.correlate(field.node.value.pointer, kernel: kernel.value.pointer, into: out.pointer)
    let node = field.tape.record(out, inputs: [field.node, kernel.node]) { o in
        let g = o.gradient!.pointer
        if field.needsGradient {
            geometry.correlateAdjoint(g, kernel: kernel.value.pointer, into: field.node.gradientBuffer().pointer)
        }
        if kernel.needsGradient {
            geometry.kernelGradient(g, input: field.node.value.pointer, into: kernel.node.gradientBuffer().pointer)
        }
    }
    return ComplexVariable(node: node, tape: field.tape)
}

/// Loop bounds for the k×k filter on interleaved complex rows (2W floats per row).
///
/// Tap (a, c) reads row `i + a − p` and the float at `q + s` with `s = 2(c − p)` for output float `q`;
/// only rows and columns inside the image contribute (zero padding).
struct FilterGeometry {
    let batch: Int, height: Int, width: Int, size: Int
    var pad: Int { size / 2 }
    var rowFloats: Int { 2 * width }
    var sliceFloats: Int { 2 * width * height }

    /// The valid output floats `q` for a column shift `s`.
    @inline(__always) func columns(shift s: Int) -> Range<Int> { max(0, -s)..<min(rowFloats, rowFloats - s) }

    /// `out += ψ ⋆ z` (correlation), per sample in parallel chunks.
    func correlate(_ z: UnsafePointer<Float>, kernel: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        Parallel.chunks(batch) { samples in
            for b in samples {
                for i in 0..<height {
                    let o = out + b * sliceFloats + i * rowFloats
                    for a in 0..<size {
                        let r = i + a - pad
                        guard r >= 0 && r < height else { continue }
                        let src = z + b * sliceFloats + r * rowFloats
                        for c in 0..<size {
                            let w = kernel[a * size + c], s = 2 * (c - pad)
                            for q in columns(shift: s) { o[q] += w * src[q + s] }
                        }
                    }
                }
            }
        }
    }

    /// `ḡz += ψᵀ ⋆ ḡ`: every output float scatters back to the inputs it read.
    func correlateAdjoint(_ g: UnsafePointer<Float>, kernel: UnsafePointer<Float>, into gz: UnsafeMutablePointer<Float>) {
        Parallel.chunks(batch) { samples in
            for b in samples {
                for i in 0..<height {
                    let src = g + b * sliceFloats + i * rowFloats
                    for a in 0..<size {
                        let r = i + a - pad
                        guard r >= 0 && r < height else { continue }
                        let dst = gz + b * sliceFloats + r * rowFloats
                        for c in 0..<size {
                            let w = kernel[a * size + c], s = 2 * (c - pad)
                            for q in columns(shift: s) { dst[q + s] += w * src[q] }
                        }
                    }
                }
            }
        }
    }

    /// `ḡψ[a, c] += Σ ḡ[b, i, q] · z[b, i + a − p, q + s]`, reduced over per-chunk partial sums (in a
    /// fixed order, so the result is deterministic for a fixed thread count).
    func kernelGradient(_ g: UnsafePointer<Float>, input z: UnsafePointer<Float>, into gk: UnsafeMutablePointer<Float>) {
        let taps = size * size
        let pieces = max(1, min(Parallel.threads, batch))
        var partial = [Double](repeating: 0, count: pieces * taps)
        partial.withUnsafeMutableBufferPointer { acc in
            let accumulators = acc.baseAddress!
            Parallel.chunks(pieces) { range in
                for piece in range {
                    let lo = batch * piece / pieces, hi = batch * (piece + 1) / pieces
                    let mine = accumulators + piece * taps
                    for b in lo..<hi {
                        for i in 0..<height {
                            let gRow = g + b * sliceFloats + i * rowFloats
                            for a in 0..<size {
                                let r = i + a - pad
                                guard r >= 0 && r < height else { continue }
                                let zRow = z + b * sliceFloats + r * rowFloats
                                for c in 0..<size {
                                    let s = 2 * (c - pad)
                                    var dot: Float = 0
                                    for q in columns(shift: s) { dot += gRow[q] * zRow[q + s] }
                                    mine[a * size + c] += Double(dot)
                                }
                            }
                        }
                    }
                }
            }
        }
        for t in 0..<taps {
            var sum = 0.0
            for piece in 0..<pieces { sum += partial[piece * taps + t] }
            gk[t] += Float(sum)
        }
    }
}
