import Dispatch
#if canImport(Glibc)
import Glibc
#endif

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

/// The rows a greedy search screens, and how far they may lie from the exact rows its decisions use.
///
/// Rows of a first rotation are the smoothed activation itself (exact, bound 0). Rows of a later rotation
/// come from a BLAS product: `exactRow` recomputes one of them in ``FixedOrder``, and `bound` is the
/// largest difference of any screened entry from it.
public struct GreedyInput: Sendable {
    /// Screened rows, row-major, `count × width`.
    public var rows: [Double]
    /// Width of a row (the block size).
    public var width: Int
    /// Largest `|screened − exact|` of any entry.
    public var bound: Double
    /// The exact row `i`; nil when `rows` are exact.
    public var exactRow: (@Sendable (Int) -> [Double])?
    /// Whether the search may reuse `rows` as its working copy (screened rows the caller no longer needs,
    /// handed over with no other reference): one copy of the rows in memory instead of two.
    public var consumable = false

    /// Exact rows (a first rotation's input).
    public init(rows: [Float], width: Int) {
        self.rows = rows.map(Double.init)
        self.width = width
        self.bound = 0
        self.exactRow = nil
    }

    /// Exact rows in double.
    public init(exact rows: [Double], width: Int) {
        self.rows = rows
        self.width = width
        self.bound = 0
        self.exactRow = nil
    }

    /// Screened rows within `bound` of the rows `exactRow` computes.
    public init(screened: [Double], width: Int, bound: Double, exactRow: @escaping @Sendable (Int) -> [Double]) {
        self.rows = screened
        self.width = width
        self.bound = bound
        self.exactRow = exactRow
    }

    /// Number of rows.
    public var count: Int { width > 0 ? rows.count / width : 0 }

    /// The exact row `i`.
    func exact(_ i: Int) -> [Double] {
        exactRow?(i) ?? Array(rows[(i * width)..<((i + 1) * width)])
    }
}

/// DuQuant's greedy block rotation search over a set of rows of width `n`.
///
/// Each step finds the largest and smallest value of the current matrix, records the peak
/// `max − min`, picks channel `d` by the selection rule, exchanges rows and columns 0 and `d` of the
/// stage rotation `B` and multiplies the block by it, spreading channel `d` over every channel. The
/// kept prefix is the one with the lowest peak.
///
/// Every decision — the largest and smallest entry (first in row-major order on exact ties), the
/// selection rule `|max| > |min|`, the kept prefix (first minimum) — is made as on the exact values
/// (``ScreenedChoice``): the rows are rotated by double-precision BLAS, and the entries within the error
/// bound of an extreme are recomputed from the exact input row through the chosen steps in ``FixedOrder``.
/// The choices are therefore the same under every BLAS kernel and thread count.
///
/// The search is also lazy: a rotation keeps every row's L2 norm (up to the bound ``BaseBounds/growth``
/// per step), so rows are rotated in descending-norm order only until the extremes found dominate every
/// remaining row's norm. It chooses what the full computation (``searchFull``) chooses.
public enum GreedyRotation {
    /// The result of a search: the trace and the composed rotation of the kept prefix.
    public struct Result: Sendable {
        /// The channels chosen, the peaks seen and the prefix kept.
        public var trace: GreedyTrace
        /// The n × n orthogonal product of the kept prefix's exchanged stage rotations (identity when `kept` is 0).
        public var rotation: Matrix
        /// The same product in double precision (row-major), for the screens of later stages.
        public var rotationD: [Double]
        /// Entries recomputed exactly to decide near-ties, over the whole search.
        public var recomputed: Int
    }

    /// What a stage rotation `B` contributes to the error bounds.
    public struct BaseBounds: Sendable {
        /// `B` in double.
        public var base: [Double]
        /// A bound on `‖B‖₂` (the float `B` is orthogonal only to rounding): rows grow by at most this per step.
        public var growth: Double
        /// A bound on `‖ |B| ‖₂` and on `√n · max_j ‖B[:, j]‖₂` (the rounding a product adds, per unit norm).
        public var spread: Double

        /// The bounds of `b` (n × n), from `BᵀB − I` computed in ``FixedOrder``.
        public init(_ b: Matrix) {
            let n = b.rows
            base = b.storage.map(Double.init)
            var t = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { t[j * n + i] = base[i * n + j] } }
            let btb = FixedOrder.product(t, base, n: n)
            var off = 0.0, frob = 0.0, colMax = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let d = btb[i * n + j] - (i == j ? 1 : 0)
                    off += d * d
                }
                colMax = Swift.max(colMax, btb[i * n + i])
            }
            for v in base { frob += v * v }
            // ‖B‖₂² = λmax(BᵀB) ≤ 1 + ‖BᵀB − I‖_F, widened by the rounding of the computed BᵀB.
            let g = ScreenedChoice.gamma(n)
            growth = (1 + off.squareRoot() + 2 * Double(n) * g).squareRoot() * (1 + 1e-12)
            spread = Swift.max(frob.squareRoot(), (Double(n) * colMax).squareRoot()) * (1 + 1e-9)
        }
    }

    /// `R · swap(B, 0, d)` computed as column swaps around one double-precision product.
    static func composeStep(_ r: inout [Double], base: [Double], n: Int, channel d: Int, scratch: inout [Double]) {
        r.swapColumns(0, d, width: n)
        r.withUnsafeBufferPointer { a in
            base.withUnsafeBufferPointer { b in
                scratch.withUnsafeMutableBufferPointer { c in
                    BLAS.dgemm(m: n, n: n, k: n, a: a.baseAddress!, lda: n, b: b.baseAddress!, ldb: n,
                               c: c.baseAddress!, ldc: n)
                }
            }
        }
        swap(&r, &scratch)
        r.swapColumns(0, d, width: n)
    }

    /// ``search(_:base:steps:select:block:threads:patience:shouldStop:)`` on exact float rows.
    public static func search(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                              block: Int, threads: Int = 1, patience: Int = 0,
                              shouldStop: (() -> Bool)? = nil) -> Result? {
        search(GreedyInput(rows: rows, width: n), base: base, steps: steps, select: select, block: block,
               threads: threads, patience: patience, shouldStop: shouldStop)
    }

    /// The search over `input`, rotating only the rows that can hold the extremes.
    ///
    /// The candidate rows — the largest-norm prefix — are kept rotated, step by step as the official code
    /// does (`Y ← Y · swap(B, 0, d)`). The prefix grows (doubling) only while the extremes found do not
    /// dominate the next row's norm bound; new rows are rotated at once by the composed rotation.
    ///
    /// - Parameters:
    ///   - base: the stage rotation `B` (n × n).
    ///   - steps: number of greedy steps to try.
    ///   - threads: threads for the row products (1 when the caller parallelises over blocks).
    ///   - patience: if > 0, an approximation: stop after this many steps without a lower range (max − min).
    ///   - shouldStop: polled once per step; returning true abandons the search (result nil).
    public static func search(_ input: consuming GreedyInput, base: Matrix, steps: Int, select: Selection,
                              block: Int, threads: Int = 1, patience: Int = 0,
                              shouldStop: (() -> Bool)? = nil) -> Result? {
        search(input, base: base, steps: steps, select: select, block: block, threads: threads, patience: patience,
               rule: .exact, shouldStop: shouldStop)
    }

    /// The search under `rule` (``DecisionRule/screenOnly`` only for the bench's comparison); `bounds` are
    /// the base's, when the caller computed them once for several searches.
    package static func search(_ input: consuming GreedyInput, base: Matrix, bounds: BaseBounds? = nil, steps: Int,
                               select: Selection, block: Int, threads: Int = 1, patience: Int = 0, rule: DecisionRule,
                               shouldStop: (() -> Bool)? = nil) -> Result? {
        let n = input.width
        precondition(base.rows == n && base.cols == n && n > 0 && input.rows.count % n == 0)
        let count = input.count
        guard count > 0 else {
            var id = [Double](repeating: 0, count: n * n)
            for i in 0..<n { id[i * n + i] = 1 }
            return Result(trace: GreedyTrace(block: block, chosen: [], peaks: [0], kept: 0), rotation: .identity(n),
                          rotationD: id, recomputed: 0)
        }
        if let shouldStop, shouldStop() { return nil }
        var s = GreedySearchState(input: input, bounds: bounds ?? BaseBounds(base), steps: steps)
        s.rule = rule
        return s.run(select: select, block: block, threads: threads, patience: patience, shouldStop: shouldStop)
    }

    /// The full computation, step for step as the official code but on exact values: every step rotates
    /// every row in ``FixedOrder`` and scans all of it. Slow; the yardstick for ``search``, which must
    /// choose exactly what it chooses.
    public static func searchFull(rows: [Float], width n: Int, base: Matrix, steps: Int, select: Selection,
                                  block: Int) -> Result {
        let count = rows.count / n
        var work = rows.map(Double.init)
        let b = base.storage.map(Double.init)
        var scratch = [Double](repeating: 0, count: n)
        var chosen: [Int] = [], peaks: [Double] = []
        for step in 0...steps {
            var e = Extremes()
            work.withUnsafeBufferPointer { w in
                for i in 0..<count { _ = e.see(row: i, w.baseAddress! + i * n, n) }
            }
            peaks.append(e.peak)
            if step == steps { break }
            let d = Swift.abs(e.maxV) > Swift.abs(e.minV)
                ? (select == .paper ? e.maxCol : e.maxRow % n) : (select == .paper ? e.minCol : e.minRow % n)
            chosen.append(d)
            work.withUnsafeMutableBufferPointer { w in
                b.withUnsafeBufferPointer { pb in
                    scratch.withUnsafeMutableBufferPointer { sc in
                        for i in 0..<count {
                            FixedOrder.greedyStep(w.baseAddress! + i * n, base: pb.baseAddress!, n: n, channel: d,
                                                  scratch: sc.baseAddress!)
                        }
                    }
                }
            }
        }
        var kept = 0
        for (i, p) in peaks.enumerated() where p < peaks[kept] { kept = i }
        let rd = FixedOrder.composed(base: b, n: n, chosen: chosen.prefix(kept))
        return Result(trace: GreedyTrace(block: block, chosen: chosen, peaks: peaks.map { Float($0) }, kept: kept),
                      rotation: Matrix(rows: n, cols: n, storage: rd.map { Float($0) }), rotationD: rd, recomputed: 0)
    }

    /// The product of the exchanged rotations for `chosen` (the first steps of a trace).
    public static func composed(base: Matrix, chosen: [Int]) -> Matrix {
        let n = base.rows
        let r = FixedOrder.composed(base: base.storage.map(Double.init), n: n, chosen: chosen)
        return Matrix(rows: n, cols: n, storage: r.map { Float($0) })
    }
}

extension Matrix {
    /// Exchanges columns `i` and `j` in place.
    public mutating func swapColumns(_ i: Int, _ j: Int) {
        guard i != j else { return }
        for r in 0..<rows { storage.swapAt(r * cols + i, r * cols + j) }
    }
}

extension Array where Element == Double {
    /// Exchanges columns `i` and `j` of a row-major matrix of `width` columns, in place.
    mutating func swapColumns(_ i: Int, _ j: Int, width: Int) {
        guard i != j else { return }
        var r = 0
        while r < count {
            swapAt(r + i, r + j)
            r += width
        }
    }
}
