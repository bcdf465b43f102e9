import Foundation

extension UNet {
    /// Side, in input pixels, of the square window that can influence one output pixel (the
    /// theoretical receptive field), from the recurrence `r ← r + (k − 1)·j` over the deepest path,
    /// where j is the distance in input pixels between neighbouring pixels of the current feature map:
    /// a 3×3 convolution adds 2j, a 2×2 stride-2 max-pool adds j and doubles j, a 2×2 stride-2
    /// transposed convolution adds nothing (each output pixel sees one input pixel) and halves j, and
    /// the skip connections see less than the path through the bottleneck.
    public var receptiveField: Int {
        var r = 1, j = 1
        for _ in 0..<depth {
            r += 2 * (2 * j)    // two 3×3 convolutions
            r += j              // 2×2 max-pool
            j *= 2
        }
        r += 2 * (2 * j)        // bottleneck block
        for _ in 0..<depth {
            j /= 2              // transposed convolution
            r += 2 * (2 * j)    // decoder block
        }
        return r                // the 1×1 output convolution adds nothing
    }

    /// Human-readable description for `phasemask model-info`: architecture, parameter count, the
    /// bottleneck shape and the receptive field against an `imageSize`×`imageSize` input (which must
    /// pass `UNet.validate`).
    public func summary(imageSize: Int) -> String {
        let channels = (0...depth).map { baseChannels << $0 }
        var lines = ["U-Net: depth \(depth), base channels \(baseChannels), \(inputChannels) input channel(s), \(outputChannels) output channel(s)"]
        for i in 0..<depth {
            let size = imageSize >> i
            lines.append(String(format: "  level %d: %4d channels at %d×%d", i, channels[i], size, size))
        }
        let bottom = imageSize >> depth
        lines.append(String(format: "  bottleneck: %d channels at %d×%d", channels[depth], bottom, bottom))
        let trainable = parameters.reduce(0) { $0 + $1.value.count }
        lines.append("  parameters: \(grouped(trainable)) in \(parameters.count) tensors; batch-norm buffers: \(grouped(buffers.reduce(0) { $0 + $1.tensor.count }))")
        let field = receptiveField
        let verdict = field >= 2 * imageSize - 1
            ? "every output pixel sees the whole image"
            : field >= imageSize ? "a centre pixel sees the whole image, corner pixels do not"
            : "no output pixel sees the whole image"
        lines.append("  receptive field: \(field)×\(field) pixels for a \(imageSize)×\(imageSize) image (\(verdict))")
        return lines.joined(separator: "\n")
    }
}

/// 1234567 → "1,234,567".
private func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(d)
    }
    return out
}
