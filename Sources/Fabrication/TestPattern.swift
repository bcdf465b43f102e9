import Foundation
import Optics
import Storage

/// Full-resolution frames for checking a panel before a design goes on it (`export --test-pattern`):
/// orientation, bit depth and the 2π gray value. Each is a phase pattern per panel pixel that goes
/// through the display chain like a design (`LUT(κ · wrap(pattern + correction))`; no carrier), so
/// the frame is exactly what the panel gets.
///
/// - `checkerboard`: squares of `cell` pixels alternating phase 0 and π, the square at the top-left
///   corner (row 0, column 0 of the array) at π/2 instead: if the marked square shows anywhere but top
///   left, the display is flipped or rotated.
/// - `ramp`: phase 2π·⌊c·G/columns⌋/G along the columns (c = column, G = the profile's 2π gray value),
///   rows alike: on a linear panel every gray 0…G−1 appears once, left to right, in equal runs; a
///   panel driven with fewer bits shows coarser steps, a wrong 2π gray value a phase jump at the edge.
/// - `stripes`: vertical stripes of `stripe` pixels alternating phase 0 and π (a binary grating): its
///   zero order vanishes only when gray(π) really shows π, i.e. when the 2π gray value is right.
public enum TestPattern: String, CaseIterable, Sendable {
    case checkerboard, ramp, stripes

    /// Square side of the checkerboard, pixels.
    public static let cell = 64
    /// Stripe width, pixels (period twice that).
    public static let stripe = 8

    public init(parsing text: String) throws {
        guard let pattern = TestPattern(rawValue: text.lowercased()) else {
            throw FabricationError("--test-pattern", "'\(text)' is not a test pattern; use checkerboard, ramp or stripes")
        }
        self = pattern
    }

    /// Phase (radians) at panel pixel (r, c).
    public func phase(row r: Int, column c: Int, profile p: SLMProfile) -> Double {
        switch self {
        case .checkerboard:
            if r < Self.cell && c < Self.cell { return Double.pi / 2 }
            return (r / Self.cell + c / Self.cell) % 2 == 0 ? 0 : Double.pi
        case .ramp:
            return 2 * Double.pi * Double(c * p.gray2Pi / p.columns) / Double(p.gray2Pi)
        case .stripes:
            return (c / Self.stripe) % 2 == 0 ? 0 : Double.pi
        }
    }

    /// The frame: `gray = encoder.gray(κ · wrap(pattern + correction))` per pixel.
    public func frame(profile p: SLMProfile, encoder: GrayEncoder, correction: PanelCorrection? = nil,
                      compression: Double = 1) -> GrayImage {
        var image = GrayImage(width: p.columns, height: p.rows, repeating: 0)
        for r in 0..<p.rows {
            for c in 0..<p.columns {
                let k = r * p.columns + c
                let total = phase(row: r, column: c, profile: p) + (correction?.phase[k] ?? 0)
                image.pixels[k] = UInt16(encoder.gray(forPhase: compression * wrapPhase(total)))
            }
        }
        return image
    }

    /// What the frame should look like on the panel, with the gray values it holds (without correction).
    public func description(profile p: SLMProfile, encoder: GrayEncoder) -> String {
        func gray(_ phi: Double) -> Int { encoder.gray(forPhase: phi) }
        switch self {
        case .checkerboard:
            return "\(Self.cell)-pixel squares of phase 0 (gray \(gray(0))) and π (gray \(gray(Double.pi))); the top-left "
                + "square at π/2 (gray \(gray(Double.pi / 2))) marks row 0, column 0"
        case .ramp:
            let last = phase(row: 0, column: p.columns - 1, profile: p)
            return "phase 0 → \(String(format: "%.4f", last)) rad left to right (gray \(gray(0)) → \(gray(last))), "
                + "\(p.gray2Pi) steps of \(String(format: "%.3g", Double(p.columns) / Double(p.gray2Pi))) columns"
        case .stripes:
            return "vertical stripes \(Self.stripe) pixels wide of phase 0 (gray \(gray(0))) and π (gray \(gray(Double.pi))): "
                + "its zero order vanishes when the 2π gray value is right"
        }
    }

    /// Writes one frame per pattern in the panel's formats, `<stem>_test_<pattern>.<ext>`, all or
    /// nothing (`AtomicFileGroup`); returns the paths.
    public static func writeAll(_ patterns: [TestPattern], profile: SLMProfile, encoder: GrayEncoder,
                                correction: PanelCorrection?, compression: Double = 1, to directory: URL,
                                stem: String) throws -> [String] {
        let group = try AtomicFileGroup(directory: directory.path, name: stem)
        var names: [String] = []
        do {
            for pattern in patterns {
                let frame = pattern.frame(profile: profile, encoder: encoder, correction: correction, compression: compression)
                for format in SLMBitmapFormat.exportFormats(for: profile) {
                    let name = "\(stem)_test_\(pattern.rawValue).\(format.rawValue)"
                    try SLMBitmap.write(frame, profile: profile, format: format, to: group.stagingPath(name))
                    names.append(name)
                }
            }
            return try group.commit(order: names)
        } catch {
            group.discard()
            throw error
        }
    }
}
