import DuQuantCompute
import DuQuantCore

// Test hooks for the re-exec path, so the CLI tests can drive a real probe and a real re-exec on any
// machine. Only debug builds read these variables; release builds ignore them.
//   DUQUANT_BLAS_TEST_CPU="intel avx2 fma"   the CPU features, instead of cpuid's
//   DUQUANT_BLAS_TEST_LIBRARY_CORE=Prescott  the core the library is said to have chosen
//   DUQUANT_BLAS_TEST_BREAK_CHECK=1          the probe's sgemm is made wrong, so its check fails
extension BLASCoreSelection {
    /// Fake features from `DUQUANT_BLAS_TEST_CPU` (debug builds), else nil.
    static func testFeatures(_ env: [String: String]) -> CPUFeatures? {
        #if DEBUG
        guard let words = env["DUQUANT_BLAS_TEST_CPU"]?.split(separator: " ").map(String.init) else { return nil }
        let vendor: CPUFeatures.Vendor = words.contains("amd") ? .amd : words.contains("intel") ? .intel : .other
        return CPUFeatures(vendor: vendor, family: 0, model: 0, flags: Set(words.compactMap(CPUFeatures.Flag.init)))
        #else
        return nil
        #endif
    }

    /// The library core named by `DUQUANT_BLAS_TEST_LIBRARY_CORE` (debug builds), else nil.
    static func testLibraryCore(_ env: [String: String]) -> String? {
        #if DEBUG
        return env["DUQUANT_BLAS_TEST_LIBRARY_CORE"]
        #else
        return nil
        #endif
    }

    /// Whether `DUQUANT_BLAS_TEST_BREAK_CHECK=1` asks the probe to fail (debug builds).
    static func testBrokenCheck(_ env: [String: String]) -> Bool {
        #if DEBUG
        return env["DUQUANT_BLAS_TEST_BREAK_CHECK"] == "1"
        #else
        return false
        #endif
    }

    /// The real sgemm with one output element off by one: what a wrong kernel looks like to the check.
    static func brokenGemm(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                           _ b: UnsafePointer<Float>, _ ldb: Int, _ transB: Bool,
                           _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        BLAS.gemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
        c[(m / 2) * ldc + n / 2] += 1
    }
}
