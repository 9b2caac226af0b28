import CBLAS

/// Matrix products through OpenBLAS.
extension Matrix {
    /// `self · other` (rows × other.cols).
    public func multiplied(by other: Matrix) -> Matrix { product(other, transposed: false) }

    /// `self · otherᵀ` (rows × other.rows): the linear layer product `X Wᵀ`.
    public func multipliedTransposed(by other: Matrix) -> Matrix { product(other, transposed: true) }

    /// `self · op(other)` through one sgemm; `op` transposes when `transposed`.
    private func product(_ other: Matrix, transposed: Bool) -> Matrix {
        let (inner, n) = transposed ? (other.cols, other.rows) : (other.rows, other.cols)
        precondition(cols == inner, "inner dimensions differ: \(rows)×\(cols) · \(transposed ? "(" : "")"
            + "\(other.rows)×\(other.cols)\(transposed ? ")ᵀ" : "")")
        guard rows > 0, n > 0, cols > 0 else { return Matrix(rows: rows, cols: n) }
        // The product writes every element (beta 0), so the storage starts uninitialised: no serial
        // memset before it (a 180 MB result spent 120 ms zeroing fresh pages).
        let out = [Float](unsafeUninitializedCapacity: rows * n) { c, initialized in
            HugePages.advise(c.baseAddress!, count: rows * n)
            storage.withUnsafeBufferPointer { a in
                other.storage.withUnsafeBufferPointer { b in
                    BLAS.gemm(m: rows, n: n, k: cols, a: a.baseAddress!, lda: cols, b: b.baseAddress!,
                              ldb: other.cols, transB: transposed, c: c.baseAddress!, ldc: n)
                }
            }
            initialized = rows * n
        }
        return Matrix(rows: rows, cols: n, storage: out)
    }

    /// The transpose.
    public func transposed() -> Matrix {
        var out = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { out.storage[c * rows + r] = storage[r * cols + c] } }
        return out
    }

    /// Frobenius norm, accumulated in Double.
    public var frobeniusNorm: Double {
        var s = 0.0
        for v in storage { s += Double(v) * Double(v) }
        return s.squareRoot()
    }
}

/// Thin, typed wrappers over the CBLAS calls the core uses.
public enum BLAS {
    /// `C = A · op(B)` with row-major operands; `op(B)` is `Bᵀ` when `transB`.
    ///
    /// Every call goes through ``gate``: the only way this process enters OpenBLAS.
    public static func gemm(m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        gate.call {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb),
                        beta, c, blasint(ldc))
        }
    }

    /// Serialises entries into OpenBLAS and thread-count changes (see ``BLASGate``).
    static let gate = BLASGate()

    /// Sets the number of threads OpenBLAS uses inside one call.
    public static func setThreads(_ n: Int) { gate.setThreads(n) }

    /// Threads OpenBLAS uses inside one call.
    public static var threads: Int { gate.threads }

    /// Runs `body` with OpenBLAS on one thread per call, for code that splits work over the cores
    /// itself (OpenBLAS's own threads only spin on small tiles). Nested and concurrent uses are counted:
    /// the first sets one thread, the last restores the setting it found.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        singleThreadedUsers.withLock { state in
            if state.users == 0 { state.saved = threads; setThreads(1) }
            state.users += 1
        }
        defer {
            singleThreadedUsers.withLock { state in
                state.users -= 1
                if state.users == 0 { setThreads(state.saved) }
            }
        }
        return try body()
    }

    private static let singleThreadedUsers = Locked<(users: Int, saved: Int)>((0, 1))
}
