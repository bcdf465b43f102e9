import ArgumentParser
import NeuralNetwork
import TensorCore

/// `phasemask model-info`: the recovery U-Net's size and receptive field for an image size.
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info",
        abstract: "Print the recovery U-Net's parameter count and receptive field against the image size.")

    @Option(help: "Image height and width in pixels (divisible by 2^depth).") var size: Int = 32
    @Option(help: "U-Net depth d (number of 2×2 poolings).") var depth: Int = 3
    @Option(help: "Base channels c (level i has c·2^i channels).") var channels: Int = 16

    func validate() throws {
        guard depth >= 1, depth <= 10 else { throw ValidationError("--depth must be between 1 and 10, got \(depth)") }
        guard channels >= 1 else { throw ValidationError("--channels must be positive, got \(channels)") }
        do {
            try UNet.validate(height: size, width: size, depth: depth)
        } catch {
            throw ValidationError("--size \(size): \(error)")
        }
    }

    func run() throws {
        var generator = SeededGenerator(seed: 0)
        let net = UNet(inputChannels: 2, outputChannels: 1, baseChannels: channels, depth: depth, generator: &generator)
        print(net.summary(imageSize: size))
    }
}
