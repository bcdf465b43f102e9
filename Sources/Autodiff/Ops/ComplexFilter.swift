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
    let out = Tensor(uninitialized: field.node.value.shape)
    geometry.correlate(field.node.value.pointer, kernel: kernel.value.pointer, into: out.pointer, accumulate: false)
    let node = field.tape.record(out, op: AutodiffOp.filter2D, inputs: [field.node, kernel.node]) { gOut, inputs in
        let (field, kernel) = (inputs[0], inputs[1])
        let g = gOut.pointer
        if let gz = field.gradient {
            let flipped = FilterGeometry.flipped(kernel.value.pointer, size: geometry.size)
            geometry.correlate(g, kernel: flipped, into: gz.pointer, accumulate: true)
        }
        if let gk = kernel.gradient {
            geometry.kernelGradient(g, input: field.value.pointer, into: gk.pointer)
        }
    }
    return ComplexVariable(node: node, tape: field.tape)
}

/// The k×k filter on interleaved complex rows (2W floats per row), vectorized over row floats.
///
/// Each sample is first copied into a zero-padded plane `P` (`PaddedPlane`): row `r` of the slice
/// becomes row `r + p`, float `q` becomes float `q + 2p`, and every other float is 0. Tap (a, c) for
/// output float q of row i then reads `P[i + a, q + 2c]` with no bounds tests, so the inner loops run
/// over whole `SIMD8<Float>` vectors (rows are computed to a multiple of 8 floats, the surplus is
/// dropped). Re and Im are filtered together: a column shift by c pixels is a shift by 2c floats.
struct FilterGeometry {
    let batch: Int, height: Int, width: Int, size: Int
    var pad: Int { size / 2 }
    var taps: Int { size * size }
    var rowFloats: Int { 2 * width }
    var sliceFloats: Int { 2 * width * height }
    /// Output floats computed per row: `2W` rounded up to whole SIMD8 vectors.
    var vectorFloats: Int { (rowFloats + 7) / 8 * 8 }
    /// Floats per row of the padded plane: room for every tap's read of every computed float.
    var paddedRowFloats: Int { vectorFloats + 4 * pad }
    var paddedRows: Int { height + 2 * pad }

    /// The kernel rotated by 180°, `ψ'[a, c] = ψ[k−1−a, k−1−c]`: correlating with it is the adjoint
    /// of correlating with ψ.
    static func flipped(_ kernel: UnsafePointer<Float>, size: Int) -> [Float] {
        (0..<size * size).map { kernel[size * size - 1 - $0] }
    }

    /// `out = ψ ⋆ z` (correlation, zero padding), or `out += ψ ⋆ z` with `accumulate`; per sample in
    /// parallel chunks. `out[b, i, q] = Σ_{a,c} ψ[a, c] · P_b[i + a, q + 2c]`.
    func correlate(_ z: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
                   into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        Parallel.chunks(batch) { samples in
            let plane = PaddedPlane(self)
            let row = Tensor(uninitialized: [vectorFloats])
            for b in samples {
                plane.load(z + b * sliceFloats)
                for i in 0..<height {
                    plane.filterRow(i, kernel: kernel, into: row.pointer)
                    let o = out + b * sliceFloats + i * rowFloats
                    if accumulate {
                        for q in 0..<rowFloats { o[q] += row.pointer[q] }
                    } else {
                        o.update(from: row.pointer, count: rowFloats)
                    }
                }
            }
        }
    }

    /// `ḡψ[a, c] += Σ_{b,i,q} ḡ[b, i, q] · P_b[i + a, q + 2c]` (P_b the padded input z_b). Float sums
    /// per sample and tap (eight lanes), Double across samples, reduced over the per-chunk partial sums
    /// in a fixed order: deterministic for a fixed thread count.
    func kernelGradient(_ g: UnsafePointer<Float>, input z: UnsafePointer<Float>, into gk: UnsafeMutablePointer<Float>) {
        let pieces = max(1, min(Parallel.threads, batch))
        var partial = [Double](repeating: 0, count: pieces * taps)
        partial.withUnsafeMutableBufferPointer { acc in
            let accumulators = acc.baseAddress!
            Parallel.chunks(pieces) { range in
                for piece in range {
                    let plane = PaddedPlane(self)
                    let gRows = Tensor(zeros: [height * vectorFloats])   // ḡ rows with zero tails
                    for b in (batch * piece / pieces)..<(batch * (piece + 1) / pieces) {
                        plane.load(z + b * sliceFloats)
                        for i in 0..<height {
                            (gRows.pointer + i * vectorFloats).update(from: g + b * sliceFloats + i * rowFloats,
                                                                      count: rowFloats)
                        }
                        for a in 0..<size {
                            for c in 0..<size {
                                accumulators[piece * taps + a * size + c] +=
                                    Double(plane.tapProduct(gRows.pointer, a: a, c: c))
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

/// One sample's zero-padded copy `P` (see `FilterGeometry`); a per-thread scratch whose margins stay 0.
final class PaddedPlane {
    let geometry: FilterGeometry
    let storage: Tensor

    init(_ geometry: FilterGeometry) {
        self.geometry = geometry
        storage = Tensor(zeros: [geometry.paddedRows * geometry.paddedRowFloats])
    }

    /// Copies the `[H, 2W]` slice `z` into the interior.
    func load(_ z: UnsafePointer<Float>) {
        let g = geometry
        for r in 0..<g.height {
            (storage.pointer + (r + g.pad) * g.paddedRowFloats + 2 * g.pad).update(from: z + r * g.rowFloats,
                                                                                 count: g.rowFloats)
        }
    }

    /// `row[q] = Σ_{a,c} ψ[a, c] · P[i + a, q + 2c]` for `q < vectorFloats`, one SIMD8 vector at a time.
    @inline(__always)
    func filterRow(_ i: Int, kernel: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>) {
        let g = geometry, k = g.size
        let top = UnsafeRawPointer(storage.pointer + i * g.paddedRowFloats)
        for v in stride(from: 0, to: g.vectorFloats, by: 8) {
            var sum = SIMD8<Float>(repeating: 0)
            for a in 0..<k {
                let source = top + 4 * (a * g.paddedRowFloats + v)
                for c in 0..<k {
                    sum += kernel[a * k + c] * source.loadUnaligned(fromByteOffset: 8 * c, as: SIMD8<Float>.self)
                }
            }
            UnsafeMutableRawPointer(row + v).storeBytes(of: sum, as: SIMD8<Float>.self)
        }
    }

    /// `Σ_{i,q} u[i, q] · P[i + a, q + 2c]` over `H` rows of `vectorFloats` floats (`u` zero past 2W).
    @inline(__always)
    func tapProduct(_ u: UnsafePointer<Float>, a: Int, c: Int) -> Float {
        let g = geometry
        var even = SIMD8<Float>(repeating: 0), odd = SIMD8<Float>(repeating: 0)
        let vectors = g.vectorFloats / 8
        for i in 0..<g.height {
            let uRow = UnsafeRawPointer(u + i * g.vectorFloats)
            let pRow = UnsafeRawPointer(storage.pointer + (i + a) * g.paddedRowFloats + 2 * c)
            var v = 0
            while v + 1 < vectors {
                even += uRow.loadUnaligned(fromByteOffset: 32 * v, as: SIMD8<Float>.self)
                    * pRow.loadUnaligned(fromByteOffset: 32 * v, as: SIMD8<Float>.self)
                odd += uRow.loadUnaligned(fromByteOffset: 32 * v + 32, as: SIMD8<Float>.self)
                    * pRow.loadUnaligned(fromByteOffset: 32 * v + 32, as: SIMD8<Float>.self)
                v += 2
            }
            if v < vectors {
                even += uRow.loadUnaligned(fromByteOffset: 32 * v, as: SIMD8<Float>.self)
                    * pRow.loadUnaligned(fromByteOffset: 32 * v, as: SIMD8<Float>.self)
            }
        }
        return (even + odd).sum()
    }
}
