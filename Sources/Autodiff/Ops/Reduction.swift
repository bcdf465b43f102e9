import TensorCore

/// `Σ_i a_i` over every element, a scalar of shape `[1]`. Backward: `ḡa_i += ḡ`.
public func sum(_ a: Variable) -> Variable {
    let out = Tensor([Float(a.value.sum())], shape: [1])
    let node = a.tape.record(out, op: AutodiffOp.sum, inputs: [a.node], readsInputValues: false) { gOut, inputs in
        let g = gOut.pointer[0]
        guard let ga = inputs[0].gradient else { return }
        for i in 0..<ga.count { ga.pointer[i] += g }
    }
    return Variable(node: node, tape: a.tape)
}

/// `(1/n) Σ_i a_i` over every element, shape `[1]`. Backward: `ḡa_i += ḡ/n`.
public func mean(_ a: Variable) -> Variable {
    let n = Float(a.value.count)
    let out = Tensor([Float(a.value.sum() / Double(n))], shape: [1])
    let node = a.tape.record(out, op: AutodiffOp.mean, inputs: [a.node], readsInputValues: false) { gOut, inputs in
        let g = gOut.pointer[0] / n
        guard let ga = inputs[0].gradient else { return }
        for i in 0..<ga.count { ga.pointer[i] += g }
    }
    return Variable(node: node, tape: a.tape)
}

/// Per-sample sum over all axes but the first: `[B, ...] → [B]`, `out_b = Σ_i a_{b,i}`.
/// Backward: `ḡa_{b,i} += ḡ_b`.
public func sumPerSample(_ a: Variable) -> Variable {
    perSample(a, scale: 1, op: .sumPerSample)
}

/// Per-sample mean over all axes but the first: `[B, ...] → [B]`, `out_b = (1/m) Σ_i a_{b,i}`.
/// Backward: `ḡa_{b,i} += ḡ_b / m`.
public func meanPerSample(_ a: Variable) -> Variable {
    let m = a.value.count / max(a.shape[0], 1)
    return perSample(a, scale: 1 / Float(max(m, 1)), op: .meanPerSample)
}

private func perSample(_ a: Variable, scale: Float, op: AutodiffOp) -> Variable {
    precondition(a.shape.count >= 1, "per-sample reduction needs a batch axis")
    let b = a.shape[0], m = a.value.count / max(b, 1)
    let out = Tensor(uninitialized: [b])
    let pa = a.value.pointer
    for s in 0..<b {
        var acc = 0.0
        for i in 0..<m { acc += Double(pa[s * m + i]) }
        out.pointer[s] = Float(acc) * scale
    }
    let node = a.tape.record(out, op: op, inputs: [a.node], readsInputValues: false) { gOut, inputs in
        let g = gOut.pointer
        guard let ga = inputs[0].gradient?.pointer else { return }
        for s in 0..<b {
            let gs = g[s] * scale
            for i in 0..<m { ga[s * m + i] += gs }
        }
    }
    return Variable(node: node, tape: a.tape)
}

/// Mean squared error `(1/n) Σ_i (a_i − b_i)²`, shape `[1]`.
/// Backward: `ḡa_i += ḡ · 2(a_i − b_i)/n`, `ḡb_i −= ḡ · 2(a_i − b_i)/n`.
public func meanSquaredError(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.shape == b.shape, "mse: \(a.shape) vs \(b.shape)")
    let n = a.value.count
    let pa = a.value.pointer, pb = b.value.pointer
    var acc = 0.0
    for i in 0..<n { let d = Double(pa[i] - pb[i]); acc += d * d }
    let out = Tensor([Float(acc / Double(n))], shape: [1])
    let node = a.tape.record(out, op: AutodiffOp.meanSquaredError, inputs: [a.node, b.node]) { gOut, inputs in
        let g = 2 * gOut.pointer[0] / Float(n)
        let pa = inputs[0].value.pointer, pb = inputs[1].value.pointer
        if let ga = inputs[0].gradient?.pointer {
            for i in 0..<n { ga[i] += g * (pa[i] - pb[i]) }
        }
        if let gb = inputs[1].gradient?.pointer {
            for i in 0..<n { gb[i] -= g * (pa[i] - pb[i]) }
        }
    }
    return Variable(node: node, tape: a.tape)
}
