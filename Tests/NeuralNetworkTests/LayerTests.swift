import Autodiff
import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class LayerTests: XCTestCase {
    /// PyTorch's default: weights and biases uniform in ±1/√fan_in (fan_in = Cin·k² for a
    /// convolution, Cout·4 for the transposed one, whose weight is [Cin, Cout, 2, 2]).
    func testInitializationBounds() {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2D(name: "c", inputChannels: 8, outputChannels: 16, kernelSize: 3, generator: &rng)
        let up = TransposedConv2D(name: "u", inputChannels: 16, outputChannels: 4, generator: &rng)
        for (parameter, fanIn) in [(conv.weight, 72), (conv.bias, 72), (up.weight, 16), (up.bias, 16)] {
            let bound = 1 / Float(fanIn).squareRoot()
            XCTAssertLessThanOrEqual(maxAbs(parameter.value), bound, parameter.name)
            if parameter.value.count > 50 { XCTAssertGreaterThan(maxAbs(parameter.value), 0.9 * bound, parameter.name) }
        }
        XCTAssertEqual(conv.weight.shape, [16, 8, 3, 3])
        XCTAssertEqual(up.weight.shape, [16, 4, 2, 2])
    }

    func testBatchNormStartsAsIdentityStatistics() {
        let bn = BatchNorm2D(name: "bn", channels: 3)
        XCTAssertEqual(bn.gamma.value.array, [1, 1, 1])
        XCTAssertEqual(bn.beta.value.array, [0, 0, 0])
        XCTAssertEqual(bn.buffers.map(\.name), ["bn.running_mean", "bn.running_var"])
        XCTAssertEqual(bn.runningVariance.array, [1, 1, 1])
    }

    /// A frozen U-Net gets no gradient and Adam leaves it exactly as it was.
    func testFrozenNetworkIsUntouchedByTraining() throws {
        var rng = SeededGenerator(seed: 2)
        let net = UNet(baseChannels: 2, depth: 2, generator: &rng)
        net.setFrozen(true)
        let before = net.parameters.map { $0.value.copy() }
        let adam = Adam(parameters: net.parameters, learningRate: 0.1)
        let x = Parameter("x", Tensor.normal([2, 2, 8, 8], generator: &rng))
        let tape = Tape()
        let (out, _) = try net.forward(tape.variable(x), training: true)
        tape.backward(from: mean(out * out))
        tape.reset()
        adam.step()
        XCTAssertTrue(zip(before, net.parameters).allSatisfy { bitIdentical($0, $1.value) })
        XCTAssertTrue(net.parameters.allSatisfy { maxAbs($0.gradient) == 0 })
        XCTAssertGreaterThan(maxAbs(x.gradient), 0)
    }
}
