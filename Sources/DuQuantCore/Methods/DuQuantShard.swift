import DuQuantCompute

/// One token shard of a sharded DuQuant calibration, in this process: its rows of the activation, their
/// screen and exact stages, and its side of the current greedy search.
///
/// It does what ``DuQuant/calibrate(_:_:searchRows:retain:cancel:progress:)`` does to all rows, to its own
/// rows only; its answers carry global indices, so the driver's decisions are the whole layer's.
package final class DuQuantShard: DuQuantShardLink {
    package let tokens: Range<Int>
    let p: QuantParams
    let input: Matrix
    let sizes: [Int]
    var exact: ExactStages
    var screen: [Double] = []
    var bound = 0.0
    var stage = 0
    var bases: [Int: Matrix] = [:]
    var bounds: [Int: GreedyRotation.BaseBounds] = [:]
    var search: GreedySearchState?
    var offset = 0
    var last: (row: Int, step: Int, values: [Double]) = (-1, -1, [])
    var finished: ExactStages.Stage?
    var slices: [Int: [Double]] = [:]

    /// The shard of `input` (its rows, tokens × channels) holding global tokens `tokens`.
    package init(input: Matrix, tokens: Range<Int>, params: QuantParams) {
        precondition(input.rows == tokens.count && input.rows > 0)
        self.input = input
        self.tokens = tokens
        p = params
        sizes = BlockRotation.partition(channels: input.cols, block: params.block)
        exact = ExactStages(input: input, scales: nil)
    }

    /// Runs `body` as a calibration runs its numerics (flush-to-zero, single-threaded BLAS): a worker wraps
    /// every request in it.
    package func withNumerics<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let r: Result<T, E> = FlushToZero.run { BLAS.singleThreaded { Result { () throws(E) -> T in try body() } } }
        return try r.get()
    }

    package func channelMaxAbs() -> [Float] { ChannelStats.maxAbs(input) }

    package func begin(scales: [Float]?) {
        exact = ExactStages(input: input, scales: scales)
        screen = DuQuant.smoothedScreen(input, scales)
    }

    package func beginStage(_ stage: Int, bound: Double) {
        self.stage = stage
        self.bound = bound
        bases = DuQuant.stageBases(p, sizes: sizes, stage: stage)
        bounds = [:]
        for (n, b) in bases { bounds[n] = GreedyRotation.BaseBounds(b) }
    }

    package func beginSearch(_ index: Int) {
        let s = DuQuantShards.searches(p, cols: input.cols)[index]
        let local = Array(0..<input.rows)
        let stageSearch = StageSearch(p: p, stage: stage, last: stage == p.permTimes, sizes: sizes, cols: input.cols,
                                      tokens: local, whole: true, bases: bases, bounds: bounds, bound: bound,
                                      exact: exact, rule: .exact, cancel: nil)
        let rows = StageSearch.rows(of: screen, tokens: local, cols: input.cols, blocks: s.blocks, start: s.start, n: s.n)
        let searched = stageSearch.input(rows, blocks: s.blocks, start: s.start, n: s.n)
        var state = GreedySearchState(input: searched, bounds: bounds[s.n]!, steps: p.steps)
        state.prepare()
        search = state
        offset = tokens.lowerBound * s.blocks.count * s.n
        last = (-1, -1, [])
    }

    package func candidates(step: Int) -> (max: [ShardCandidate], min: [ShardCandidate]) {
        let c = search!.candidates(step: step, threads: DuQuant.workers)
        let o = offset
        return (c.max.map { ($0.index + o, $0.value, $0.bound) }, c.min.map { ($0.index + o, $0.value, $0.bound) })
    }

    package func exact(index: Int, at step: Int) -> Double {
        search!.exactValue(index - offset, at: step, last: &last)
    }

    package func advance(channel: Int) { search!.advance(channel: channel, threads: DuQuant.workers) }

    package func endStage(kept: [[Int]]) -> Double {
        search = nil
        let baseD = sizes.map { bases[$0]!.storage.map(Double.init) }
        finished = ExactStages.Stage(sizes: sizes, steps: kept, bases: baseD, permutation: nil)
        slices = [:]
        guard stage < p.permTimes else { screen = []; return 0 }
        let results = sizes.indices.map { b in
            let rd = FixedOrder.composed(base: baseD[b], n: sizes[b], chosen: kept[b][...])
            return GreedyRotation.Result(trace: GreedyTrace(block: b, chosen: kept[b], peaks: [], kept: kept[b].count),
                                         rotation: .identity(sizes[b]), rotationD: rd, recomputed: 0)
        }
        return DuQuant.rotateScreen(&screen, rows: input.rows, sizes: sizes, results: results, bounds: bounds, bound: bound)
    }

    package func screenChannelMax() -> [Double] { DuQuant.channelMaxAbs(screen, rows: input.rows, cols: input.cols) }

    package func exactChannelMax(channel: Int, threshold: Double) -> Double {
        let f = finished!, block = p.block, count = sizes.count
        return DuQuant.exactChannelMax(screen, rows: input.rows, cols: input.cols, channel: channel,
                                       threshold: threshold) { t, j in
            // Only the block holding a channel is rotated to recompute it (cached per token and block).
            let b = j / block, start = b * block, n = f.sizes[b]
            if let s = slices[t * count + b] { return s[j - start] }
            let s = FixedOrder.greedySteps(Array(exact.row(stage: stage, token: t)[start..<(start + n)]),
                                           base: f.bases[b], chosen: f.steps[b])
            slices[t * count + b] = s
            return s[j - start]
        }
    }

    package func permute(_ perm: [Int]) {
        var f = finished!
        f.permutation = perm
        exact.append(f)
        DuQuant.gatherColumns(&screen, rows: input.rows, cols: input.cols, perm)
        slices = [:]
    }
}
