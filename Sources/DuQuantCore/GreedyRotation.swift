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

    /// Memberwise; a search records `chosen.count + 1` peaks and `kept` ≤ `chosen.count`.
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
        /// The channels chosen, the peaks seen and the prefix kept.
        public var trace: GreedyTrace
        /// The n × n orthogonal product of the kept prefix's exchanged stage rotations (identity when `kept` is 0).
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

    /// Exact search over `rows` (row-major, `rows.count / n` rows of width `n`) that rotates only the rows
    /// that can hold the extremes.
    ///
    /// The candidate rows — the largest-norm prefix — are kept rotated, step by step as the official code
    /// does (`Y ← Y · swap(B, 0, d)`). The prefix grows (doubling) only while the extremes found do not
    /// dominate the next row's norm; new rows are rotated at once by the composed rotation, which is
    /// therefore built only when the prefix grows and, once, for the kept prefix at the end.
    ///
    /// - Parameters:
    ///   - base: the stage rotation `B` (n × n).
    ///   - steps: number of greedy steps to try.
    ///   - threads: threads for the row products (1 when the caller parallelises over blocks).
    ///   - patience: if > 0, an approximation: stop after this many steps without a lower peak.
    ///   - shouldStop: polled once per step; returning true abandons the search (result nil).
    public static func search(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                              block: Int, threads: Int = 1, patience: Int = 0,
                              shouldStop: (() -> Bool)? = nil) -> Result? {
        precondition(base.rows == n && base.cols == n && n > 0 && rows.count % n == 0)
        let count = rows.count / n
        guard count > 0 else {
            return Result(trace: GreedyTrace(block: block, chosen: [], peaks: [0], kept: 0), rotation: .identity(n))
        }
        // Row norms (invariant under rotation) and the visiting order, largest first. The slack covers
        // rounding in the products: only a strict margin proves that a row cannot hold an extreme.
        var norms = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var s = 0.0
            for j in 0..<n { let v = Double(rows[i * n + j]); s += v * v }
            norms[i] = Float(s.squareRoot()) * (1 + 1e-4) + Float.leastNormalMagnitude
        }
        let order = (0..<count).sorted { norms[$0] != norms[$1] ? norms[$0] > norms[$1] : $0 < $1 }
        // Checkpoints of the composed rotation: (step, R_step), increasing steps.
        var checkpoints: [(step: Int, r: Matrix)] = [(0, .identity(n))]
        var chosen: [Int] = [], peaks: [Float] = []
        var bestPeak = Float.infinity, kept = 0
        var scratch = Matrix(rows: n, cols: n)

        func composed(upTo k: Int) -> Matrix {
            let cp = checkpoints.last { $0.step <= k }!
            var r = cp.r
            for d in chosen[cp.step..<k] { composeStep(&r, base: base, channel: d, scratch: &scratch) }
            if k > checkpoints.last!.step { checkpoints.append((k, r)) }
            return r
        }

        var cur = [Float](repeating: 0, count: count * n), next = cur
        var m = 0  // candidate rows: cur holds rows order[0..<m], rotated to the current step
        var e = Extremes()
        // The step's rotation swap(B, 0, d): exchanged in place and back, no copy of B per step.
        var bd = base
        for step in 0...steps {
            if let shouldStop, shouldStop() { return nil }
            // Grow the candidates until no row outside them can beat the extremes.
            while m < count && !(e.maxV > norms[order[m]] && e.minV < -norms[order[m]]) {
                let grown = Swift.min(count, Swift.max(16, 2 * m))
                let r = composed(upTo: step)
                for i in m..<grown {
                    let src = order[i] * n
                    for j in 0..<n { next[i * n + j] = rows[src + j] }
                }
                let part = next.withUnsafeBufferPointer { a in
                    r.storage.withUnsafeBufferPointer { b in
                        cur.withUnsafeMutableBufferPointer { c in
                            order.withUnsafeBufferPointer { ids in
                                GreedyScan.multiplyScanParallel(a: a.baseAddress! + m * n, rows: grown - m, n: n,
                                                                b: b.baseAddress!, c: c.baseAddress! + m * n,
                                                                ids: ids.baseAddress! + m, workers: threads)
                            }
                        }
                    }
                }
                e.merge(part)
                m = grown
            }
            peaks.append(e.peak)
            if e.peak < bestPeak { bestPeak = e.peak; kept = step }
            if step == steps || (patience > 0 && step - kept >= patience) { break }
            let d = e.channel(select, width: n)
            chosen.append(d)
            // Rotate the candidates by swap(B, 0, d) and find the new extremes in the same pass.
            bd.exchangeRowsAndColumns(0, d)
            defer { bd.exchangeRowsAndColumns(0, d) }
            e = cur.withUnsafeBufferPointer { a in
                bd.storage.withUnsafeBufferPointer { b in
                    next.withUnsafeMutableBufferPointer { c in
                        order.withUnsafeBufferPointer { ids in
                            GreedyScan.multiplyScanParallel(a: a.baseAddress!, rows: m, n: n, b: b.baseAddress!,
                                                            c: c.baseAddress!, ids: ids.baseAddress!, workers: threads)
                        }
                    }
                }
            }
            swap(&cur, &next)
        }
        return Result(trace: GreedyTrace(block: block, chosen: chosen, peaks: peaks, kept: kept),
                      rotation: composed(upTo: kept))
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
