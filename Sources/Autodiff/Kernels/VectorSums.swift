/// Float32 reductions with eight interleaved partial sums (`SIMD8` lanes), so they vectorize: a plain
/// `acc += a[i] * b[i]` loop stays scalar because reordering a floating-point sum changes its bits.
/// The summation order is fixed by `count` alone (lanes, then the tail), so results are reproducible.
enum VectorSums {
    /// `Σ_i a_i · b_i` over `count` floats.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var even = SIMD8<Float>(repeating: 0), odd = SIMD8<Float>(repeating: 0)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= count {
            even += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            odd += ra.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var total = (even + odd).sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }
}
