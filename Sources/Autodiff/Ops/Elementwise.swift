import TensorCore

// Elementwise arithmetic on equally shaped tensors. Each op states its forward formula; its backward
// accumulates the vector–Jacobian product into the inputs' gradient buffers.

/// `a + b`. Backward: `ḡa += ḡ`, `ḡb += ḡ`.
public func + (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "add: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = pa[i] + pb[i] }
    let node = a.tape.record(out, op: AutodiffOp.add, inputs: [a.node, b.node], readsInputValues: false) { g, inputs in
        inputs[0].gradient?.accumulate(g)
        inputs[1].gradient?.accumulate(g)
    }
    return Variable(node: node, tape: a.tape)
}

/// `a − b`. Backward: `ḡa += ḡ`, `ḡb −= ḡ`.
public func - (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "sub: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = pa[i] - pb[i] }
    let node = a.tape.record(out, op: AutodiffOp.subtract, inputs: [a.node, b.node], readsInputValues: false) { g, inputs in
        inputs[0].gradient?.accumulate(g)
        inputs[1].gradient?.accumulate(g, scale: -1)
    }
    return Variable(node: node, tape: a.tape)
}

/// `a ⊙ b` (Hadamard product). Backward: `ḡa += ḡ ⊙ b`, `ḡb += ḡ ⊙ a`.
public func * (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "mul: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer, count = out.count
    for i in 0..<count { po[i] = pa[i] * pb[i] }
    let node = a.tape.record(out, op: AutodiffOp.multiply, inputs: [a.node, b.node]) { gOut, inputs in
        let g = gOut.pointer, pa = inputs[0].value.pointer, pb = inputs[1].value.pointer
        if let ga = inputs[0].gradient?.pointer {
            for i in 0..<count { ga[i] += g[i] * pb[i] }
        }
        if let gb = inputs[1].gradient?.pointer {
            for i in 0..<count { gb[i] += g[i] * pa[i] }
        }
    }
    return Variable(node: node, tape: a.tape)
}

/// `s · a` for a constant scalar `s`. Backward: `ḡa += s · ḡ`.
public func * (s: Float, a: Variable) -> Variable {
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = s * pa[i] }
    let node = a.tape.record(out, op: AutodiffOp.scale, inputs: [a.node], readsInputValues: false) { g, inputs in
        inputs[0].gradient?.accumulate(g, scale: s)
    }
    return Variable(node: node, tape: a.tape)
}

extension Variable {
    /// The same values with a new shape of equal element count. Backward: reshape the gradient back.
    public func reshaped(_ shape: [Int]) -> Variable {
        let out = value.reshaped(shape)
        let node = tape.record(out, op: AutodiffOp.reshape, inputs: [node], readsInputValues: false) { g, inputs in
            inputs[0].gradient?.accumulate(g)
        }
        return Variable(node: node, tape: tape)
    }
}
