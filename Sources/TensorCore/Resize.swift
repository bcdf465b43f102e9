/// Image resizing of `[N, C, H, W]` tensors, separable per axis.
///
/// Each axis is resampled on its own, with a rule chosen by the direction of that axis:
/// - enlarging (`out > in`): linear interpolation with half-pixel centres, the convention of PyTorch
///   `interpolate(mode: "bilinear", align_corners: false)`: output index `o` samples the input at
///   `s = (o + ½)·in/out − ½`, clamped to `[0, in − 1]`, with weights `1 − (s − ⌊s⌋)` and `s − ⌊s⌋`;
/// - shrinking (`out < in`): area averaging: output pixel `o` covers `[o·in/out, (o+1)·in/out)` in
///   input pixel units, and each input pixel weighs its exact overlap with that interval divided by
///   the interval length `in/out` (computed in integers, so the weights are exact rationals);
/// - equal sizes: the identity.
/// The 2-D result is the tensor product of the two axis rules (W first, then H). Every output value
/// is a convex combination of its input plane, and is clamped to that plane's [min, max] so rounding
/// cannot step outside the input range (a constant image stays exactly constant).
public enum Resize {
    /// One output sample of one axis: the input indices it reads and their weights (summing to 1).
    public struct Taps: Equatable, Sendable {
        public var indices: [Int]
        public var weights: [Double]
    }

    /// The per-output-index taps for resampling an axis of `input` samples to `output` samples.
    public static func axisTaps(input: Int, output: Int) -> [Taps] {
        precondition(input > 0 && output > 0, "resize axis \(input) → \(output)")
        if output == input {
            return (0..<output).map { Taps(indices: [$0], weights: [1]) }
        }
        if output > input {
            return (0..<output).map { o in
                let s = max(0, (Double(o) + 0.5) * Double(input) / Double(output) - 0.5)
                let i0 = min(Int(s.rounded(.down)), input - 1)
                let i1 = min(i0 + 1, input - 1)
                let lambda = s - Double(i0)
                if i1 == i0 || lambda == 0 { return Taps(indices: [i0], weights: [1]) }
                return Taps(indices: [i0, i1], weights: [1 - lambda, lambda])
            }
        }
        // Area: in units of 1/output input pixels, input pixel i spans [i·out, (i+1)·out) and output
        // pixel o spans [o·in, (o+1)·in).
        return (0..<output).map { o in
            let lo = o * input, hi = (o + 1) * input
            var taps = Taps(indices: [], weights: [])
            for i in (lo / output)...((hi - 1) / output) {
                let overlap = min(hi, (i + 1) * output) - max(lo, i * output)
                if overlap > 0 {
                    taps.indices.append(i)
                    taps.weights.append(Double(overlap) / Double(input))
                }
            }
            return taps
        }
    }

    /// `x` `[N, C, H, W]` resized to `[N, C, height, width]`.
    public static func resize(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4, "resize expects [N, C, H, W], got \(x.shape)")
        let (h, w) = (x.shape[2], x.shape[3])
        let planes = x.shape[0] * x.shape[1]
        let out = Tensor(uninitialized: [x.shape[0], x.shape[1], height, width])
        guard planes > 0 && height > 0 && width > 0 else { return out }
        precondition(h > 0 && w > 0, "cannot resize an empty image \(x.shape)")
        let rowTaps = FlatTaps(axisTaps(input: h, output: height))
        let columnTaps = FlatTaps(axisTaps(input: w, output: width))
        let src = x.pointer, dst = out.pointer
        Parallel.chunks(planes) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: h * width)
            defer { scratch.deallocate() }
            for p in range {
                resizePlane(src + p * h * w, h: h, w: w, into: dst + p * height * width, height: height, width: width,
                            rows: rowTaps, columns: columnTaps, scratch: scratch)
            }
        }
        return out
    }

    /// Resamples one `[h, w]` plane into `[height, width]`: columns into `scratch` `[h, width]`,
    /// then rows, then clamps to the plane's range.
    private static func resizePlane(_ src: UnsafeMutablePointer<Float>, h: Int, w: Int,
                                    into dst: UnsafeMutablePointer<Float>, height: Int, width: Int,
                                    rows: FlatTaps, columns: FlatTaps, scratch: UnsafeMutablePointer<Float>) {
        var lowest = src[0], highest = src[0]
        for i in 0..<h * w {
            lowest = min(lowest, src[i])
            highest = max(highest, src[i])
        }
        for r in 0..<h {
            let line = src + r * w, target = scratch + r * width
            for o in 0..<width {
                var s: Float = 0
                for t in columns.start[o]..<columns.start[o + 1] { s += columns.weight[t] * line[columns.index[t]] }
                target[o] = s
            }
        }
        for o in 0..<height {
            let target = dst + o * width
            for c in 0..<width { target[c] = 0 }
            for t in rows.start[o]..<rows.start[o + 1] {
                let line = scratch + rows.index[t] * width, weight = rows.weight[t]
                for c in 0..<width { target[c] += weight * line[c] }
            }
            for c in 0..<width { target[c] = min(max(target[c], lowest), highest) }
        }
    }

    /// Taps of one axis packed into flat arrays: output o uses entries `start[o]..<start[o+1]`.
    private struct FlatTaps {
        var start: [Int] = [0]
        var index: [Int] = []
        var weight: [Float] = []

        init(_ taps: [Taps]) {
            for t in taps {
                index += t.indices
                weight += t.weights.map { Float($0) }
                start.append(index.count)
            }
        }
    }
}

extension Tensor {
    /// This `[N, C, H, W]` tensor resized to `[N, C, height, width]` (see `Resize`).
    public func resized(height: Int, width: Int) -> Tensor { Resize.resize(self, height: height, width: width) }
}
