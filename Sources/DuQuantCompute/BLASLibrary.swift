import CBLAS

/// The BLAS library this process calls: its two products, its thread count and what it is.
///
/// The one way into OpenBLAS. Every product goes through ``BLASGate`` (who may be inside at once, and
/// when the thread count may change). The core sees only these pointer-level entry points, through its
/// `BLAS` namespace and `Matrix` products: another kernel (a bf16 product) or a deterministic mode plugs
/// in here without the core knowing which library runs.
///
/// ```swift
/// BLASLibrary.sgemm(m: 2, n: 3, k: 4, a: a, lda: 4, b: b, ldb: 4, transB: true, c: c, ldc: 3)
/// BLASLibrary.coreName   // "Zen"
/// ```
public enum BLASLibrary {
    /// `C = A · op(B) + beta·C` in single precision, row-major; `op(B)` is `Bᵀ` when `transB`.
    public static func sgemm(m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                             c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        gate.call {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb),
                        beta, c, blasint(ldc))
        }
    }

    /// `C = A · op(B)` in double precision, row-major; `op(B)` is `Bᵀ` when `transB`.
    public static func dgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int, transB: Bool = false,
                             c: UnsafeMutablePointer<Double>, ldc: Int) {
        gate.call {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, blasint(m), blasint(n),
                        blasint(k), 1, a, blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
        }
    }

    /// Serialises entries into OpenBLAS and thread-count changes (see ``BLASGate``).
    static let gate = BLASGate()

    /// Sets the number of threads OpenBLAS uses inside one call, once no call is inside.
    public static func setThreads(_ n: Int) { gate.setThreads(n) }

    /// Threads OpenBLAS uses inside one call.
    public static var threads: Int { gate.threads }

    /// The core OpenBLAS chose when it loaded (`openblas_get_corename()`), e.g. "Zen".
    public static var coreName: String {
        guard let name = duq_blas_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build line (`openblas_get_config()`), e.g.
    /// "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public static var config: String {
        guard let config = duq_blas_config() else { return "unknown" }
        return String(cString: config)
    }

    /// The library's name and version from `config` ("OpenBLAS 0.3.21").
    public static var libraryVersion: String {
        let words = config.split(separator: " ")
        return words.count >= 2 && words[0] == "OpenBLAS" ? "OpenBLAS \(words[1])" : config
    }
}
