import Foundation
import TensorCore

/// Logistic sigmoid, elementwise on any shape.
///
/// Forward: `y = 1 / (1 + e^(−x))`. Backward: `x̄ += ȳ · y · (1 − y)`.
public func sigmoid(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    let input = x.value.pointer, y = out.pointer, count = out.count
    for i in 0..<count { y[i] = 1 / (1 + Foundation.exp(-input[i])) }
    let node = x.tape.record(out, op: AutodiffOp.sigmoid, inputs: [x.node]) { gOut, inputs in
        guard let gx = inputs[0].gradient?.pointer else { return }
        let g = gOut.pointer, y = out.pointer
        for i in 0..<count { gx[i] += g[i] * y[i] * (1 - y[i]) }
    }
    return Variable(node: node, tape: x.tape)
}
