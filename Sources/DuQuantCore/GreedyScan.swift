import Dispatch

/// The extremes of a matrix with the reference's tie-breaking (first in row-major order), and the fused
/// multiply-and-scan kernel the greedy search spends its time in.
struct Extremes: Sendable {
    var maxV = -Float.infinity, maxRow = Int.max, maxCol = 0
    var minV = Float.infinity, minRow = Int.max, minCol = 0

    var peak: Float { maxV - minV }

    /// The channel the next step moves, by the selection rule (the reference compares |max| > |min|).
    func channel(_ select: Selection, width n: Int) -> Int {
        let useMax = Swift.abs(maxV) > Swift.abs(minV)
        switch select {
        case .paper: return useMax ? maxCol : minCol
        case .reference: return (useMax ? maxRow : minRow) % n
        }
    }

    /// Folds one row (values `p[0..<n]`, row index `row`) into the extremes.
    ///
    /// Two vector compares per 16 values, then one small reduction tree per row; the column is searched
    /// only when the row can beat the current extremes.
    @inline(__always)
    mutating func see(row: Int, _ p: UnsafePointer<Float>, _ n: Int) {
        let (vmax, vmin) = GreedyScan.rowMaxMin16(p, n)
        let mx = GreedyScan.horizontalMax(vmax), mn = GreedyScan.horizontalMin(vmin)
        if mx >= maxV {
            if mx > maxV || (mx == maxV && row < maxRow) {
                var j = 0
                while p[j] != mx { j += 1 }
                maxV = mx; maxRow = row; maxCol = j
            }
        }
        if mn <= minV {
            if mn < minV || (mn == minV && row < minRow) {
                var j = 0
                while p[j] != mn { j += 1 }
                minV = mn; minRow = row; minCol = j
            }
        }
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

enum GreedyScan {
    /// Rows per product tile: the tile (rows × n floats) stays in L2 while it is scanned.
    static let tileRows = 512

    // Reduction trees written out: the generic `SIMD.max()` and `any(_:)` compile to lane-by-lane loops
    // through memory here (seen in the disassembly), slower than the whole vector scan of a row.

    /// Largest lane.
    @inline(__always)
    static func horizontalMax(_ v: SIMD16<Float>) -> Float {
        var a = v.lowHalf
        let b = v.highHalf
        a.replace(with: b, where: b .> a)
        var c = a.lowHalf
        let d = a.highHalf
        c.replace(with: d, where: d .> c)
        return Swift.max(Swift.max(c[0], c[1]), Swift.max(c[2], c[3]))
    }

    /// Smallest lane.
    @inline(__always)
    static func horizontalMin(_ v: SIMD16<Float>) -> Float {
        var a = v.lowHalf
        let b = v.highHalf
        a.replace(with: b, where: b .< a)
        var c = a.lowHalf
        let d = a.highHalf
        c.replace(with: d, where: d .< c)
        return Swift.min(Swift.min(c[0], c[1]), Swift.min(c[2], c[3]))
    }

    /// Lane-wise max and min of `n` floats folded into 16 lanes (NaN never wins; unused lanes ∓∞).
    @inline(__always)
    static func rowMaxMin16(_ p: UnsafePointer<Float>, _ n: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        var vmax = SIMD16<Float>(repeating: -.infinity), vmin = SIMD16<Float>(repeating: .infinity)
        let raw = UnsafeRawPointer(p)
        var j = 0
        while j + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            vmax.replace(with: v, where: v .> vmax)
            vmin.replace(with: v, where: v .< vmin)
            j += 16
        }
        var lane = 0
        while j < n {
            let v = p[j]
            if v > vmax[lane] { vmax[lane] = v }
            if v < vmin[lane] { vmin[lane] = v }
            j += 1
            lane += 1
        }
        return (vmax, vmin)
    }

    /// `c = a · b` for `rows` contiguous rows of width `n`, tile by tile, folding every product row into
    /// `e` while it is still in cache; `ids[i]` is row `i`'s index in the searched matrix (for ties).
    static func multiplyScan(a: UnsafePointer<Float>, rows: Int, n: Int, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int>, into e: inout Extremes) {
        var done = 0
        while done < rows {
            let take = Swift.min(tileRows, rows - done)
            BLAS.gemm(m: take, n: n, k: n, a: a + done * n, lda: n, b: b, ldb: n, transB: false,
                      c: c + done * n, ldc: n)
            for i in 0..<take { e.see(row: ids[done + i], c + (done + i) * n, n) }
            done += take
        }
    }

    /// ``multiplyScan`` over `rows` rows split among `workers` threads; the partial extremes are merged
    /// with the same tie-breaking, so the result does not depend on the split.
    static func multiplyScanParallel(a: UnsafePointer<Float>, rows: Int, n: Int, b: UnsafePointer<Float>,
                                     c: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int>, workers: Int) -> Extremes {
        let w = Swift.max(1, Swift.min(workers, rows / tileRows))
        if w == 1 {
            var e = Extremes()
            multiplyScan(a: a, rows: rows, n: n, b: b, c: c, ids: ids, into: &e)
            return e
        }
        let parts = UnsafeMutableBufferPointer<Extremes>.allocate(capacity: w)
        defer { parts.deallocate() }
        let per = (rows + w - 1) / w
        let pa = SharedPointer(a), pb = SharedPointer(b), pc = SharedPointer(c), pi = SharedPointer(ids)
        let out = SharedPointer(parts.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: w) { k in
            var e = Extremes()
            let lo = k * per, hi = Swift.min(rows, lo + per)
            if lo < hi {
                multiplyScan(a: pa.p + lo * n, rows: hi - lo, n: n, b: pb.p, c: pc.p + lo * n, ids: pi.p + lo, into: &e)
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
