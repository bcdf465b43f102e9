import Autodiff
import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class UNetTests: XCTestCase {
    func tinyNet(seed: UInt64 = 1, depth: Int = 2) -> UNet {
        var rng = SeededGenerator(seed: seed)
        return UNet(inputChannels: 2, outputChannels: 1, baseChannels: 2, depth: depth, generator: &rng)
    }

    func input(_ shape: [Int], seed: UInt64 = 2) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.normal(shape, generator: &rng)
    }

    func testShapes() throws {
        let net = tinyNet(depth: 3)
        let tape = Tape(recording: false)
        let (output, bottleneck) = try net.forward(tape.constant(input([3, 2, 16, 8])), training: true)
        XCTAssertEqual(output.shape, [3, 1, 16, 8])
        XCTAssertEqual(bottleneck.shape, [3, 16, 2, 1])
    }

    func testRefusesSizesNotDivisibleByTwoToTheDepth() {
        let net = tinyNet(depth: 3)
        let tape = Tape(recording: false)
        XCTAssertThrowsError(try net.forward(tape.constant(input([1, 2, 12, 16])), training: false)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("12×16") && message.contains("depth 3") && message.contains("2^3 = 8"), message)
        }
        XCTAssertThrowsError(try net.forward(tape.constant(input([1, 3, 16, 16])), training: false)) { error in
            XCTAssertTrue("\(error)".contains("[N, 2, H, W]"), "\(error)")
        }
        XCTAssertNoThrow(try UNet.validate(height: 24, width: 8, depth: 3))
        XCTAssertThrowsError(try UNet.validate(height: 0, width: 8, depth: 3))
    }

    func testParameterNamesAreUniqueAndOrdered() {
        let net = tinyNet(depth: 2)
        let names = net.parameters.map(\.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names.first, "enc0.conv1.weight")
        XCTAssertEqual(names.last, "out.bias")
        XCTAssertLessThan(names.firstIndex(of: "up1.weight")!, names.firstIndex(of: "up0.weight")!)
        XCTAssertLessThan(names.firstIndex(of: "bottleneck.bn2.bias")!, names.firstIndex(of: "up1.weight")!)
        XCTAssertEqual(net.buffers.map(\.name).prefix(2), ["enc0.bn1.running_mean", "enc0.bn1.running_var"])
        XCTAssertEqual(net.buffers.count, 4 * (2 * 2 + 1))
        var rng = SeededGenerator(seed: 1)
        let prefixed = UNet(baseChannels: 2, depth: 2, name: "teacher", generator: &rng)
        XCTAssertEqual(prefixed.parameters.map(\.name), names.map { "teacher." + $0 })
    }

    /// The whole parameter and buffer order of a depth-2 U-Net, written out from the architecture: the
    /// order checkpoints and the optimizer use, so a change of it breaks every saved checkpoint.
    func testParameterAndBufferOrderIsTheCheckpointOrder() {
        let net = tinyNet(depth: 2)
        func block(_ name: String) -> [String] {
            ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight", "conv2.bias", "bn2.weight",
             "bn2.bias"].map { name + "." + $0 }
        }
        let parameters = block("enc0") + block("enc1") + block("bottleneck") + ["up1.weight", "up1.bias"]
            + block("dec1") + ["up0.weight", "up0.bias"] + block("dec0") + ["out.weight", "out.bias"]
        XCTAssertEqual(net.parameters.map(\.name), parameters)
        let buffers = ["enc0", "enc1", "bottleneck", "dec1", "dec0"].flatMap { block in
            ["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"].map { block + "." + $0 }
        }
        XCTAssertEqual(net.buffers.map(\.name), buffers)
        XCTAssertEqual(net.encoders[1].parameters.map(\.name), block("enc1"))
    }

    /// The parameter count, computed here layer by layer from the architecture (PyTorch's layer sizes:
    /// convolutions with bias, batch norm with γ and β), independently of the implementation.
    func testParameterCountMatchesTheArchitecture() {
        var rng = SeededGenerator(seed: 1)
        let (c, d, cin, cout) = (4, 3, 2, 1)
        let net = UNet(inputChannels: cin, outputChannels: cout, baseChannels: c, depth: d, generator: &rng)
        func conv(_ i: Int, _ o: Int, _ k: Int) -> Int { o * i * k * k + o }
        func block(_ i: Int, _ o: Int) -> Int { conv(i, o, 3) + 2 * o + conv(o, o, 3) + 2 * o }
        let ch = (0...d).map { c << $0 }
        var expected = block(cin, ch[0]) + block(ch[d - 1], ch[d]) + conv(ch[0], cout, 1)
        for i in 1..<d { expected += block(ch[i - 1], ch[i]) }
        for i in 0..<d { expected += ch[i + 1] * ch[i] * 4 + ch[i] + block(2 * ch[i], ch[i]) }
        XCTAssertEqual(net.parameterCount, expected)
    }

    func testSameSeedGivesBitIdenticalOutputs() throws {
        let x = input([2, 2, 8, 8])
        func run(_ seed: UInt64) throws -> (Tensor, Tensor) {
            let tape = Tape(recording: false)
            let (out, feat) = try tinyNet(seed: seed).forward(tape.constant(x), training: true)
            return (out.value, feat.value)
        }
        let (a, b, c) = (try run(5), try run(5), try run(6))
        XCTAssertTrue(bitIdentical(a.0, b.0) && bitIdentical(a.1, b.1))
        XCTAssertFalse(bitIdentical(a.0, c.0))
    }

    /// Finite differences through the whole network (batch norm, max-pool, skips), for the input
    /// and every parameter, on a loss that reads both outputs, in evaluation mode (running
    /// statistics, after a few training passes) and in training mode (batch statistics).
    ///
    /// Tolerances: each op's gradient is checked tightly in AutodiffTests; here the point is the
    /// composition (every parameter on the tape, gradients of reused activations accumulated, skips
    /// wired), whose failures are errors of order 100%. Central differences of a Float32 network
    /// with ReLU/max-pool kinks are only good to a few percent (see ParameterGradientCheck.swift),
    /// and in training mode batch statistics over 2 images couple every kink to every output, so
    /// the tolerance is 10% in evaluation and 25% in training mode. Checked when written: 12 other
    /// seeds pass under three OpenBLAS kernel families, and this seed fails when one batch-norm
    /// backward term is halved, the skip gradient is dropped, or max-pool gradients are misrouted.
    func testGradients() throws {
        for (training, tolerance) in [(false, 0.1), (true, 0.25)] {
            let net = tinyNet()
            let x = Parameter("input", input([2, 2, 8, 8]))
            if !training {
                for _ in 0..<3 { _ = try net.forward(Tape(recording: false).variable(x), training: true) }
            }
            var rng = SeededGenerator(seed: 3)
            let weightBottleneck = Tensor.normal([2, 8, 2, 2], generator: &rng)
            let failures = checkParameterGradients([x] + net.parameters, tolerance: tolerance) { tape in
                let (out, feat) = try! net.forward(tape.variable(x), training: training)
                return (sum(out) + sum(feat * tape.constant(weightBottleneck))).node
            }
            XCTAssertEqual(failures, [], "training \(training)")
        }
    }

    func testEvaluationModeUsesRunningStatistics() throws {
        let net = tinyNet()
        let x = input([2, 2, 8, 8])
        let before = net.buffers.map { $0.tensor.copy() }
        let tape = Tape(recording: false)
        let eval1 = try net.forward(tape.constant(x), training: false).output.value
        XCTAssertTrue(zip(before, net.buffers).allSatisfy { bitIdentical($0, $1.tensor) })
        _ = try net.forward(tape.constant(x), training: true)
        XCTAssertFalse(zip(before, net.buffers).allSatisfy { bitIdentical($0, $1.tensor) })
        let eval2 = try net.forward(tape.constant(x), training: false).output.value
        XCTAssertFalse(bitIdentical(eval1, eval2))
    }

    /// The computed receptive field bounds where input gradients of one output pixel can be nonzero,
    /// and the gradient reaches most of it.
    func testReceptiveFieldBoundsTheInputGradient() throws {
        let net = tinyNet(depth: 2)
        XCTAssertEqual(net.receptiveField, 44)
        let size = 64
        let tape = Tape()
        let x = tape.leaf(input([1, 2, size, size]))
        let out = try net.forward(x, training: false).output
        let seed = Tensor(zeros: out.shape)
        seed[0, 0, size / 2, size / 2] = 1
        tape.backward(from: out.node, seed: seed)
        var rows: [Int] = [], columns: [Int] = []
        for c in 0..<2 { for i in 0..<size { for j in 0..<size where x.gradient![0, c, i, j] != 0 {
            rows.append(i); columns.append(j)
        } } }
        let height = rows.max()! - rows.min()! + 1, width = columns.max()! - columns.min()! + 1
        XCTAssertLessThanOrEqual(max(height, width), net.receptiveField)
        XCTAssertGreaterThan(min(height, width), net.receptiveField * 3 / 4)
        tape.reset()
    }

    func testSummaryNamesParametersAndReceptiveField() {
        let net = tinyNet(depth: 3)
        let text = net.summary(imageSize: 32)
        XCTAssertTrue(text.contains("depth 3"), text)
        XCTAssertTrue(text.contains("receptive field: \(net.receptiveField)×\(net.receptiveField)"), text)
        XCTAssertTrue(text.contains("32×32"), text)
        XCTAssertTrue(text.contains("bottleneck: 16 channels at 4×4"), text)
    }
}
