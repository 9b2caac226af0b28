/// What one greedy rotation search did: the channels it chose, the peaks it saw, the prefix it kept.
public struct GreedyTrace: Sendable, Equatable {
    /// Block index searched, or −1 for the shared rotation of all full blocks.
    public var block: Int
    /// Channel (within the block) moved into the uniform row at each step.
    public var chosen: [Int]
    /// Peak `max − min` before each step and after the last (`chosen.count + 1` values).
    public var peaks: [Float]
    /// Steps kept: the prefix with the lowest peak (first minimum; 0 = no rotation).
    public var kept: Int

    public init(block: Int, chosen: [Int], peaks: [Float], kept: Int) {
        self.block = block
        self.chosen = chosen
        self.peaks = peaks
        self.kept = kept
    }
}

/// DuQuant's greedy block rotation search over a set of rows of width `n`.
///
/// Each step finds the largest and smallest value of the current matrix, records the peak
/// `max − min`, picks channel `d` by the selection rule, exchanges rows and columns 0 and `d` of the
/// stage rotation `B` and multiplies the block by it, spreading channel `d` over every channel. The
/// kept prefix is the one with the lowest peak.
///
/// The default search is exact but lazy: a rotation keeps every row's L2 norm and `|(xR)_j| ≤ ‖x‖₂`, so
/// rows are rotated in descending-norm order only until the extremes found dominate every remaining
/// row's norm. It chooses what the full computation (``searchFull``) chooses.
public enum GreedyRotation {
    /// The result of a search: the trace and the composed rotation of the kept prefix.
    public struct Result: Sendable {
        public var trace: GreedyTrace
        public var rotation: Matrix
    }

    /// Extremes of a matrix with the reference's tie-breaking (first in row-major order).
    struct Extremes {
        var maxV = -Float.infinity, maxRow = Int.max, maxCol = 0
        var minV = Float.infinity, minRow = Int.max, minCol = 0

        @inline(__always)
        mutating func see(_ v: Float, row: Int, col: Int) {
            if v > maxV || (v == maxV && (row, col) < (maxRow, maxCol)) { maxV = v; maxRow = row; maxCol = col }
            if v < minV || (v == minV && (row, col) < (minRow, minCol)) { minV = v; minRow = row; minCol = col }
        }

        var peak: Float { maxV - minV }

        /// The channel the next step moves, by the selection rule (the reference compares |max| > |min|).
        func channel(_ select: Selection, width n: Int) -> Int {
            let useMax = Swift.abs(maxV) > Swift.abs(minV)
            switch select {
            case .paper: return useMax ? maxCol : minCol
            case .reference: return (useMax ? maxRow : minRow) % n
            }
        }
    }

    /// `R · swap(B, 0, d)` computed as column swaps around one product.
    static func composeStep(_ r: inout Matrix, base: Matrix, channel d: Int, scratch: inout Matrix) {
        let n = base.rows
        r.swapColumns(0, d)
        r.storage.withUnsafeBufferPointer { a in
            base.storage.withUnsafeBufferPointer { b in
                scratch.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: n, n: n, k: n, a: a.baseAddress!, lda: n, b: b.baseAddress!, ldb: n,
                              transB: false, c: c.baseAddress!, ldc: n)
                }
            }
        }
        swap(&r, &scratch)
        r.swapColumns(0, d)
    }

    /// Exact lazy search over `rows` (row-major, `rows.count / n` rows of width `n`).
    ///
    /// - Parameters:
    ///   - base: the stage rotation `B` (n × n).
    ///   - steps: number of greedy steps to try.
    ///   - shouldStop: polled once per step; returning true abandons the search (result nil).
    public static func search(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                              block: Int, shouldStop: (() -> Bool)? = nil) -> Result? {
        precondition(base.rows == n && base.cols == n && n > 0 && rows.count % n == 0)
        let count = rows.count / n
        // Row norms (invariant under rotation) and the visiting order, largest first.
        var norms = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var s = 0.0
            for j in 0..<n { let v = Double(rows[i * n + j]); s += v * v }
            norms[i] = Float(s.squareRoot())
        }
        let order = (0..<count).sorted { norms[$0] != norms[$1] ? norms[$0] > norms[$1] : $0 < $1 }
        var r = Matrix.identity(n), best = r, scratch = Matrix(rows: n, cols: n)
        var gathered = [Float](repeating: 0, count: Swift.min(count, 4096) * n)
        var product = gathered
        var chosen: [Int] = [], peaks: [Float] = []
        var bestPeak = Float.infinity, kept = 0

        func extremes() -> Extremes {
            var e = Extremes()
            var pos = 0, chunk = 16
            while pos < count {
                let take = Swift.min(chunk, count - pos, 4096)
                for i in 0..<take {
                    let src = order[pos + i] * n
                    for j in 0..<n { gathered[i * n + j] = rows[src + j] }
                }
                gathered.withUnsafeBufferPointer { a in
                    r.storage.withUnsafeBufferPointer { b in
                        product.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(m: take, n: n, k: n, a: a.baseAddress!, lda: n, b: b.baseAddress!, ldb: n,
                                      transB: false, c: c.baseAddress!, ldc: n)
                        }
                    }
                }
                for i in 0..<take {
                    let row = order[pos + i]
                    for j in 0..<n { e.see(product[i * n + j], row: row, col: j) }
                }
                pos += take
                chunk = Swift.min(chunk * 2, 4096)
                if pos < count {
                    // Slack covers rounding in the products; only a strict margin proves exactness.
                    let bound = norms[order[pos]] * (1 + 1e-4)
                    if e.maxV > bound && e.minV < -bound { break }
                }
            }
            return e
        }

        for step in 0...steps {
            if let shouldStop, shouldStop() { return nil }
            let e = extremes()
            peaks.append(e.peak)
            if e.peak < bestPeak { bestPeak = e.peak; best = r; kept = step }
            if step == steps { break }
            let d = e.channel(select, width: n)
            chosen.append(d)
            composeStep(&r, base: base, channel: d, scratch: &scratch)
        }
        return Result(trace: GreedyTrace(block: block, chosen: chosen, peaks: peaks, kept: kept), rotation: best)
    }

    /// The full computation, step for step as the official code: every step multiplies the whole set of
    /// rows by the exchanged rotation and scans all of it. Slow; the yardstick for ``search``.
    public static func searchFull(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                                  block: Int) -> Result {
        let count = rows.count / n
        var work = Matrix(rows: count, cols: n, storage: rows)
        var chosen: [Int] = [], peaks: [Float] = []
        for step in 0...steps {
            var e = Extremes()
            for i in 0..<count { for j in 0..<n { e.see(work.storage[i * n + j], row: i, col: j) } }
            peaks.append(e.peak)
            if step == steps { break }
            let d = e.channel(select, width: n)
            chosen.append(d)
            work = work.multiplied(by: base.exchangingRowsAndColumns(0, d))
        }
        var kept = 0
        for (i, p) in peaks.enumerated() where p < peaks[kept] { kept = i }
        return Result(trace: GreedyTrace(block: block, chosen: chosen, peaks: peaks, kept: kept),
                      rotation: composed(base: base, chosen: Array(chosen.prefix(kept))))
    }

    /// The product of the exchanged rotations for `chosen` (the first steps of a trace).
    public static func composed(base: Matrix, chosen: [Int]) -> Matrix {
        var r = Matrix.identity(base.rows), scratch = Matrix(rows: base.rows, cols: base.rows)
        for d in chosen { composeStep(&r, base: base, channel: d, scratch: &scratch) }
        return r
    }
}

extension Matrix {
    /// Exchanges columns `i` and `j` in place.
    public mutating func swapColumns(_ i: Int, _ j: Int) {
        guard i != j else { return }
        for r in 0..<rows { storage.swapAt(r * cols + i, r * cols + j) }
    }
}
