import Dispatch

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
    ///   - threads: threads for full passes over the rows (1 when the caller parallelises over blocks).
    ///   - shouldStop: polled once per step; returning true abandons the search (result nil).
    public static func search(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                              block: Int, threads: Int = 1, shouldStop: (() -> Bool)? = nil) -> Result? {
        precondition(base.rows == n && base.cols == n && n > 0 && rows.count % n == 0)
        let count = rows.count / n
        // Row norms (invariant under rotation) and the visiting order, largest first.
        var norms = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var s = 0.0
            for j in 0..<n { let v = Double(rows[i * n + j]); s += v * v }
            // Slack covers rounding in the products: only a strict margin proves exactness.
            norms[i] = Float(s.squareRoot()) * (1 + 1e-4) + Float.leastNormalMagnitude
        }
        let order = (0..<count).sorted { norms[$0] != norms[$1] ? norms[$0] > norms[$1] : $0 < $1 }
        let workers = Swift.max(1, Swift.min(threads, count / GreedyScan.tileRows))
        var r = Matrix.identity(n), best = r, scratch = Matrix(rows: n, cols: n)
        let buffers = UnsafeMutablePointer<Float>.allocate(capacity: 2 * workers * GreedyScan.tileRows * n)
        defer { buffers.deallocate() }
        var chosen: [Int] = [], peaks: [Float] = []
        var bestPeak = Float.infinity, kept = 0
        // Fraction of rows the previous step had to rotate: past a quarter, a plain full pass is cheaper.
        var lastFraction = 0.0

        func extremes(_ src: UnsafePointer<Float>, _ rp: UnsafePointer<Float>, _ ord: UnsafePointer<Int>) -> Extremes {
            let tileSize = GreedyScan.tileRows * n
            if lastFraction > 0.25 {
                lastFraction = 1
                if workers == 1 {
                    var e = Extremes()
                    GreedyScan.pass(src: src, n: n, r: rp, order: nil, first: 0, count: count, tile: buffers,
                                    gather: buffers + tileSize, into: &e)
                    return e
                }
                let parts = UnsafeMutableBufferPointer<Extremes>.allocate(capacity: workers)
                defer { parts.deallocate() }
                let per = (count + workers - 1) / workers
                let s = SharedPointer(src), r = SharedPointer(rp), b = SharedPointer(buffers)
                let out = SharedPointer(parts.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var e = Extremes()
                    let lo = w * per, hi = Swift.min(count, lo + per)
                    if lo < hi {
                        GreedyScan.pass(src: s.p, n: n, r: r.p, order: nil, first: lo, count: hi - lo,
                                        tile: b.p + 2 * w * tileSize, gather: b.p + (2 * w + 1) * tileSize, into: &e)
                    }
                    (out.p + w).initialize(to: e)
                }
                var e = parts[0]
                for w in 1..<workers { e.merge(parts[w]) }
                return e
            }
            var e = Extremes()
            var pos = 0, chunk = 16
            while pos < count {
                let take = Swift.min(chunk, count - pos)
                GreedyScan.pass(src: src, n: n, r: rp, order: ord, first: pos, count: take, tile: buffers,
                                gather: buffers + tileSize, into: &e)
                pos += take
                chunk = Swift.min(chunk * 2, 1024)
                if pos < count {
                    let bound = norms[ord[pos]]
                    if e.maxV > bound && e.minV < -bound { break }
                }
            }
            lastFraction = Double(pos) / Double(count)
            return e
        }

        for step in 0...steps {
            if let shouldStop, shouldStop() { return nil }
            let e = rows.withUnsafeBufferPointer { src in
                r.storage.withUnsafeBufferPointer { rp in
                    order.withUnsafeBufferPointer { ord in extremes(src.baseAddress!, rp.baseAddress!, ord.baseAddress!) }
                }
            }
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
            work.storage.withUnsafeBufferPointer { w in
                for i in 0..<count { e.see(row: i, w.baseAddress! + i * n, n) }
            }
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
