import Foundation
import Optics
import TensorCore

/// The channels of scene tensors. A source without an amplitude channel yields `[n, 1, N, N]`: the
/// normalized phase images I. Pair folders (`pairs:DIR`) and complex fields (`FILE.h5:/DATASET`) yield
/// `[n, 2, N, N]`: channel 0 is I, channel 1 the amplitude image A ∈ [0, 1] of the same scene
/// (docs/scenes.md). The scene model makes x = a(A)·exp(j(φmin + (φmax − φmin)·I + δ)) of both; without
/// channel 1, A = I. The network's target is always channel 0.
public enum SceneChannels {
    /// Channel 0, I `[n, 1, N, N]` (the tensor itself when it has one channel).
    public static func phase(_ scenes: Tensor) -> Tensor {
        scenes.shape[1] == 1 ? scenes : channel(0, of: scenes)
    }

    /// Channel 1, A `[n, 1, N, N]`, or nil when the scenes have no amplitude channel.
    public static func amplitude(_ scenes: Tensor) -> Tensor? {
        scenes.shape[1] == 2 ? channel(1, of: scenes) : nil
    }

    /// Scenes `[n, 1, N, N]` with the amplitude channel A = I appended, `[n, 2, N, N]` (what the scene
    /// model does without an amplitude image): the form a source without one takes in a mixture with
    /// sources that have one. Scenes that already have two channels are returned as they are.
    public static func withAmplitude(_ scenes: Tensor) -> Tensor {
        guard scenes.shape[1] == 1 else { return scenes }
        let s = scenes.shape, plane = s[2] * s[3]
        let out = Tensor(uninitialized: [s[0], 2, s[2], s[3]])
        for k in 0..<s[0] {
            for c in 0..<2 { (out.pointer + (2 * k + c) * plane).update(from: scenes.pointer + k * plane, count: plane) }
        }
        return out
    }

    /// Why scenes with an amplitude channel from `source` cannot be used with `model`, or nil: a model
    /// whose amplitude range gives every pixel the same amplitude (a₀ = a₁, e.g. the pure-phase 1:1)
    /// would silently ignore the channel.
    public static func problem(source: String, model: SceneModel) -> String? {
        guard model.amplitudeAtZero == model.amplitudeAtOne else { return nil }
        let range = String(format: "%g:%g", model.amplitudeAtZero, model.amplitudeAtOne)
        return "--data \(source) has an amplitude channel, but the amplitude range \(range) gives every pixel the same "
            + "amplitude and would ignore it"
    }

    /// Channel `c` of `[n, C, N, N]` as `[n, 1, N, N]`.
    static func channel(_ c: Int, of scenes: Tensor) -> Tensor {
        let s = scenes.shape, plane = s[2] * s[3]
        let out = Tensor(uninitialized: [s[0], 1, s[2], s[3]])
        for k in 0..<s[0] {
            (out.pointer + k * plane).update(from: scenes.pointer + (k * s[1] + c) * plane, count: plane)
        }
        return out
    }
}
