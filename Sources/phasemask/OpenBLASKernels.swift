import Foundation
import TensorCore

/// Makes sure OpenBLAS runs the kernels this CPU can execute fastest.
///
/// OpenBLAS picks its kernel family from CPUID when the library is loaded. Version 0.3.21 (Debian 12)
/// does not know recent Xeons (e.g. family 6, model 207) and falls back to "Prescott" (SSE3) kernels:
/// sgemm at 512³ then runs at about 90 GFLOP/s on 2 cores instead of about 370 with its AVX-512
/// "SkylakeX" kernels (measured with `phasemask bench kernels`). The only supported override is the
/// `OPENBLAS_CORETYPE` environment variable, read at load time, so when it is unset and the fallback
/// was chosen on a CPU with AVX-512 (or AVX2 + FMA), we set it and re-execute the program once.
/// Setting `OPENBLAS_CORETYPE` yourself disables this.
enum OpenBLASKernels {
    static func selectForThisCPU() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              BLAS.coreName.lowercased() == "prescott",
              let core = bestCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        var arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &arguments)
        // execv returned: keep running with the slow kernels rather than fail.
        FileHandle.standardError.write(Data("phasemask: could not restart with OPENBLAS_CORETYPE=\(core); using OpenBLAS \(BLAS.coreName) kernels\n".utf8))
    }

    /// "SkylakeX" when the CPU has the AVX-512 subsets those kernels use, "Haswell" for AVX2 + FMA.
    static func bestCoreType() -> String? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}
