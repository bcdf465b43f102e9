import Foundation
import TensorCore

/// How one N×N scene is cut from an image: a square crop at a random scale and position, resized to
/// N×N (`Resize`: bilinear when enlarging, area average when shrinking), then one of the 8 symmetries
/// of the square (an optional left–right flip followed by 0–3 quarter turns counter-clockwise).
///
/// The crop side s of an image whose shorter side is m pixels is log-uniform between
/// `min(m, ⌈N/2⌉)` (at most 2× enlargement) and m (the whole shorter side), rounded to whole pixels;
/// its top-left corner is uniform over the positions where the crop fits. The draws are stored as
/// numbers in [0, 1) so they can be made before the image is read.
public struct RandomCrop: Equatable, Sendable {
    public var scale: Double, x: Double, y: Double
    public var flip: Bool
    public var quarterTurns: Int

    public init(scale: Double, x: Double, y: Double, flip: Bool, quarterTurns: Int) {
        self.scale = scale; self.x = x; self.y = y
        self.flip = flip; self.quarterTurns = quarterTurns
    }

    /// Draws a crop: five values from `g`.
    public init(_ g: inout SeededGenerator) {
        self.init(scale: g.uniformDouble(), x: g.uniformDouble(), y: g.uniformDouble(),
                  flip: g.next() & 1 == 1, quarterTurns: Int(g.next() % 4))
    }

    /// Crop side in pixels for an image of shorter side `shorter` and scenes of side `size`.
    public func side(shorter: Int, size: Int) -> Int {
        let lo = Double(min(shorter, (size + 1) / 2)), hi = Double(shorter)
        let s = Int((lo * pow(hi / lo, scale)).rounded())
        return min(max(s, Int(lo)), shorter)
    }

    /// The scene cut from `image` `[1, 1, H, W]`, written to `plane` (`size × size`, row-major).
    public func apply(_ image: Tensor, size: Int, into plane: UnsafeMutablePointer<Float>) {
        let (h, w) = (image.shape[2], image.shape[3])
        let s = side(shorter: min(h, w), size: size)
        let top = Int(y * Double(h - s + 1)), left = Int(x * Double(w - s + 1))
        let crop = Tensor(uninitialized: [1, 1, s, s])
        for r in 0..<s { (crop.pointer + r * s).update(from: image.pointer + (top + r) * w + left, count: s) }
        let scaled = s == size ? crop : Resize.resize(crop, height: size, width: size)
        for r in 0..<size {
            for c in 0..<size {
                let (sr, sc) = sourcePixel(row: r, column: c, size: size)
                plane[r * size + c] = scaled.pointer[sr * size + sc]
            }
        }
    }

    /// The pixel of the resized crop that lands on (row, column) of the scene.
    func sourcePixel(row r: Int, column c: Int, size n: Int) -> (Int, Int) {
        var (sr, sc): (Int, Int)
        switch quarterTurns & 3 {
        case 0: (sr, sc) = (r, c)
        case 1: (sr, sc) = (c, n - 1 - r)
        case 2: (sr, sc) = (n - 1 - r, n - 1 - c)
        default: (sr, sc) = (n - 1 - c, r)
        }
        if flip { sc = n - 1 - sc }
        return (sr, sc)
    }
}

extension ImageFolder {
    /// Scenes 0..<count of `split`, `[count, 1, size, size]` in [0, 1].
    ///
    /// Scene i draws, from a generator seeded with (seed, split, i) only, a file of the split (uniform),
    /// an image within it (uniform; HDF5 files can hold several) and a `RandomCrop`. Every file of the
    /// split is read once (so an unreadable one is always reported), one at a time. Nothing is read
    /// when `count` is 0.
    public func scenes(_ split: SceneSplit, count: Int, size: Int, seed: UInt64 = SceneSplits.dataSeed,
                       report: inout Report) throws -> Tensor {
        let paths = files(in: split, seed: seed)
        return try RandomCrop.scenes(count: count, size: size, channels: 1, units: paths.count,
                                     stream: [seed, split.tag, Self.streamTag]) { f in
            try images(paths[f], report: &report).map { [$0] }
        }
    }

    /// Stream tag of folder scenes (synthetic kinds use 1…5).
    static let streamTag: UInt64 = 0xF01D
}

extension RandomCrop {
    /// Scenes 0..<count `[count, channels, size, size]` cut from `units` files (or fields) of a split.
    ///
    /// Scene i draws, from a generator seeded with `stream + [i]` only, a unit (uniform), an image within
    /// it (uniform) and a `RandomCrop`, which cuts every channel of that image alike (same window, flip
    /// and turns). `load(u)` returns unit u's images, each as `channels` planes `[1, 1, H, W]` of one
    /// size; it is called once per unit, in order (so an unreadable file is always reported), and not at
    /// all when `count` is 0.
    static func scenes(count: Int, size: Int, channels: Int, units: Int, stream: [UInt64],
                       load: (Int) throws -> [[Tensor]]) throws -> Tensor {
        let out = Tensor(uninitialized: [count, channels, size, size])
        guard count > 0 else { return out }
        var byUnit = [[(scene: Int, image: Double, crop: RandomCrop)]](repeating: [], count: units)
        for i in 0..<count {
            var g = SeededGenerator(seed: Trainer.streamSeed(stream + [UInt64(i)]))
            let unit = Int(g.next() % UInt64(units))
            byUnit[unit].append((i, g.uniformDouble(), RandomCrop(&g)))
        }
        let plane = size * size
        for u in 0..<units {
            let images = try load(u)
            for draw in byUnit[u] {
                let planes = images[min(Int(draw.image * Double(images.count)), images.count - 1)]
                precondition(planes.count == channels, "a scene image needs \(channels) channel(s), got \(planes.count)")
                for (c, image) in planes.enumerated() {
                    draw.crop.apply(image, size: size, into: out.pointer + (draw.scene * channels + c) * plane)
                }
            }
        }
        return out
    }
}
