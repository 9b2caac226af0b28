/// The output error in tiles: `‖X Wᵀ − Q(X̃) Q(W̃)ᵀ‖` per token without holding either product whole.
///
/// A layer of T tokens and N outputs has a T×N output; for a small file with long shapes (T = N = 100000,
/// one input channel) that is 40 GB per product. Above ``MemoryBudget/keepsWholeProduct(tokens:outFeatures:)``
/// both products are computed a tile of at most ``Evaluator/tileElements`` at a time, compared, and
/// dropped: memory stays at two tiles whatever the shapes, and the per-token sums are the same as
/// with whole products (each row's terms are added in the same column order within a tile, tiles in
/// column order).
extension Evaluator {
    /// Elements of one output tile (4 MB of `Float`: two tiles stay in the last-level cache).
    public static let tileElements = 1 << 20

    /// Per row `t`: `‖a_t bᵀ − x_t wᵀ‖ / ‖x_t wᵀ‖` into `out[t]`; returns `(Σ‖·‖², Σ‖x wᵀ‖²)`.
    ///
    /// `a`, `x` are T×C and `b`, `w` are N×C. Stops early, leaving the rest of `out` zero, when `cancel`
    /// is set (the caller then discards the result).
    static func tiledRelativeError(_ a: Matrix, _ b: Matrix, reference x: Matrix, _ w: Matrix,
                                   into out: inout [Float], cancel: CancelToken? = nil) -> (Double, Double) {
        precondition(a.rows == x.rows && a.cols == x.cols && b.rows == w.rows && b.cols == w.cols && a.cols == b.cols)
        precondition(out.count == a.rows)
        let t = a.rows, n = b.rows, c = a.cols
        guard t > 0, n > 0 else { return (0, 0) }
        let colTile = Swift.min(n, tileElements)
        let rowTile = Swift.max(1, tileElements / colTile)
        var sums = [SIMD2<Double>](repeating: .zero, count: t)
        var y = [Float](repeating: 0, count: rowTile * colTile)
        var r = [Float](repeating: 0, count: rowTile * colTile)
        a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
        x.storage.withUnsafeBufferPointer { px in
        w.storage.withUnsafeBufferPointer { pw in
        y.withUnsafeMutableBufferPointer { py in
        r.withUnsafeMutableBufferPointer { pr in
        sums.withUnsafeMutableBufferPointer { ps in
            nonisolated(unsafe) let yt = py.baseAddress!, rt = pr.baseAddress!, s = ps.baseAddress!
            var r0 = 0
            while r0 < t {
                if cancel?.isCancelled == true { return }
                let rows = Swift.min(rowTile, t - r0)
                var n0 = 0
                while n0 < n {
                    let cols = Swift.min(colTile, n - n0)
                    if c > 0 {
                        guard BLAS.gemmInDouble(m: rows, n: cols, k: c, a: pa.baseAddress! + r0 * c, lda: c,
                                                b: pb.baseAddress! + n0 * c, ldb: c, c: yt, ldc: cols, cancel: cancel),
                              BLAS.gemmInDouble(m: rows, n: cols, k: c, a: px.baseAddress! + r0 * c, lda: c,
                                                b: pw.baseAddress! + n0 * c, ldb: c, c: rt, ldc: cols, cancel: cancel)
                        else { return }
                    } else {
                        yt.update(repeating: 0, count: rows * cols)
                        rt.update(repeating: 0, count: rows * cols)
                    }
                    let base = r0
                    ParallelRows.forEach(rows: rows, cols: cols) { range in
                        for i in range {
                            let (e, d) = DoubleSum.squaredError(yt, rt, (i * cols)..<((i + 1) * cols))
                            s[base + i] += SIMD2(e, d)
                        }
                    }
                    n0 += cols
                }
                r0 += rows
            }
        }}}}}}}
        return totals(sums, into: &out)
    }
}
