import Dispatch

/// The screened extremes of the rows a greedy step rotated: the largest and smallest value with their
/// place (first in row-major order on ties), and every row's own largest and smallest value, so that the
/// candidates near an extreme can be collected without another pass over the other rows.
struct Extremes: Sendable {
    var maxV = -Double.infinity, maxRow = Int.max, maxCol = 0
    var minV = Double.infinity, minRow = Int.max, minCol = 0

    var peak: Double { maxV - minV }

    /// Folds one row (values `p[0..<n]`, row index `row`) into the extremes; returns the row's max and min.
    @inline(__always)
    mutating func see(row: Int, _ p: UnsafePointer<Double>, _ n: Int) -> (max: Double, min: Double) {
        let (mx, mn) = GreedyScan.rowMaxMin(p, n)
        if mx > maxV || (mx == maxV && row < maxRow) {
            var j = 0
            while p[j] != mx { j += 1 }
            maxV = mx; maxRow = row; maxCol = j
        }
        if mn < minV || (mn == minV && row < minRow) {
            var j = 0
            while p[j] != mn { j += 1 }
            minV = mn; minRow = row; minCol = j
        }
        return (mx, mn)
    }

    /// Combines two partial results with the same tie-breaking.
    mutating func merge(_ o: Extremes) {
        if o.maxV > maxV || (o.maxV == maxV && (o.maxRow, o.maxCol) < (maxRow, maxCol)) {
            maxV = o.maxV; maxRow = o.maxRow; maxCol = o.maxCol
        }
        if o.minV < minV || (o.minV == minV && (o.minRow, o.minCol) < (minRow, minCol)) {
            minV = o.minV; minRow = o.minRow; minCol = o.minCol
        }
    }
}

/// The fused multiply-and-scan kernel the greedy search spends its time in: a double-precision BLAS
/// product of a tile of rows, scanned while it is still in cache.
enum GreedyScan {
    /// Rows per product tile: the tile (rows × n doubles) stays in L2 while it is scanned.
    static let tileRows = 256

    /// Largest and smallest of `n` doubles (NaN never wins; ∓∞ for an empty row).
    @inline(__always)
    static func rowMaxMin(_ p: UnsafePointer<Double>, _ n: Int) -> (Double, Double) {
        var vmax = SIMD8<Double>(repeating: -.infinity), vmin = SIMD8<Double>(repeating: .infinity)
        var q = UnsafeRawPointer(p)
        var j = 0
        while j &+ 8 <= n {
            let v = q.loadUnaligned(as: SIMD8<Double>.self)
            vmax.replace(with: v, where: v .> vmax)
            vmin.replace(with: v, where: v .< vmin)
            q += 64
            j &+= 8
        }
        var mx = -Double.infinity, mn = Double.infinity
        for k in 0..<8 {
            if vmax[k] > mx { mx = vmax[k] }
            if vmin[k] < mn { mn = vmin[k] }
        }
        while j < n {
            let v = p[j]
            if v > mx { mx = v }
            if v < mn { mn = v }
            j += 1
        }
        return (mx, mn)
    }

    /// `rows ← rows · b` for `count` contiguous rows of width `n`, in place, tile by tile: each tile's product
    /// goes to a scratch tile (in cache), is folded into `e` with its max and min written to
    /// `rowMax`/`rowMin`, and is copied back over its rows. `ids[i]` is row `i`'s index in the searched
    /// matrix (for ties). In place, a search holds one copy of its rows, not two.
    static func multiplyScan(rows a: UnsafeMutablePointer<Double>, count rows: Int, n: Int, b: UnsafePointer<Double>,
                             ids: UnsafePointer<Int>,
                             rowMax: UnsafeMutablePointer<Double>, rowMin: UnsafeMutablePointer<Double>,
                             into e: inout Extremes) {
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(tileRows, rows) * n)
        defer { scratch.deallocate() }
        var done = 0
        while done < rows {
            let take = Swift.min(tileRows, rows - done)
            BLAS.dgemm(m: take, n: n, k: n, a: a + done * n, lda: n, b: b, ldb: n, c: scratch, ldc: n)
            for i in 0..<take {
                let (mx, mn) = e.see(row: ids[done + i], scratch + i * n, n)
                rowMax[done + i] = mx
                rowMin[done + i] = mn
            }
            (a + done * n).update(from: scratch, count: take * n)
            done += take
        }
    }

    /// ``multiplyScan`` over `rows` rows split among `workers` threads; the partial extremes are merged
    /// with the same tie-breaking, so the result does not depend on the split.
    static func multiplyScanParallel(rows a: UnsafeMutablePointer<Double>, count rows: Int, n: Int, b: UnsafePointer<Double>,
                                     ids: UnsafePointer<Int>,
                                     rowMax: UnsafeMutablePointer<Double>, rowMin: UnsafeMutablePointer<Double>,
                                     workers: Int) -> Extremes {
        let w = Swift.max(1, Swift.min(workers, rows / tileRows))
        if w == 1 {
            var e = Extremes()
            multiplyScan(rows: a, count: rows, n: n, b: b, ids: ids, rowMax: rowMax, rowMin: rowMin, into: &e)
            return e
        }
        let parts = UnsafeMutableBufferPointer<Extremes>.allocate(capacity: w)
        defer { parts.deallocate() }
        let per = (rows + w - 1) / w
        let pa = SharedPointer(a), pb = SharedPointer(b), pi = SharedPointer(ids)
        let px = SharedPointer(rowMax), pn = SharedPointer(rowMin)
        let out = SharedPointer(parts.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: w) { k in
            var e = Extremes()
            let lo = k * per, hi = Swift.min(rows, lo + per)
            if lo < hi {
                multiplyScan(rows: pa.p + lo * n, count: hi - lo, n: n, b: pb.p, ids: pi.p + lo,
                             rowMax: px.p + lo, rowMin: pn.p + lo, into: &e)
            }
            (out.p + k).initialize(to: e)
        }
        var e = parts[0]
        for k in 1..<w { e.merge(parts[k]) }
        return e
    }
}

/// A raw pointer handed to worker threads that write disjoint parts of its memory.
struct SharedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
    init(_ p: UnsafePointer<T>) { self.p = UnsafeMutablePointer(mutating: p) }
}
