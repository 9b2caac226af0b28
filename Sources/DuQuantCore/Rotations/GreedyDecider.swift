/// The decisions of one greedy search, made from each step's candidates: the step's largest and smallest
/// entry, the kept prefix and the selection rule, all through ``ScreenedChoice``.
///
/// One implementation for one machine and for many: ``GreedySearchState`` feeds it the candidates of all
/// its rows; a sharded search (``DuQuantShards``) feeds it the union of every token shard's candidates,
/// each shard's within the bound of its own best. The union holds every candidate of the whole matrix
/// (a shard's best is at most the whole's, so its band is wider), and an entry outside the whole's band
/// never enters ``ScreenedChoice``'s band either: the choice is the same. Indices are row-major in the
/// searched matrix, so the tie rule (lowest index) is the same too.
///
/// ```swift
/// var d = GreedyDecider(n: 128, steps: 256, select: .paper, patience: 0)
/// while let channel = d.decide(step: d.records.count, maxItems: hi, minItems: lo, exact: exactValue) { … }
/// ```
struct GreedyDecider {
    /// A candidate: row-major index in the searched matrix, screened value, bound on `|screened − exact|`.
    typealias Item = (index: Int, value: Double, bound: Double)

    let n: Int, steps: Int, select: Selection, patience: Int
    /// One record per step decided: its extremes and their values.
    var records: [GreedySearchState.StepRecord] = []
    /// Channels chosen so far.
    var chosen: [Int] = []
    /// The kept prefix so far: the first step with the lowest exact peak.
    var kept = 0
    /// Entries recomputed to decide.
    var recomputed = 0

    init(n: Int, steps: Int, select: Selection, patience: Int) {
        self.n = n
        self.steps = steps
        self.select = select
        self.patience = patience
    }

    /// Decides step `step` (the next one) from its candidates; `exact(index, k)` is the exact value at
    /// `index` after the first `k` chosen steps. Returns the channel the step moves, or nil when the search
    /// ends here (the last step, or `patience` steps without a lower peak).
    mutating func decide(step: Int, maxItems: [Item], minItems: [Item], exact: (Int, Int) -> Double) -> Int? {
        precondition(step == records.count)
        let hiChoice = ScreenedChoice.largest(maxItems) { exact($0, step) }
        let loChoice = ScreenedChoice.smallest(minItems) { exact($0, step) }
        recomputed += hiChoice.recomputed + loChoice.recomputed
        records.append(GreedySearchState.StepRecord(
            maxIndex: hiChoice.index, maxValue: hiChoice.exact ?? hiChoice.screened,
            maxBound: hiChoice.exact == nil ? hiChoice.bound : 0,
            minIndex: loChoice.index, minValue: loChoice.exact ?? loChoice.screened,
            minBound: loChoice.exact == nil ? loChoice.bound : 0))
        // The kept prefix: the first step with the lowest exact peak.
        if step > 0 {
            let r = records[step], b = records[kept], k = kept
            let lower = ScreenedChoice.less(r.peak, bound: r.peakBound, b.peak, bound: b.peakBound,
                                            exactA: { makeExact(step, exact); return records[step].peak },
                                            exactB: { makeExact(k, exact); return records[k].peak })
            if lower.less { kept = step }
        }
        if step == steps || (patience > 0 && step - kept >= patience) { return nil }
        // The selection rule: the larger magnitude (the reference compares |max| > |min|; a tie takes min).
        let r = records[step]
        let useMax = ScreenedChoice.less(Swift.abs(r.minValue), bound: r.minBound,
                                         Swift.abs(r.maxValue), bound: r.maxBound,
                                         exactA: { makeExact(step, exact); return Swift.abs(records[step].minValue) },
                                         exactB: { makeExact(step, exact); return Swift.abs(records[step].maxValue) }).less
        let index = useMax ? records[step].maxIndex : records[step].minIndex
        let d = select == .paper ? index % n : (index / n) % n
        chosen.append(d)
        return d
    }

    /// Makes step `t`'s record exact (both extremes recomputed).
    mutating func makeExact(_ t: Int, _ exact: (Int, Int) -> Double) {
        if records[t].maxBound > 0 {
            records[t].maxValue = exact(records[t].maxIndex, t)
            records[t].maxBound = 0
            recomputed += 1
        }
        if records[t].minBound > 0 {
            records[t].minValue = exact(records[t].minIndex, t)
            records[t].minBound = 0
            recomputed += 1
        }
    }

    /// The search's result: the trace and the kept rotation, composed in fixed order (it is applied and
    /// exported, so its bits must not depend on BLAS).
    func result(block: Int, base: [Double]) -> GreedyRotation.Result {
        let rd = FixedOrder.composed(base: base, n: n, chosen: chosen[0..<kept])
        let trace = GreedyTrace(block: block, chosen: chosen, peaks: records.map { Float($0.peak) }, kept: kept)
        return GreedyRotation.Result(trace: trace, rotation: Matrix(rows: n, cols: n, storage: rd.map { Float($0) }),
                                     rotationD: rd, recomputed: recomputed)
    }
}
