import TensorCore

// Pointwise complex ops on `ComplexVariable`s (interleaved re/im, see `ComplexField`).
//
// Gradient convention (Tape.swift): a complex node's gradient is g = ∂L/∂Re + j·∂L/∂Im. With it,
// for a C-linear map w = A z the pullback is ḡ_z = Aᴴ ḡ_w, for w = a·b it is ḡ_a = ḡ_w·conj(b), and
// for w = conj(z) it is ḡ_z = conj(ḡ_w). A real loss changes by dL = Re Σ conj(g)·dw.

extension ComplexVariable {
    /// A complex view of a real variable whose last dimension is 2 (interleaved re/im). Shares the node.
    public init(_ interleaved: Variable) { self.init(node: interleaved.node, tape: interleaved.tape) }

    /// The interleaved storage as a real variable `[..., 2]` (shares the node).
    public var interleaved: Variable { Variable(node: node, tape: tape) }
}

/// Elementwise complex product `a ⊙ b` of equally shaped fields.
/// Backward: `ḡa += ḡ ⊙ conj(b)`, `ḡb += ḡ ⊙ conj(a)`.
public func * (a: ComplexVariable, b: ComplexVariable) -> ComplexVariable {
    precondition(a.shape == b.shape, "complex mul: \(a.shape) vs \(b.shape)")
    let n = a.field.count
    let out = Tensor(uninitialized: a.node.value.shape)
    let pa = a.node.value.pointer, pb = b.node.value.pointer, po = out.pointer
    for k in 0..<n {
        let ar = pa[2 * k], ai = pa[2 * k + 1], br = pb[2 * k], bi = pb[2 * k + 1]
        po[2 * k] = ar * br - ai * bi
        po[2 * k + 1] = ar * bi + ai * br
    }
    let node = a.tape.record(out, op: AutodiffOp.complexMultiply, inputs: [a.node, b.node]) { gOut, inputs in
        let g = gOut.pointer, pa = inputs[0].value.pointer, pb = inputs[1].value.pointer
        // ḡ·conj(c) for c = (cr, ci): (gr·cr + gi·ci, gi·cr − gr·ci).
        if let ga = inputs[0].gradient?.pointer {
            for k in 0..<n {
                let gr = g[2 * k], gi = g[2 * k + 1], cr = pb[2 * k], ci = pb[2 * k + 1]
                ga[2 * k] += gr * cr + gi * ci
                ga[2 * k + 1] += gi * cr - gr * ci
            }
        }
        if let gb = inputs[1].gradient?.pointer {
            for k in 0..<n {
                let gr = g[2 * k], gi = g[2 * k + 1], cr = pa[2 * k], ci = pa[2 * k + 1]
                gb[2 * k] += gr * cr + gi * ci
                gb[2 * k + 1] += gi * cr - gr * ci
            }
        }
    }
    return ComplexVariable(node: node, tape: a.tape)
}

/// Complex conjugate `conj(z)`, any shape. Backward: `ḡz += conj(ḡ)`.
public func conjugate(_ z: ComplexVariable) -> ComplexVariable {
    let n = z.field.count
    let out = Tensor(uninitialized: z.node.value.shape)
    let pz = z.node.value.pointer, po = out.pointer
    for k in 0..<n { po[2 * k] = pz[2 * k]; po[2 * k + 1] = -pz[2 * k + 1] }
    let node = z.tape.record(out, op: AutodiffOp.conjugate, inputs: [z.node]) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer
        for k in 0..<n { gz[2 * k] += g[2 * k]; gz[2 * k + 1] -= g[2 * k + 1] }
    }
    return ComplexVariable(node: node, tape: z.tape)
}

/// Squared modulus `|z|² = Re² + Im²`, a real variable of the field's logical shape.
/// Backward: `ḡz += 2 ḡ · z` (both parts scaled by the real gradient).
public func abs2(_ z: ComplexVariable) -> Variable {
    let n = z.field.count
    let out = Tensor(uninitialized: z.shape)
    let pz = z.node.value.pointer, po = out.pointer
    for k in 0..<n { po[k] = pz[2 * k] * pz[2 * k] + pz[2 * k + 1] * pz[2 * k + 1] }
    let node = z.tape.record(out, op: AutodiffOp.abs2, inputs: [z.node]) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, pz = inputs[0].value.pointer
        for k in 0..<n {
            gz[2 * k] += 2 * g[k] * pz[2 * k]
            gz[2 * k + 1] += 2 * g[k] * pz[2 * k + 1]
        }
    }
    return Variable(node: node, tape: z.tape)
}

/// `re + j·im` from two equally shaped real variables. Backward: `ḡre += Re ḡ`, `ḡim += Im ḡ`.
public func complex(real re: Variable, imaginary im: Variable) -> ComplexVariable {
    precondition(re.shape == im.shape, "complex: real \(re.shape) vs imaginary \(im.shape)")
    let n = re.value.count
    let out = Tensor(uninitialized: re.shape + [2])
    let pr = re.value.pointer, pi = im.value.pointer, po = out.pointer
    for k in 0..<n { po[2 * k] = pr[k]; po[2 * k + 1] = pi[k] }
    let node = re.tape.record(out, op: AutodiffOp.complex, inputs: [re.node, im.node]) { gOut, inputs in
        let g = gOut.pointer
        if let gr = inputs[0].gradient?.pointer {
            for k in 0..<n { gr[k] += g[2 * k] }
        }
        if let gi = inputs[1].gradient?.pointer {
            for k in 0..<n { gi[k] += g[2 * k + 1] }
        }
    }
    return ComplexVariable(node: node, tape: re.tape)
}

/// `Re z`, a real variable of the logical shape. Backward: `ḡz += ḡ + 0j`.
public func realPart(_ z: ComplexVariable) -> Variable { component(z, 0, op: .realPart) }

/// `Im z`, a real variable of the logical shape. Backward: `ḡz += 0 + j·ḡ`.
public func imaginaryPart(_ z: ComplexVariable) -> Variable { component(z, 1, op: .imaginaryPart) }

private func component(_ z: ComplexVariable, _ part: Int, op: AutodiffOp) -> Variable {
    let n = z.field.count
    let out = Tensor(uninitialized: z.shape)
    let pz = z.node.value.pointer, po = out.pointer
    for k in 0..<n { po[k] = pz[2 * k + part] }
    let node = z.tape.record(out, op: op, inputs: [z.node], readsInputValues: false) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer
        for k in 0..<n { gz[2 * k + part] += g[k] }
    }
    return Variable(node: node, tape: z.tape)
}

/// Packs a complex field `[B, H, W]` as a real two-channel image `[B, 2, H, W]` (channel 0 = Re,
/// channel 1 = Im), the U-Net's input layout. Backward: unpack the gradient the same way.
public func packChannels(_ z: ComplexVariable) -> Variable {
    precondition(z.shape.count == 3, "packChannels expects a [B, H, W] field, got \(z.shape)")
    let b = z.shape[0], hw = z.shape[1] * z.shape[2]
    let out = Tensor(uninitialized: [b, 2, z.shape[1], z.shape[2]])
    let pz = z.node.value.pointer, po = out.pointer
    for s in 0..<b {
        for k in 0..<hw {
            po[(2 * s) * hw + k] = pz[2 * (s * hw + k)]
            po[(2 * s + 1) * hw + k] = pz[2 * (s * hw + k) + 1]
        }
    }
    let node = z.tape.record(out, op: AutodiffOp.packChannels, inputs: [z.node],
                             readsInputValues: false) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer
        for s in 0..<b {
            for k in 0..<hw {
                gz[2 * (s * hw + k)] += g[(2 * s) * hw + k]
                gz[2 * (s * hw + k) + 1] += g[(2 * s + 1) * hw + k]
            }
        }
    }
    return Variable(node: node, tape: z.tape)
}

/// The inverse of `packChannels`: a real `[B, 2, H, W]` image becomes the field `[B, H, W]` with
/// `z = x[:, 0] + j·x[:, 1]`. Backward: pack the gradient into the two channels.
public func unpackChannels(_ x: Variable) -> ComplexVariable {
    precondition(x.shape.count == 4 && x.shape[1] == 2, "unpackChannels expects [B, 2, H, W], got \(x.shape)")
    let b = x.shape[0], hw = x.shape[2] * x.shape[3]
    let out = Tensor(uninitialized: [b, x.shape[2], x.shape[3], 2])
    let px = x.value.pointer, po = out.pointer
    for s in 0..<b {
        for k in 0..<hw {
            po[2 * (s * hw + k)] = px[(2 * s) * hw + k]
            po[2 * (s * hw + k) + 1] = px[(2 * s + 1) * hw + k]
        }
    }
    let node = x.tape.record(out, op: AutodiffOp.unpackChannels, inputs: [x.node],
                             readsInputValues: false) { gOut, inputs in
        guard let gx = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer
        for s in 0..<b {
            for k in 0..<hw {
                gx[(2 * s) * hw + k] += g[2 * (s * hw + k)]
                gx[(2 * s + 1) * hw + k] += g[2 * (s * hw + k) + 1]
            }
        }
    }
    return ComplexVariable(node: node, tape: x.tape)
}

/// Per-sample scaling of a complex field `[B, ...]` by a real variable `s` of shape `[B]`:
/// `out_b = s_b · z_b`. Backward: `ḡz_b += s_b · ḡ_b`, `ḡs_b += Σ_k Re(conj(ḡ_bk)·z_bk)`.
public func scalePerSample(_ z: ComplexVariable, by s: Variable) -> ComplexVariable {
    let b = z.shape[0]
    precondition(s.shape == [b], "scalePerSample: scale \(s.shape) for field \(z.shape)")
    let m = 2 * z.field.count / max(b, 1)
    let out = Tensor(uninitialized: z.node.value.shape)
    let pz = z.node.value.pointer, ps = s.value.pointer, po = out.pointer
    for i in 0..<b { for k in 0..<m { po[i * m + k] = ps[i] * pz[i * m + k] } }
    let node = z.tape.record(out, op: AutodiffOp.scalePerSample, inputs: [z.node, s.node]) { gOut, inputs in
        let g = gOut.pointer, pz = inputs[0].value.pointer, ps = inputs[1].value.pointer
        if let gz = inputs[0].gradient?.pointer {
            for i in 0..<b { for k in 0..<m { gz[i * m + k] += ps[i] * g[i * m + k] } }
        }
        if let gs = inputs[1].gradient?.pointer {
            for i in 0..<b {
                var acc = 0.0
                for k in 0..<m { acc += Double(g[i * m + k]) * Double(pz[i * m + k]) }
                gs[i] += Float(acc)
            }
        }
    }
    return ComplexVariable(node: node, tape: z.tape)
}

/// Per-sample L2 normalization of a complex field `[B, ...]`: `u_b = z_b / n_b` with
/// `n_b = ‖z_b‖₂ = sqrt(Σ_k |z_bk|²)` (the sum in Float over eight SIMD lanes; n_b floored at 1e-30 so an
/// all-zero sample stays finite). Samples are split over `Parallel.threads`.
/// Backward (z as a real vector of 2N numbers): `ḡz_b += (ḡ_b − u_b · Re⟨u_b, ḡ_b⟩) / n_b`,
/// with `Re⟨u, ḡ⟩ = Σ_k (Re u·Re ḡ + Im u·Im ḡ)`.
public func normalizePerSample(_ z: ComplexVariable) -> ComplexVariable {
    let b = z.shape[0]
    let m = 2 * z.field.count / max(b, 1)
    let out = Tensor(uninitialized: z.node.value.shape)
    let norms = Tensor(uninitialized: [b])
    let pz = z.node.value.pointer, po = out.pointer, pn = norms.pointer
    let minimumSamples = max(1, (1 << 14) / max(m, 1))   // ≥ 16k floats per thread
    Parallel.chunks(b, minimumChunk: minimumSamples) { samples in
        for i in samples {
            let zi = pz + i * m
            let n = max(VectorSums.dot(zi, zi, count: m).squareRoot(), 1e-30)
            pn[i] = n
            let inv = 1 / n
            for k in 0..<m { po[i * m + k] = zi[k] * inv }
        }
    }
    let node = z.tape.record(out, op: AutodiffOp.normalizePerSample, inputs: [z.node],
                             readsInputValues: false) { gOut, inputs in
        guard let gz = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, po = out.pointer, pn = norms.pointer
        Parallel.chunks(b, minimumChunk: minimumSamples) { samples in
            for i in samples {
                let d = VectorSums.dot(po + i * m, g + i * m, count: m), inv = 1 / pn[i]
                for k in 0..<m { gz[i * m + k] += (g[i * m + k] - po[i * m + k] * d) * inv }
            }
        }
    }
    return ComplexVariable(node: node, tape: z.tape)
}

/// Mean over the snapshot axis of a real `[B, L, H, W]` tensor: `out[b] = (1/L) Σ_ℓ y[b, ℓ]`,
/// shape `[B, H, W]`. Backward: `ḡy[b, ℓ] += ḡ[b] / L`.
public func meanOverSnapshots(_ y: Variable) -> Variable {
    precondition(y.shape.count == 4, "meanOverSnapshots expects [B, L, H, W], got \(y.shape)")
    let out = snapshotMean(y.value, batch: y.shape[0], snapshots: y.shape[1], slice: y.shape[2] * y.shape[3],
                           outputShape: [y.shape[0], y.shape[2], y.shape[3]])
    let s = y.shape
    let node = y.tape.record(out, op: AutodiffOp.meanOverSnapshots, inputs: [y.node],
                             readsInputValues: false) { g, inputs in
        guard let gy = inputs[0].gradient else { return }
        snapshotMeanBackward(g, into: gy, batch: s[0], snapshots: s[1], slice: s[2] * s[3])
    }
    return Variable(node: node, tape: y.tape)
}

/// Mean over the snapshot axis of a complex `[B, L, H, W]` field, giving `[B, H, W]`.
/// Backward: `ḡz[b, ℓ] += ḡ[b] / L`.
public func meanOverSnapshots(_ z: ComplexVariable) -> ComplexVariable {
    precondition(z.shape.count == 4, "meanOverSnapshots expects [B, L, H, W], got \(z.shape)")
    let s = z.shape
    let out = snapshotMean(z.node.value, batch: s[0], snapshots: s[1], slice: 2 * s[2] * s[3],
                           outputShape: [s[0], s[2], s[3], 2])
    let node = z.tape.record(out, op: AutodiffOp.complexMeanOverSnapshots, inputs: [z.node],
                             readsInputValues: false) { g, inputs in
        guard let gz = inputs[0].gradient else { return }
        snapshotMeanBackward(g, into: gz, batch: s[0], snapshots: s[1], slice: 2 * s[2] * s[3])
    }
    return ComplexVariable(node: node, tape: z.tape)
}

private func snapshotMean(_ x: Tensor, batch: Int, snapshots: Int, slice: Int, outputShape: [Int]) -> Tensor {
    let out = Tensor(zeros: outputShape)
    let px = x.pointer, po = out.pointer
    let inv = 1 / Float(max(snapshots, 1))
    for b in 0..<batch {
        for l in 0..<snapshots {
            let src = px + (b * snapshots + l) * slice, dst = po + b * slice
            for k in 0..<slice { dst[k] += src[k] }
        }
        for k in 0..<slice { po[b * slice + k] *= inv }
    }
    return out
}

private func snapshotMeanBackward(_ g: Tensor, into gx: Tensor, batch: Int, snapshots: Int, slice: Int) {
    let inv = 1 / Float(max(snapshots, 1))
    let pg = g.pointer, px = gx.pointer
    for b in 0..<batch {
        for l in 0..<snapshots {
            let dst = px + (b * snapshots + l) * slice, src = pg + b * slice
            for k in 0..<slice { dst[k] += src[k] * inv }
        }
    }
}
