import DuQuantCompute

/// Matrix products through OpenBLAS.
extension Matrix {
    /// `self · other` (rows × other.cols).
    public func multiplied(by other: Matrix) -> Matrix { product(other, transposed: false) }

    /// `self · otherᵀ` (rows × other.rows): the linear layer product `X Wᵀ`.
    public func multipliedTransposed(by other: Matrix) -> Matrix { product(other, transposed: true) }

    /// `self · otherᵀ` computed in double and rounded once (``BLAS/gemmInDouble(m:n:k:a:lda:b:ldb:c:ldc:)``):
    /// the output products every figure is measured on, the same on every BLAS kernel.
    public func outputProduct(_ other: Matrix) -> Matrix {
        precondition(cols == other.cols, "inner dimensions differ: \(rows)×\(cols) · (\(other.rows)×\(other.cols))ᵀ")
        var out = Matrix(rows: rows, cols: other.rows)
        guard cols > 0 else { return out }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.gemmInDouble(m: rows, n: other.rows, k: cols, a: a.baseAddress!, lda: cols, b: b.baseAddress!,
                                      ldb: cols, c: c.baseAddress!, ldc: other.rows)
                }
            }
        }
        return out
    }

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

/// The matrix products the core uses, over the library's pointer-level entry points (``BLASLibrary`` in
/// DuQuantCompute), and the core's own product in double.
public enum BLAS {
    /// `C = A · op(B)` with row-major operands; `op(B)` is `Bᵀ` when `transB`.
    ///
    /// Every call goes through ``BLASLibrary/sgemm(m:n:k:a:lda:b:ldb:transB:c:ldc:beta:)``: the only way
    /// this process enters OpenBLAS.
    @inline(__always)
    public static func gemm(m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        BLASLibrary.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc, beta: beta)
    }

    /// `C = A · B` in double precision, row-major (the screens of ``ScreenedChoice`` run on it).
    @inline(__always)
    public static func dgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int, transB: Bool = false,
                             c: UnsafeMutablePointer<Double>, ldc: Int) {
        BLASLibrary.dgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
    }

    /// Rows and columns of the sub-tiles ``gemmInDouble(m:n:k:a:lda:b:ldb:c:ldc:)`` converts at a time.
    static let doubleSubTile = 256

    /// `C = A · Bᵀ` of float operands, computed in double and rounded once to float.
    ///
    /// An output product in float carries an error of `γ_k·Σ|aᵢbᵢ|` per element, and an output error is a
    /// small difference of two such products: on a massive outlier rotated over a block (where `Σ|aᵢbᵢ|`
    /// is ~√block times the result) that made the output error move by 3e-5 between BLAS kernels. In double
    /// the products' own error is ~1e-13 and only the final rounding remains, the same on every machine
    /// but for values within that error of a rounding boundary. Sub-tiles of ``doubleSubTile`` rows of
    /// each operand are converted at a time (22 MB each for a 7B down_proj), and the conversion costs 1/256 of the product.
    /// Returns false, leaving part of `C` unwritten, when `cancel` fired (checked between sub-tiles).
    @discardableResult
    public static func gemmInDouble(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                    cancel: CancelToken? = nil) -> Bool {
        guard m > 0, n > 0 else { return true }
        let s = doubleSubTile
        let da = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(m, s) * k)
        let db = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(n, s) * k)
        let dc = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(m, s) * Swift.min(n, s))
        defer { da.deallocate(); db.deallocate(); dc.deallocate() }
        var r0 = 0
        while r0 < m {
            let rows = Swift.min(s, m - r0)
            for r in 0..<rows { for j in 0..<k { da[r * k + j] = Double(a[(r0 + r) * lda + j]) } }
            var c0 = 0
            while c0 < n {
                if cancel?.isCancelled == true { return false }
                let cols = Swift.min(s, n - c0)
                for r in 0..<cols { for j in 0..<k { db[r * k + j] = Double(b[(c0 + r) * ldb + j]) } }
                dgemm(m: rows, n: cols, k: k, a: da, lda: k, b: db, ldb: k, transB: true, c: dc, ldc: cols)
                for r in 0..<rows { for j in 0..<cols { c[(r0 + r) * ldc + c0 + j] = Float(dc[r * cols + j]) } }
                c0 += cols
            }
            r0 += rows
        }
        return true
    }

    /// Sets the number of threads OpenBLAS uses inside one call (``BLASLibrary/setThreads(_:)``).
    public static func setThreads(_ n: Int) { BLASLibrary.setThreads(n) }

    /// Threads OpenBLAS uses inside one call.
    public static var threads: Int { BLASLibrary.threads }

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
