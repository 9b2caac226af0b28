/// The state of one lazy greedy search (``GreedyRotation/search(_:base:steps:select:block:threads:patience:shouldStop:)``):
/// the screened candidate rows, the error bound, the exact rows recomputed so far and the decisions.
struct GreedySearchState {
    /// One step's extremes: where they are (row-major index in the searched matrix), the value each
    /// decision used and that value's bound (0 once recomputed exactly).
    struct StepRecord {
        var maxIndex: Int, maxValue: Double, maxBound: Double
        var minIndex: Int, minValue: Double, minBound: Double
        var peak: Double { maxValue - minValue }
        var peakBound: Double { maxBound + minBound }
    }

    var input: GreedyInput
    let bounds: GreedyRotation.BaseBounds
    let n: Int, count: Int, steps: Int
    /// Upper bounds on the exact input rows' norms, the largest of them, and the visiting order.
    var norms: [Double], order: [Int]
    let gamma: Double

    /// The channels decided so far (the exact rows go through them).
    var chosen: [Int] = []
    /// Exact rows recomputed so far: row → (step it is rotated to, values).
    var exactRows: [Int: (step: Int, values: [Double])] = [:]
    var recomputed = 0
    var rule = DecisionRule.exact
    /// Checkpoints of the composed rotation (double, BLAS): (step, R_step), increasing steps.
    var checkpoints: [(step: Int, r: [Double])]

    /// The rotated candidate rows: `cur` holds rows `order[0..<m]`, rotated to the current step, each row's
    /// max and min at its position, their extremes `e`; `bd` is the stage rotation (exchanged per step).
    struct Scan {
        var cur: [Double] = [], rowMax: [Double] = [], rowMin: [Double] = []
        var m = 0
        var e = Extremes()
        var bd: [Double] = []
        var inPlace = false
    }
    var scan = Scan()

    init(input: GreedyInput, bounds: GreedyRotation.BaseBounds, steps: Int) {
        self.input = input
        self.bounds = bounds
        n = input.width
        count = input.count
        self.steps = steps
        gamma = ScreenedChoice.gamma(n)
        let rootN = Double(n).squareRoot()
        norms = (0..<count).map { i in
            var s = 0.0
            for j in 0..<input.width { let v = input.rows[i * input.width + j]; s += v * v }
            return s.squareRoot() * (1 + 4 * Double(input.width) * ScreenedChoice.unitRoundoff) + rootN * input.bound
        }
        let nm = norms
        order = (0..<count).sorted { nm[$0] != nm[$1] ? nm[$0] > nm[$1] : $0 < $1 }
        var id = [Double](repeating: 0, count: n * n)
        for i in 0..<n { id[i * n + i] = 1 }
        checkpoints = [(0, id)]
    }

    /// Growth of a row's norm over `k` steps (the float `B` is orthogonal only to rounding): `growth^(k+1)`.
    func growth(_ k: Int) -> Double {
        var g = 1.0
        for _ in 0..<(k + 1) { g *= bounds.growth }
        return g
    }

    /// The bound on `|screened − exact|` of any entry of row `i` after `k` steps, as `fixed + perNorm·‖row‖`:
    /// the input's bound carried through, plus the rounding of two chains of `k` products (BLAS's and
    /// ``FixedOrder``'s) and of the composed rotation that rows joining late are rotated by (√n more: its
    /// error is bounded row by row), each in proportion to the row's norm; and an underflow margin.
    struct StepBound {
        var fixed: Double, perNorm: Double, normGrowth: Double
    }

    /// The step's bound coefficients (``delta(_:_:)`` for every row from them).
    func stepBound(_ k: Int) -> StepBound {
        // Before the first step the rows are the input itself (times the identity, which is exact).
        let g = growth(k), rootN = Double(n).squareRoot()
        let chain = k > 0 ? Double(k + 1) * gamma * bounds.spread * (1 + rootN) : 0
        let fixed = input.bound > 0 || k > 0
            ? 2 * g * rootN * input.bound + 4 * Double(n * (k + 1)) * Double.leastNormalMagnitude : 0
        return StepBound(fixed: fixed, perNorm: 4 * g * chain,
                         normGrowth: g * (1 + Double(k + 1) * gamma * bounds.spread) * (1 + 1e-12))
    }

    /// The bound of row `i` (searched-matrix index) under the step's coefficients. A row that is exactly
    /// zero stays exactly zero in the screen and in the exact chain, so its bound is 0.
    @inline(__always)
    func delta(_ i: Int, _ b: StepBound) -> Double {
        norms[i] > 0 || input.bound > 0 ? b.fixed + b.perNorm * norms[i] : 0
    }

    /// A bound on every exact value of row `i` (its norm) under the step's coefficients.
    @inline(__always)
    func rowBound(_ i: Int, _ b: StepBound) -> Double { norms[i] * b.normGrowth }

    /// The exact row `r` after the first `k` chosen steps, recomputed in ``FixedOrder`` (kept and moved
    /// forward when `k` is at or after the step it holds, fresh otherwise).
    mutating func exactRow(_ r: Int, at k: Int) -> [Double] {
        var start: (step: Int, values: [Double])
        if let c = exactRows[r], c.step <= k { start = c } else { start = (0, input.exact(r)) }
        if start.step < k {
            start = (k, FixedOrder.greedySteps(start.values, base: bounds.base, chosen: chosen[start.step..<k]))
        }
        if (exactRows[r]?.step ?? -1) <= k { exactRows[r] = start }
        return start.values
    }

    /// The exact value at row-major index `index` after `k` steps.
    mutating func exactValue(_ index: Int, at k: Int) -> Double {
        recomputed += 1
        return exactRow(index / n, at: k)[index % n]
    }

    /// The composed rotation after `k` steps (double, through BLAS), from the nearest checkpoint.
    mutating func composed(upTo k: Int) -> [Double] {
        let cp = checkpoints.last { $0.step <= k }!
        var r = cp.r, scratch = [Double](repeating: 0, count: n * n)
        for d in chosen[cp.step..<k] { GreedyRotation.composeStep(&r, base: bounds.base, n: n, channel: d, scratch: &scratch) }
        if k > checkpoints.last!.step { checkpoints.append((k, r)) }
        return r
    }

    /// Puts the candidate rows in place: the input's rows themselves, in visiting order, when the caller gave
    /// them up (a screened input: exact rows come from elsewhere); else a buffer of their own, reserved whole
    /// but written only as rows join (after smoothing, the first search's bound leaves a few dozen rows of a
    /// layer's 100 000s).
    mutating func prepare() {
        let inPlace = input.consumable && input.exactRow != nil
        scan.inPlace = inPlace
        if inPlace {
            swap(&scan.cur, &input.rows)
            Self.permuteRows(&scan.cur, width: n, order: order)
        } else {
            scan.cur.reserveCapacity(count * n)
        }
        scan.rowMax = [Double](repeating: 0, count: count)
        scan.rowMin = scan.rowMax
        scan.bd = bounds.base
    }

    /// Step `step`'s candidates for the extremes (row-major indices in the searched matrix): every entry
    /// within its bound of the best, so that ``ScreenedChoice`` decides on them as on the exact values.
    /// Grows the rotated rows first until no row outside them can hold an exact extreme.
    mutating func candidates(step: Int, threads: Int) -> (max: [GreedyDecider.Item], min: [GreedyDecider.Item]) {
        // Every row's bound grows with its norm (or is 0): the first row's is the largest.
        let sb = stepBound(step)
        let deltaMax = delta(order[0], sb)
        let exact = deltaMax.isFinite && rule == .exact
        while scan.m < count
            && !(scan.e.maxV - deltaMax > rowBound(order[scan.m], sb) && scan.e.minV + deltaMax < -rowBound(order[scan.m], sb)) {
            let m = scan.m, grown = Swift.min(count, Swift.max(16, 2 * m))
            let r = composed(upTo: step)
            if !scan.inPlace {
                for i in m..<grown {
                    let src = order[i] * n
                    scan.cur.append(contentsOf: input.rows[src..<(src + n)])
                }
            }
            let part = rotateScan(rows: m..<grown, by: r, threads: threads)
            scan.e.merge(part)
            scan.m = grown
        }
        var maxItems: [GreedyDecider.Item] = [], minItems: [GreedyDecider.Item] = []
        let e = scan.e
        if exact {
            let hi = e.maxV - delta(e.maxRow, sb), lo = e.minV + delta(e.minRow, sb)
            scan.cur.withUnsafeBufferPointer { cur in
                for i in 0..<scan.m {
                    let d = delta(order[i], sb)
                    guard scan.rowMax[i] + d >= hi || scan.rowMin[i] - d <= lo else { continue }
                    let row = order[i] * n
                    if d == 0 {
                        // Exact as screened: only the row's first maximum and first minimum can win.
                        if scan.rowMax[i] >= hi, let j = (0..<n).first(where: { cur[i * n + $0] == scan.rowMax[i] }) {
                            maxItems.append((row + j, scan.rowMax[i], 0))
                        }
                        if scan.rowMin[i] <= lo, let j = (0..<n).first(where: { cur[i * n + $0] == scan.rowMin[i] }) {
                            minItems.append((row + j, scan.rowMin[i], 0))
                        }
                        continue
                    }
                    for j in 0..<n {
                        let v = cur[i * n + j]
                        if v + d >= hi { maxItems.append((row + j, v, d)) }
                        if v - d <= lo { minItems.append((row + j, v, d)) }
                    }
                }
            }
        }
        if maxItems.isEmpty && e.maxRow != Int.max { maxItems = [(e.maxRow * n + e.maxCol, e.maxV, 0)] }
        if minItems.isEmpty && e.minRow != Int.max { minItems = [(e.minRow * n + e.minCol, e.minV, 0)] }
        return (maxItems, minItems)
    }

    /// Takes the decided step: channel `d` joins ``chosen`` and the candidate rows are rotated by
    /// `swap(B, 0, d)`, their new extremes found in the same pass.
    mutating func advance(channel d: Int, threads: Int) {
        chosen.append(d)
        // The step's rotation swap(B, 0, d): exchanged in place and back, no copy of B per step.
        scan.bd.swapColumns(0, d, width: n)
        scan.bd.swapRows(0, d, width: n)
        scan.e = rotateScan(rows: 0..<scan.m, by: scan.bd, threads: threads)
        scan.bd.swapColumns(0, d, width: n)
        scan.bd.swapRows(0, d, width: n)
    }

    /// The exact value at row-major index `index` after `k` steps, fetched once per run of a row's entries
    /// (candidates come row by row) through `last`.
    mutating func exactValue(_ index: Int, at k: Int, last: inout (row: Int, step: Int, values: [Double])) -> Double {
        if last.row != index / n || last.step != k { last = (index / n, k, exactRow(index / n, at: k)) }
        return last.values[index % n]
    }

    mutating func run(select: Selection, block: Int, threads: Int, patience: Int,
                      shouldStop: (() -> Bool)?) -> GreedyRotation.Result? {
        prepare()
        var decider = GreedyDecider(n: n, steps: steps, select: select, patience: patience)
        var last: (row: Int, step: Int, values: [Double]) = (-1, -1, [])
        for step in 0...steps {
            if let shouldStop, shouldStop() { return nil }
            let (maxItems, minItems) = candidates(step: step, threads: threads)
            let next = decider.decide(step: step, maxItems: maxItems, minItems: minItems) { index, k in
                exactValue(index, at: k, last: &last)
            }
            guard let d = next else { break }
            advance(channel: d, threads: threads)
        }
        var result = decider.result(block: block, base: bounds.base)
        result.recomputed = decider.recomputed
        recomputed = decider.recomputed
        return result
    }
}

extension GreedySearchState {
    /// Rotates candidate rows `rows` of `cur` in place by `r` (n × n, double) and returns their extremes,
    /// each row's max and min written to `rowMax`/`rowMin` at its position.
    /// Rotates candidate rows `rows` of the scan in place by `r` (``rotate(_:rows:by:rowMax:rowMin:threads:)``).
    /// The scan's arrays are moved out for the call and back: passed `inout` while `self` is read, they would
    /// be copied whole (the rows: twice the input) at every step.
    mutating func rotateScan(rows: Range<Int>, by r: [Double], threads: Int) -> Extremes {
        var cur: [Double] = [], rowMax: [Double] = [], rowMin: [Double] = []
        swap(&cur, &scan.cur)
        swap(&rowMax, &scan.rowMax)
        swap(&rowMin, &scan.rowMin)
        defer {
            swap(&cur, &scan.cur)
            swap(&rowMax, &scan.rowMax)
            swap(&rowMin, &scan.rowMin)
        }
        return rotate(&cur, rows: rows, by: r, rowMax: &rowMax, rowMin: &rowMin, threads: threads)
    }

    func rotate(_ cur: inout [Double], rows: Range<Int>, by r: [Double], rowMax: inout [Double], rowMin: inout [Double],
                threads: Int) -> Extremes {
        guard !rows.isEmpty else { return Extremes() }
        let n = self.n, lo = rows.lowerBound
        return cur.withUnsafeMutableBufferPointer { a in
            r.withUnsafeBufferPointer { b in
                order.withUnsafeBufferPointer { ids in
                    rowMax.withUnsafeMutableBufferPointer { rx in
                        rowMin.withUnsafeMutableBufferPointer { rn in
                            GreedyScan.multiplyScanParallel(rows: a.baseAddress! + lo * n, count: rows.count, n: n,
                                                            b: b.baseAddress!, ids: ids.baseAddress! + lo,
                                                            rowMax: rx.baseAddress! + lo, rowMin: rn.baseAddress! + lo,
                                                            workers: threads)
                        }
                    }
                }
            }
        }
    }

    /// Puts the rows of `m` (row-major, `width` columns) in `order` in place: row `i` becomes the old row
    /// `order[i]`, following the permutation's cycles with one row of scratch.
    static func permuteRows(_ m: inout [Double], width n: Int, order: [Int]) {
        var done = [Bool](repeating: false, count: order.count)
        var held = [Double](repeating: 0, count: n)
        m.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            for start in order.indices where !done[start] {
                done[start] = true
                guard order[start] != start else { continue }
                for j in 0..<n { held[j] = base[start * n + j] }
                var i = start
                while order[i] != start {
                    let from = order[i]
                    (base + i * n).update(from: base + from * n, count: n)
                    done[from] = true
                    i = from
                }
                for j in 0..<n { base[i * n + j] = held[j] }
            }
        }
    }
}

extension Array where Element == Double {
    /// Exchanges rows `i` and `j` of a row-major matrix of `width` columns, in place.
    mutating func swapRows(_ i: Int, _ j: Int, width: Int) {
        guard i != j else { return }
        for c in 0..<width { swapAt(i * width + c, j * width + c) }
    }
}
