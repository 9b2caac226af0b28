import DuQuantCompute
/// Output products in tiles on the cores, so that cancelling waits for one tile, not for the whole product.
///
/// A 7B-shaped down_proj (2048 tokens, 11008 → 4096) takes 185 GFLOP per product: seconds even at full
/// BLAS speed, during which a parameter change or a quit used to wait. ``ProductTiles`` cuts it into
/// tiles of tens of milliseconds, checks `cancel` before each, and keeps the product at the sgemm peak
/// (thin row tiles had run it at 40% of it).
extension Evaluator {
    /// `a bᵀ` (T×N) computed tile by tile; nil if `cancel` fired before the last tile.
    static func productInRowTiles(_ a: Matrix, _ b: Matrix, cancel: CancelToken?) -> Matrix? {
        precondition(a.cols == b.cols)
        let t = a.rows, n = b.rows, c = a.cols
        guard t > 0, n > 0, c > 0 else { return a.outputProduct(b) }
        var done = true
        let storage = [Float](unsafeUninitializedCapacity: t * n) { out, initialized in
            HugePages.advise(out.baseAddress!, count: t * n)
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    done = ProductTiles(rows: t, cols: n, inner: c)
                        .multiply(pa.baseAddress!, pb.baseAddress!, inner: c, into: out.baseAddress!, ldc: n, cancel: cancel)
                }
            }
            // A cancelled product is discarded; its storage is still fully initialised.
            if !done { out.baseAddress!.update(repeating: 0, count: t * n) }
            initialized = t * n
        }
        return done ? Matrix(rows: t, cols: n, storage: storage) : nil
    }

    /// Per row `t`: `‖a_t bᵀ − r_t‖ / ‖r_t‖` into `out[t]`, compared with the rows of `reference` band by
    /// band as the tiles of the product finish (while they are in cache); returns `(Σ‖·‖², Σ‖r‖²)`.
    /// Stops between tiles when `cancel` fires, leaving the rows of unfinished bands zero (the caller
    /// then discards the result).
    ///
    /// Each row's sums run over the whole row in column order (``DoubleSum/squaredError(_:_:_:)``) and the
    /// totals add rows in order: the figures do not depend on which core computed what.
    package static func rowTiledRelativeError(_ a: Matrix, _ b: Matrix, reference r: Matrix, into out: inout [Float],
                                              cancel: CancelToken?) -> (Double, Double) {
        precondition(a.cols == b.cols && r.rows == a.rows && r.cols == b.rows && out.count == a.rows)
        let t = a.rows, n = b.rows, c = a.cols
        guard t > 0, n > 0 else { return (0, 0) }
        let y = UnsafeMutablePointer<Float>.allocate(capacity: t * n)
        defer { y.deallocate() }
        HugePages.advise(y, count: t * n)
        var sums = [SIMD2<Double>](repeating: .zero, count: t)
        a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
        r.storage.withUnsafeBufferPointer { pr in
        sums.withUnsafeMutableBufferPointer { ps in
            nonisolated(unsafe) let ref = pr.baseAddress!, s = ps.baseAddress!
            ProductTiles(rows: t, cols: n, inner: c)
                .multiply(pa.baseAddress!, pb.baseAddress!, inner: c, into: y, ldc: n, cancel: cancel) { band in
                    for i in band {
                        let (e, d) = DoubleSum.squaredError(y + i * n, ref + i * n, 0..<n)
                        s[i] = SIMD2(e, d)
                    }
                }
        }}}}
        return totals(sums, into: &out)
    }
}
