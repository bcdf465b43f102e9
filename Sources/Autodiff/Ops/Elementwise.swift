import TensorCore

// Elementwise arithmetic on equally shaped tensors. Each op states its forward formula; its backward
// accumulates the vector–Jacobian product into the inputs' gradient buffers.

/// `a + b`. Backward: `ḡa += ḡ`, `ḡb += ḡ`.
public func + (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "add: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = pa[i] + pb[i] }
    let node = a.tape.record(out, inputs: [a.node, b.node]) { o in
        let g = o.gradient!
        if a.needsGradient { a.node.gradientBuffer().accumulate(g) }
        if b.needsGradient { b.node.gradientBuffer().accumulate(g) }
    }
    return Variable(node: node, tape: a.tape)
}

/// `a − b`. Backward: `ḡa += ḡ`, `ḡb −= ḡ`.
public func - (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "sub: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = pa[i] - pb[i] }
    let node = a.tape.record(out, inputs: [a.node, b.node]) { o in
        let g = o.gradient!
        if a.needsGradient { a.node.gradientBuffer().accumulate(g) }
        if b.needsGradient { b.node.gradientBuffer().accumulate(g, scale: -1) }
    }
    return Variable(node: node, tape: a.tape)
}

/// `a ⊙ b` (Hadamard product). Backward: `ḡa += ḡ ⊙ b`, `ḡb += ḡ ⊙ a`.
public func * (a: Variable, b: Variable) -> Variable {
    precondition(a.shape == b.shape, "mul: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, pb = b.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = pa[i] * pb[i] }
    let node = a.tape.record(out, inputs: [a.node, b.node]) { o in
        let g = o.gradient!.pointer
        if a.needsGradient {
            let ga = a.node.gradientBuffer().pointer
            for i in 0..<out.count { ga[i] += g[i] * pb[i] }
        }
        if b.needsGradient {
            let gb = b.node.gradientBuffer().pointer
            for i in 0..<out.count { gb[i] += g[i] * pa[i] }
        }
    }
    return Variable(node: node, tape: a.tape)
}

/// `s · a` for a constant scalar `s`. Backward: `ḡa += s · ḡ`.
public func * (s: Float, a: Variable) -> Variable {
    let out = Tensor(uninitialized: a.shape)
    let pa = a.value.pointer, po = out.pointer
    for i in 0..<out.count { po[i] = s * pa[i] }
    let node = a.tape.record(out, inputs: [a.node]) { o in
        a.node.gradientBuffer().accumulate(o.gradient!, scale: s)
    }
    return Variable(node: node, tape: a.tape)
}

extension Variable {
    /// The same values with a new shape of equal element count. Backward: reshape the gradient back.
    public func reshaped(_ shape: [Int]) -> Variable {
        let out = value.reshaped(shape)
        let input = self
        let node = tape.record(out, inputs: [node]) { o in
            input.node.gradientBuffer().accumulate(o.gradient!)
        }
        return Variable(node: node, tape: tape)
    }
}
