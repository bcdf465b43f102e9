import CFFTW
import Foundation

/// Recorded FFTW wisdom for the single-slice transforms of the sizes where FFTW_ESTIMATE's heuristic
/// picks a slow algorithm.
///
/// `FFTPlanCache` plans with FFTW_ESTIMATE so that no timing made at plan time decides the algorithm
/// (and with it the rounding of every result). For 32, 64 and 128 FFTW has a codelet for a whole row
/// and ESTIMATE's plan is as fast as the best one FFTW_PATIENT finds; for 96 = 2⁵·3 and 192 = 2⁶·3 its
/// guess (copies through buffers allocated on every call, a strided column pass) costs 2–2.5× more per
/// point (`phasemask bench fft`, docs/performance.md). The wisdom below is what FFTW_PATIENT chose for
/// the single-slice, one-thread plans of those sides (forward and inverse, in place and out of place:
/// the optics kernels' plans without and with oversampling), recorded once with `phasemask bench fft
/// --record-wisdom --sides 96,192` on the project's machine (FFTW 3.3.10, AVX codelets). The planner
/// imports it only while it plans such a plan and forgets it right after, so the plan is the same in
/// every run and no other size sees it. An FFTW that rejects it (another version or build) plans with
/// ESTIMATE alone.
public enum FFTWisdom {
    /// The recorded wisdom by slice side (square slices).
    static let recorded: [Int: String] = [
        96: """
            (fftw-3.3.10 fftwf_wisdom #x706526c0 #x2f8b6c85 #x8cd1bb1a #x7c96e03d
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x0484dab9 #xb6dd4c6a #x08d4bb90 #xe9494c71)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #xf5ca1500 #x6110ea1a #xd2751e2f #x97ffcccd)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x26eee878 #x891ad4f8 #x1ab02f43 #x73566673)
            (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xc6c72f80 #x63ed2b10 #x27c1e896 #x3990ce7b)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x69201522 #xba3a3ee4 #xf7b8761c #x67037aa1)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x23948b91 #xbcd0a61f #x8b533fdb #x81b29c11)
            (fftwf_codelet_t2bv_8_avx 0 #x10048 #x10048 #x0 #xfad0bc5b #x1ca1d214 #xc1021842 #x9f5123a5)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x7b4f129b #x58452ba6 #xa27cc713 #x5c358643)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x2a427d20 #x32d9c1bc #x8edf2053 #xeeea4155)
            (fftwf_rdft_rank0_register 1 #x11048 #x11048 #x0 #x7cb974c3 #xa806e241 #xaf1692b6 #xd232aba0)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #xe2f15423 #x1dd911e8 #xc004fe81 #xcbc9fad2)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x6643937d #x5f7e0ee0 #x40bee529 #xff0059ff)
            (fftwf_codelet_t2fv_8_avx 0 #x11048 #x11048 #x0 #xf94f413b #x275dd979 #x3e16133f #x073b377e)
            (fftwf_codelet_t2bv_8_avx 0 #x10048 #x10048 #x0 #x960c8f07 #x539eb520 #x97849ea0 #xce51ac56)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x2269137b #x3239252b #xe6bbade6 #x9d7c6334)
            (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x000ede04 #x58443d7d #xa5256ae4 #x25297d87)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x3e8afc26 #xcc5674aa #xc4ed6c30 #xf81f4de8)
            (fftwf_codelet_t2fv_8_avx 0 #x10048 #x10048 #x0 #x90e9214c #x2c01e29a #x677a75bc #x686876b9)
            (fftwf_codelet_t2bv_8_avx 0 #x11048 #x11048 #x0 #x2a92a728 #xf0b1c59d #xac0110cc #x1840331c)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x8cc5ee3b #x2f3c90f5 #x9da3b328 #x8dcf2614)
            (fftwf_codelet_n2fv_12_avx 0 #x11048 #x11048 #x0 #x971b237a #x28e351a6 #x0a08a339 #x81722620)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #xe73ad760 #x798fbbf9 #xf4116e0e #x5ee1541a)
            (fftwf_codelet_n2fv_16_avx 0 #x10048 #x10048 #x0 #xe62ea881 #x6237caf8 #x11d55f73 #x56d73c1c)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #xa7cf8e86 #x28652c98 #x8b220f96 #xcb9bfb3a)
            (fftwf_codelet_n2bv_12_avx 0 #x10048 #x10048 #x0 #x7337fea4 #xd0196321 #x81a8ee67 #x5ab1b745)
            (fftwf_codelet_n2fv_12_avx 0 #x10048 #x10048 #x0 #x971b237a #x28e351a6 #x0a08a339 #x81722620)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x90fbcece #x21bb062b #xf8edab25 #xb9813690)
            (fftwf_codelet_t1fv_6_avx 0 #x10048 #x10048 #x0 #x5f6a5ed6 #x21676d48 #xe8c38618 #x44dbb42c)
            (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #x7337fea4 #xd0196321 #x81a8ee67 #x5ab1b745)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x9a07fabb #x4af72e0d #xd77057b8 #x048dd344)
            (fftwf_codelet_n2bv_12_avx 0 #x10048 #x10048 #x0 #x63583166 #x2f1e6d7f #xf72d5268 #xc4eabdba)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x47679f7d #x1f548d39 #xb7362c0a #xb385c80c)
            (fftwf_rdft_rank0_register 2 #x11048 #x11048 #x0 #x441e3ac0 #x069a1463 #x4d1a105d #x16ff1e30)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x6e1e9564 #x6796ade6 #x232e3d26 #x3736df55)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x4d970ea7 #x5ba0fe57 #xee05d6e7 #xd2c14340)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x15f90af1 #x3c7b7b6c #x586e1ca4 #x7e0035aa)
            )
            """,
        192: """
            (fftw-3.3.10 fftwf_wisdom #x706526c0 #x2f8b6c85 #x8cd1bb1a #x7c96e03d
            (fftwf_codelet_t2bv_16_avx 0 #x10048 #x10048 #x0 #x66a04f4c #x52ee7914 #x8f313da5 #x7710f537)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x0a7cf851 #x9aabe59e #x776d25ea #x16cf02f8)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #xb3c338cd #xa5aa990c #x351d6f46 #x40065e06)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #xd505f41a #x77a8740a #xa7df8e1f #xe17d6127)
            (fftwf_codelet_t2fv_16_avx 0 #x10048 #x10048 #x0 #x63846d64 #x9500612a #x4ea90b2a #xdc5ac31a)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x934ccb1f #x10adc8b0 #x7be6b5ec #xbbdbd6e5)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x7f9dce7c #xfa9da36d #xcce3531e #x1ced8d4d)
            (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x9dabdb9e #x37403568 #x0db79fc1 #x9d4207e7)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x230d53d3 #xf8386da1 #x1b3ab929 #xc4731b3b)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #xbe609296 #x9199a5f6 #x1e1813de #xed88623d)
            (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #xc2256c59 #xbb6c6605 #x67361945 #x0b4bc192)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x3f1592fb #xf0ab503c #x642b25be #x92935a7f)
            (fftwf_rdft_rank0_register 3 #x11048 #x11048 #x0 #x4421259b #xb0c37493 #xb33b7db7 #x74bc2794)
            (fftwf_codelet_n2bv_12_avx 0 #x10048 #x10048 #x0 #xc2256c59 #xbb6c6605 #x67361945 #x0b4bc192)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x86748eb0 #x7965c9cf #x6ec72ea7 #xc13578df)
            (fftwf_codelet_t2bv_16_avx 0 #x11048 #x11048 #x0 #x52230820 #x1ca5c87f #x3c4ff04a #x35918c88)
            (fftwf_codelet_n2fv_12_avx 0 #x10048 #x10048 #x0 #x6321ed77 #xa39565c4 #x0337a10d #xe71f00b7)
            (fftwf_codelet_t1fv_12_avx 0 #x11048 #x11048 #x0 #xbdc47a2c #x1d279a53 #xb1b85a16 #xca786f64)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x44640807 #x02156db9 #x1023446d #x712299c0)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x54eabf34 #x3dfbab35 #x7489a6b7 #x4d2d7ac3)
            (fftwf_codelet_n2bv_64_avx 0 #x10048 #x10048 #x0 #xaf5834e3 #xd6cec19b #x5ec1c72b #xc4014edd)
            (fftwf_codelet_t2fv_16_avx 0 #x10048 #x10048 #x0 #xa89875db #x906a97a6 #x2398ba70 #x5635cff9)
            (fftwf_rdft_rank0_register 1 #x11048 #x11048 #x0 #xffe4fc45 #xec6e74e3 #x32bc9397 #x7faf41e9)
            (fftwf_codelet_t1bv_3_avx 0 #x10048 #x10048 #x0 #xe843aa93 #x7384e917 #xaad4e876 #x4010675f)
            (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x1c0b735c #x0265bd4f #x2bed6919 #xd216d364)
            (fftwf_dft_buffered_register 1 #x11048 #x11048 #x0 #xccb5bf1b #xe9c45ad4 #xf357bbab #x33847b89)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x2b6a9cae #xbc507c47 #xe452e79f #xbe12a485)
            (fftwf_dft_buffered_register 1 #x11048 #x11048 #x0 #xe24c7256 #x27bb447b #x7dce6fbd #xb25849f5)
            (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x26bf18de #x64f8def0 #x10dde6e6 #x66990b9b)
            (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x12eea61f #xf26f4ec4 #xbb7f765e #x3ab18b33)
            (fftwf_codelet_n2fv_16_avx 0 #x11048 #x11048 #x0 #x3923d4db #xa5109d14 #x0dbe13af #x2fc6b21c)
            (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x35ce0624 #xf5df5486 #x9a12b6fa #x84437d0d)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #x6838c78d #x0308d30a #x071efdec #xece709f2)
            (fftwf_codelet_n2fv_12_avx 0 #x10048 #x10048 #x0 #xf5fcc386 #xc5c0c034 #x850b2949 #x09609d6d)
            (fftwf_dft_rank_geq2_register 0 #x11048 #x11048 #x0 #xda6053db #x8dd74d09 #x74ac741a #xe265c045)
            (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #xf1680dcc #x9989cc97 #x349e7f7d #x1b167b62)
            )
            """,
    ]

    /// Slice sides with recorded wisdom.
    public static var sides: [Int] { recorded.keys.sorted() }

    /// The wisdom to plan `key` with: recorded wisdom for single-slice, one-thread ESTIMATE plans of a
    /// recorded side, else nil.
    static func wisdom(for key: FFTPlanCache.Key) -> String? {
        guard key.batch == 1, key.threads == 1, !key.measure, key.height == key.width else { return nil }
        return recorded[key.height]
    }

    /// Whether this FFTW accepts the recorded wisdom for `side` (false also when there is none).
    public static func isAccepted(side: Int) -> Bool {
        guard let wisdom = recorded[side] else { return false }
        FFTPlanCache.lock.lock()
        defer { FFTPlanCache.lock.unlock() }
        FFTPlanCache.initializeThreads()
        let accepted = fftwf_import_wisdom_from_string(wisdom) != 0
        fftwf_forget_wisdom()
        return accepted
    }

    /// New wisdom for `side`: the four single-slice, one-thread plans (forward and inverse, in place
    /// and out of place) planned with FFTW_PATIENT from no wisdom, as FFTW exports it. Timing decides,
    /// so two recordings may differ; paste one into `recorded`. Takes seconds to minutes per side.
    public static func record(side: Int) -> String {
        FFTPlanCache.lock.lock()
        defer { FFTPlanCache.lock.unlock() }
        FFTPlanCache.initializeThreads()
        fftwf_forget_wisdom()
        for forward in [true, false] {
            for inPlace in [true, false] {
                let key = FFTPlanCache.Key(batch: 1, height: side, width: side, forward: forward, inPlace: inPlace,
                                           threads: 1, measure: false)
                fftwf_destroy_plan(FFTPlanCache.make(key, flags: UInt32(FFTW_PATIENT)))
            }
        }
        guard let text = fftwf_export_wisdom_to_string() else { return "" }
        defer { free(text) }
        fftwf_forget_wisdom()
        return String(cString: text)
    }

    /// Runs `body` with a fresh plan (not cached) made as `FFTPlanCache` makes the plan for `key`, with
    /// or without the recorded wisdom, and destroys it afterwards (benchmarks, diagnostics).
    public static func withPlan<T>(_ key: FFTPlanCache.Key, usingWisdom: Bool = true,
                                   _ body: (OpaquePointer) throws -> T) rethrows -> T {
        FFTPlanCache.lock.lock()
        let plan = FFTPlanCache.make(key, usingWisdom: usingWisdom)
        FFTPlanCache.lock.unlock()
        defer {
            FFTPlanCache.lock.lock()
            fftwf_destroy_plan(plan)
            FFTPlanCache.lock.unlock()
        }
        return try body(plan)
    }

    /// FFTW's description of the plan `FFTPlanCache` makes for `key`, with or without the recorded wisdom.
    public static func planDescription(_ key: FFTPlanCache.Key, usingWisdom: Bool = true) -> String {
        withPlan(key, usingWisdom: usingWisdom) { plan in
            guard let text = fftwf_sprint_plan(plan) else { return "" }
            defer { free(text) }
            return String(cString: text)
        }
    }
}
