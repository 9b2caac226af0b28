/// Output products a few rows at a time, so that cancelling waits for one tile, not for the whole product.
///
/// A 7B-shaped down_proj (2048 tokens, 11008 → 4096) takes 185 GFLOP per product: seconds even at full
/// BLAS speed, during which a parameter change or a quit used to wait. Row tiles of about
/// ``rowTileFlops`` keep each BLAS call to tens of milliseconds, and `cancel` is checked between them.
extension Evaluator {
    /// Floating-point operations per row tile (about 30 ms at 130 GFLOP/s).
    static let rowTileFlops = 4e9

    /// Rows per tile for a T×C · (N×C)ᵀ product.
    static func rowTile(tokens t: Int, inner c: Int, out n: Int) -> Int {
        Swift.max(1, Swift.min(t, Int(rowTileFlops / Swift.max(1, 2 * Double(n) * Double(c)))))
    }

    /// `a bᵀ` (T×N) computed row tile by row tile; nil if `cancel` fired between two tiles.
    static func productInRowTiles(_ a: Matrix, _ b: Matrix, cancel: CancelToken?) -> Matrix? {
        precondition(a.cols == b.cols)
        let t = a.rows, n = b.rows, c = a.cols
        guard t > 0, n > 0, c > 0 else { return a.multipliedTransposed(by: b) }
        let tile = rowTile(tokens: t, inner: c, out: n)
        var cancelled = false
        let storage = [Float](unsafeUninitializedCapacity: t * n) { out, initialized in
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    var r0 = 0
                    while r0 < t {
                        if cancel?.isCancelled == true { cancelled = true; break }
                        let rows = Swift.min(tile, t - r0)
                        BLAS.gemm(m: rows, n: n, k: c, a: pa.baseAddress! + r0 * c, lda: c, b: pb.baseAddress!, ldb: c,
                                  transB: true, c: out.baseAddress! + r0 * n, ldc: n)
                        r0 += rows
                    }
                    // A cancelled product is discarded; its storage is still fully initialised.
                    if r0 < t { (out.baseAddress! + r0 * n).update(repeating: 0, count: (t - r0) * n) }
                }
            }
            initialized = t * n
        }
        return cancelled ? nil : Matrix(rows: t, cols: n, storage: storage)
    }

    /// Per row `t`: `‖a_t bᵀ − r_t‖ / ‖r_t‖` into `out[t]`, the product computed a row tile at a time
    /// (never whole) and compared with the rows of `reference`; returns `(Σ‖·‖², Σ‖r‖²)`. Stops between
    /// tiles when `cancel` fires (the caller then discards the result).
    package static func rowTiledRelativeError(_ a: Matrix, _ b: Matrix, reference r: Matrix, into out: inout [Float],
                                      cancel: CancelToken?) -> (Double, Double) {
        precondition(a.cols == b.cols && r.rows == a.rows && r.cols == b.rows && out.count == a.rows)
        let t = a.rows, n = b.rows, c = a.cols
        guard t > 0, n > 0 else { return (0, 0) }
        let tile = rowTile(tokens: t, inner: c, out: n)
        var y = [Float](repeating: 0, count: tile * n)
        var sums = [SIMD2<Double>](repeating: .zero, count: t)
        a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
        r.storage.withUnsafeBufferPointer { pr in
        y.withUnsafeMutableBufferPointer { py in
        sums.withUnsafeMutableBufferPointer { ps in
            nonisolated(unsafe) let yt = py.baseAddress!, ref = pr.baseAddress!, s = ps.baseAddress!
            var r0 = 0
            while r0 < t {
                if cancel?.isCancelled == true { return }
                let rows = Swift.min(tile, t - r0)
                if c > 0 {
                    BLAS.gemm(m: rows, n: n, k: c, a: pa.baseAddress! + r0 * c, lda: c, b: pb.baseAddress!, ldb: c,
                              transB: true, c: yt, ldc: n)
                } else {
                    yt.update(repeating: 0, count: rows * n)
                }
                let base = r0
                ParallelRows.forEach(rows: rows, cols: n) { range in
                    for i in range {
                        let (e, d) = DoubleSum.squaredError(yt + i * n, ref + (base + i) * n, 0..<n)
                        s[base + i] = SIMD2(e, d)
                    }
                }
                r0 += rows
            }
        }}}}}
        return totals(sums, into: &out)
    }
}
