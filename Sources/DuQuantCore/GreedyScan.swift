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
    /// The common case — the row holds nothing at least as extreme as the current extremes — costs two
    /// vector compares per 16 values and no horizontal reduction.
    @inline(__always)
    mutating func see(row: Int, _ p: UnsafePointer<Float>, _ n: Int) {
        let (vmax, vmin) = GreedyScan.rowMaxMin16(p, n)
        if any(vmax .>= SIMD16(repeating: maxV)) {
            let mx = vmax.max()
            if mx > maxV || (mx == maxV && row < maxRow) {
                var j = 0
                while p[j] != mx { j += 1 }
                maxV = mx; maxRow = row; maxCol = j
            }
        }
        if any(vmin .<= SIMD16(repeating: minV)) {
            let mn = vmin.min()
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

    /// Multiplies rows by `r` tile by tile and folds every product row into `e`.
    ///
    /// Rows come from `src` either in natural order (`order == nil`, rows `first ..< first+count`) or
    /// gathered through `order[first ..< first+count]`. `tile` and `gather` hold `tileRows · n` floats.
    static func pass(src: UnsafePointer<Float>, n: Int, r: UnsafePointer<Float>, order: UnsafePointer<Int>?,
                     first: Int, count: Int, tile: UnsafeMutablePointer<Float>,
                     gather: UnsafeMutablePointer<Float>, into e: inout Extremes) {
        var done = 0
        while done < count {
            let take = Swift.min(tileRows, count - done)
            let a: UnsafePointer<Float>
            if let order {
                for i in 0..<take {
                    (gather + i * n).update(from: src + order[first + done + i] * n, count: n)
                }
                a = UnsafePointer(gather)
            } else {
                a = src + (first + done) * n
            }
            BLAS.gemm(m: take, n: n, k: n, a: a, lda: n, b: r, ldb: n, transB: false, c: tile, ldc: n)
            for i in 0..<take {
                let row = order.map { $0[first + done + i] } ?? (first + done + i)
                e.see(row: row, tile + i * n, n)
            }
            done += take
        }
    }
}

/// A raw pointer handed to worker threads that write disjoint parts of its memory.
struct SharedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
    init(_ p: UnsafePointer<T>) { self.p = UnsafeMutablePointer(mutating: p) }
}
