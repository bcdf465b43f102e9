import Autodiff
import TensorCore

/// An input the U-Net cannot take, with a message naming the problem.
public struct UNetInputError: Error, CustomStringConvertible {
    public let description: String
}

/// The recovery network D_θ: a fully convolutional U-Net (Ronneberger et al. 2015) with batch norm.
///
/// With base channels c and depth d, level i has c·2ⁱ channels:
/// - encoder `enc0 … enc{d−1}`: `ConvBlock`, then 2×2 max-pool (the block output is kept as a skip);
/// - bottleneck `bottleneck`: `ConvBlock` to c·2ᵈ channels at 1/2ᵈ of the image size;
/// - decoder, for i = d−1 down to 0: `up{i}` (2×2 stride-2 transposed convolution, c·2ⁱ⁺¹ → c·2ⁱ
///   channels), concatenation with the skip of level i, `dec{i}` (`ConvBlock`, 2·c·2ⁱ → c·2ⁱ);
/// - `out`: 1×1 convolution to the output channels.
///
/// Input `[N, inputChannels, H, W]` with H and W divisible by 2ᵈ; output `[N, outputChannels, H, W]`;
/// bottleneck `[N, c·2ᵈ, H/2ᵈ, W/2ᵈ]`. In PhaseMask the input is the initialization z as two
/// channels (real, imaginary) and the output one channel, the phase estimate over the phase scale.
public final class UNet: CompositeLayer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let baseChannels: Int
    public let depth: Int
    public let encoders: [ConvBlock]
    public let bottleneck: ConvBlock
    /// Indexed by level: `upsamplers[i]` maps level i + 1 to level i.
    public let upsamplers: [TransposedConv2D]
    /// Indexed by level.
    public let decoders: [ConvBlock]
    public let output: Conv2D

    /// Layers are created (and draw their initial weights from `generator`) in `layers` order.
    /// `name` prefixes every parameter and buffer name (e.g. "teacher" → "teacher.enc0.conv1.weight").
    public init(inputChannels: Int = 2, outputChannels: Int = 1, baseChannels: Int = 16, depth: Int = 3,
                name: String = "", generator: inout SeededGenerator) {
        precondition(inputChannels > 0 && outputChannels > 0 && baseChannels > 0 && depth >= 1,
                     "UNet: channels must be positive and depth at least 1")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.baseChannels = baseChannels
        self.depth = depth
        let channels = (0...depth).map { baseChannels << $0 }
        encoders = (0..<depth).map { i in
            ConvBlock(name: qualified(name, "enc\(i)"), inputChannels: i == 0 ? inputChannels : channels[i - 1],
                      outputChannels: channels[i], generator: &generator)
        }
        bottleneck = ConvBlock(name: qualified(name, "bottleneck"), inputChannels: channels[depth - 1],
                               outputChannels: channels[depth], generator: &generator)
        var ups = [TransposedConv2D?](repeating: nil, count: depth), decs = [ConvBlock?](repeating: nil, count: depth)
        for i in (0..<depth).reversed() {
            ups[i] = TransposedConv2D(name: qualified(name, "up\(i)"), inputChannels: channels[i + 1],
                                      outputChannels: channels[i], generator: &generator)
            decs[i] = ConvBlock(name: qualified(name, "dec\(i)"), inputChannels: 2 * channels[i],
                                outputChannels: channels[i], generator: &generator)
        }
        upsamplers = ups.map { $0! }
        decoders = decs.map { $0! }
        output = Conv2D(name: qualified(name, "out"), inputChannels: channels[0], outputChannels: outputChannels,
                        kernelSize: 1, generator: &generator)
    }

    /// Every sub-layer once, in the order `init` creates them: encoders, bottleneck, then per level from
    /// the deepest up the upsampler and decoder, then the output convolution. `parameters` and `buffers`
    /// (batch-norm running statistics) follow it; checkpoints and the optimizer use that order.
    public var layers: [any Layer] {
        var list: [any Layer] = encoders
        list.append(bottleneck)
        for i in (0..<depth).reversed() { list += [upsamplers[i], decoders[i]] as [any Layer] }
        list.append(output)
        return list
    }

    /// Throws unless an input of `height`×`width` pixels can pass through `depth` 2×2 poolings.
    public static func validate(height: Int, width: Int, depth: Int) throws {
        let factor = 1 << depth
        guard height > 0, width > 0, height % factor == 0, width % factor == 0 else {
            throw UNetInputError(description: "U-Net of depth \(depth) needs image sizes divisible by 2^\(depth) = \(factor); got \(height)×\(width)")
        }
    }

    /// Runs the network on `x` `[N, inputChannels, H, W]`. Training mode normalizes with batch
    /// statistics and updates the batch-norm running statistics; evaluation mode uses them.
    public func forward(_ x: Variable, training: Bool) throws -> (output: Variable, bottleneck: Variable) {
        guard x.shape.count == 4, x.shape[1] == inputChannels else {
            throw UNetInputError(description: "U-Net expects input [N, \(inputChannels), H, W], got \(x.shape)")
        }
        try Self.validate(height: x.shape[2], width: x.shape[3], depth: depth)
        var skips: [Variable] = []
        var h = x
        for encoder in encoders {
            let skip = encoder(h, training: training)
            skips.append(skip)
            h = maxPool2x2(skip)
        }
        let features = bottleneck(h, training: training)
        h = features
        for i in (0..<depth).reversed() {
            h = decoders[i](concatChannels(upsamplers[i](h), skips[i]), training: training)
        }
        return (output(h), features)
    }
}
