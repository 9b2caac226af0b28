import DuQuantCompute

/// DuQuant calibrated over token shards: the same decisions, kept steps and transform as
/// ``DuQuant/calibrate(_:_:searchRows:retain:cancel:progress:)`` on all the tokens at once.
///
/// The driver holds the weight side (the smoothing scales need `W`) and makes every decision; the shards
/// (``DuQuantShardLink``) hold the rows. Per greedy step each shard reports its candidates for the largest
/// and smallest entry, the driver decides through ``GreedyDecider`` — the single-machine code — asking the
/// owning shard for exact values of near-ties, and every shard takes the step. Statistics are reduced by
/// max (smoothing's channel maxima, the screen's bound, the zigzag ranking's channel maxima), which is
/// exact in any order.
package enum DuQuantShards {
    /// One greedy search of a stage: the blocks it covers, their first channel, their width, and the trace's
    /// block number (−1: the shared rotation of every full block).
    package struct Search: Sendable {
        package var blocks: Range<Int>, start: Int, n: Int, block: Int
    }

    /// The stage's searches, as ``StageSearch`` runs them: one per block, or in the shared layout one for
    /// the full blocks and one for a last partial block.
    package static func searches(_ p: QuantParams, cols: Int) -> [Search] {
        let sizes = BlockRotation.partition(channels: cols, block: p.block)
        guard p.layout == .shared else {
            return sizes.indices.map { Search(blocks: 0..<1, start: $0 * p.block, n: sizes[$0], block: $0) }
        }
        let full = cols / p.block
        var out: [Search] = []
        if full > 0 { out.append(Search(blocks: 0..<full, start: 0, n: p.block, block: -1)) }
        if sizes.count > full { out.append(Search(blocks: 0..<1, start: full * p.block, n: sizes[full], block: full)) }
        return out
    }

    /// Whether two calibrations made the same decisions: chosen channels per step, kept steps, bases and
    /// transform (the peaks are screened values, not decisions).
    package static func sameDecisions(_ a: DuQuantCalibration, _ b: DuQuantCalibration) -> Bool {
        a.traces.map { $0.map(\.chosen) } == b.traces.map { $0.map(\.chosen) }
            && a.traces.map { $0.map(\.kept) } == b.traces.map { $0.map(\.kept) }
            && a.traces.map { $0.map(\.block) } == b.traces.map { $0.map(\.block) }
            && a.bases == b.bases && a.transform == b.transform && a.smoothed == b.smoothed
    }

    /// What the sharded calibration exchanged, for the driver's report.
    package struct Stats: Sendable {
        /// Greedy steps decided, and candidates and exact values the shards sent for them.
        package var steps = 0, candidates = 0, exactValues = 0

        /// Nothing exchanged yet.
        package init() {}
    }

    /// Calibrates with `p` over `shards` (their tokens in order, together all the layer's tokens) of an
    /// activation with `cols` channels; `weight` is needed for smoothing. Keeps the transform and traces
    /// only (``DuQuant/Retention/transform``). `onStep` sees every decided step (stage, search, step).
    package static func calibrate(weight: Matrix?, cols: Int, p: QuantParams, shards: [any DuQuantShardLink],
                                  stats: inout Stats,
                                  onStep: ((_ stage: Int, _ search: Int, _ step: Int) -> Void)? = nil) -> DuQuantCalibration {
        FlushToZero.run {
            BLAS.singleThreaded {
                run(weight: weight, cols: cols, p: p, shards: shards, stats: &stats, onStep: onStep)
            }
        }
    }

    static func run(weight: Matrix?, cols: Int, p: QuantParams, shards: [any DuQuantShardLink], stats: inout Stats,
                    onStep: ((Int, Int, Int) -> Void)?) -> DuQuantCalibration {
        precondition(!shards.isEmpty)
        var scales: [Float]? = nil
        if p.smooth, let w = weight {
            var ax = [Float](repeating: 0, count: cols)
            for s in shards { for (j, v) in s.channelMaxAbs().enumerated() where v > ax[j] { ax[j] = v } }
            scales = Smoothing.scales(xMax: ax, w: w, alpha: p.alpha)
        }
        for s in shards { s.begin(scales: scales) }
        let sizes = BlockRotation.partition(channels: cols, block: p.block)
        let searches = searches(p, cols: cols)
        var bound = 0.0
        var rotations: [BlockRotation] = [], permutations: [[Int]] = []
        var traces: [[GreedyTrace]] = [], allBases: [[Int: Matrix]] = []
        for stage in 0...p.permTimes {
            let bases = DuQuant.stageBases(p, sizes: sizes, stage: stage)
            for s in shards { s.beginStage(stage, bound: bound) }
            var found: [GreedyRotation.Result] = []
            for (si, search) in searches.enumerated() {
                for s in shards { s.beginSearch(si) }
                let perToken = search.blocks.count * search.n
                let owner: (Int) -> any DuQuantShardLink = { index in
                    let t = index / perToken
                    return shards.first { $0.tokens.contains(t) }!
                }
                var decider = GreedyDecider(n: search.n, steps: p.steps, select: p.select, patience: p.patience)
                for step in 0...p.steps {
                    var hi: [GreedyDecider.Item] = [], lo: [GreedyDecider.Item] = []
                    for s in shards { s.prefetchCandidates(step: step) }
                    for s in shards {
                        let c = s.candidates(step: step)
                        hi += c.max
                        lo += c.min
                    }
                    stats.candidates += hi.count + lo.count
                    stats.steps += 1
                    let next = decider.decide(step: step, maxItems: hi, minItems: lo) { index, k in
                        stats.exactValues += 1
                        return owner(index).exact(index: index, at: k)
                    }
                    onStep?(stage, si, step)
                    guard let d = next else { break }
                    for s in shards { s.advance(channel: d) }
                }
                var r = decider.result(block: search.block, base: bases[search.n]!.storage.map(Double.init))
                r.recomputed = decider.recomputed
                found.append(r)
            }
            // Per block, in channel order (in the shared layout the full blocks share the first search).
            let full = cols / p.block
            let results = p.layout == .shared
                ? (full > 0 ? [GreedyRotation.Result](repeating: found[0], count: full) : []) + (sizes.count > full ? [found.last!] : [])
                : found
            let kept = results.map { Array($0.trace.chosen.prefix($0.trace.kept)) }
            var next = 0.0
            for s in shards { next = Swift.max(next, s.endStage(kept: kept)) }
            bound = next
            rotations.append(BlockRotation(blockSizes: sizes, blocks: results.map(\.rotation)))
            traces.append(found.map(\.trace))
            allBases.append(bases)
            if stage < p.permTimes {
                var maxAbs = shards[0].screenChannelMax()
                for s in shards.dropFirst() { DuQuant.mergeChannelMax(&maxAbs, s.screenChannelMax()) }
                let (order, _) = DuQuant.zigzagRanking(maxAbs: maxAbs, bound: bound) { j, threshold in
                    shards.reduce(0.0) { Swift.max($0, $1.exactChannelMax(channel: j, threshold: threshold)) }
                }
                let perm = Zigzag.permutation(ranked: order, block: p.block)
                for s in shards { s.permute(perm) }
                permutations.append(perm)
            }
        }
        return DuQuantCalibration(params: p, stages: [:], traces: traces, bases: allBases, rotationInputs: [],
                                  transform: DuQuantTransform(smoothScales: scales, rotations: rotations,
                                                              permutations: permutations),
                                  smoothed: scales != nil)
    }
}
