/// The exact values DuQuant's decisions are made on, and the double-precision screen that stands in for
/// them (``ScreenedChoice``).
///
/// The input of rotation stage 0 is the smoothed activation `X/s` itself. The input of stage `s + 1` is,
/// exactly, the input of stage `s` with each block rotated through its kept greedy steps in
/// ``FixedOrder`` and the channels permuted; its screen is the same through double-precision BLAS with
/// the composed rotations, and ``bounds`` holds how far the two may be apart, entry by entry.
final class ExactStages: Sendable {
    /// One finished rotation stage: the rotation of each block as steps, and the permutation after it.
    struct Stage: Sendable {
        /// Block sizes in channel order.
        var sizes: [Int]
        /// The kept steps of each block's search (chosen channels of the kept prefix).
        var steps: [[Int]]
        /// The stage rotation `B` (double) of each block.
        var bases: [[Double]]
        /// The permutation after the stage (`out[:, i] = x[:, perm[i]]`), nil after the last.
        var permutation: [Int]?
    }

    /// The activation, tokens × channels; rotation stage 0's input is `input / scales` (smoothed), computed
    /// row by row as it is needed.
    let input: Matrix
    let scales: [Float]?
    private let stages: Locked<[Stage]>
    private let rows: Locked<[Int: (stage: Int, values: [Double])]>

    /// Bytes of exact rows kept for reuse (at least 16 rows are).
    static let cacheBytes = 16 << 20
    /// Rows kept for reuse.
    var cachedRows: Int { Swift.max(16, Self.cacheBytes / Swift.max(1, 8 * input.cols)) }

    init(input: Matrix, scales: [Float]?) {
        self.input = input
        self.scales = scales
        stages = Locked([])
        rows = Locked([:])
    }

    /// Records a finished stage; later stages' exact rows go through it.
    func append(_ stage: Stage) { stages.withLock { $0.append(stage) } }

    /// The exact input row of rotation stage `s` for token `t` (all channels).
    func row(stage s: Int, token t: Int) -> [Double] {
        let done = stages.withLock { $0 }
        precondition(s <= done.count)
        var start: (stage: Int, values: [Double]) = (0, (0..<input.cols).map { j in
            Double(scales.map { input[t, j] / $0[j] } ?? input[t, j])
        })
        if let c = rows.withLock({ $0[t] }), c.stage <= s { start = c }
        var y = start.values
        for k in start.stage..<s {
            let st = done[k]
            var offset = 0
            for (b, n) in st.sizes.enumerated() {
                let slice = FixedOrder.greedySteps(Array(y[offset..<(offset + n)]), base: st.bases[b], chosen: st.steps[b])
                y.replaceSubrange(offset..<(offset + n), with: slice)
                offset += n
            }
            if let perm = st.permutation { y = perm.map { y[$0] } }
        }
        let value = y, limit = cachedRows
        rows.withLock { cache in
            guard (cache[t]?.stage ?? -1) < s else { return }
            // Bounded: the cache only saves work, and whole rows of a wide layer add up (11008 channels:
            // 86 KB a token) when the searches of many blocks recompute many tokens.
            if cache[t] == nil && cache.count >= limit { cache.remove(at: cache.startIndex) }
            cache[t] = (s, value)
        }
        return value
    }
}

extension GreedyRotation {
    /// A bound on `|screen − exact|` of any entry of a row of norm at most `norm` rotated by `steps` steps of
    /// a base with `bounds`: the composed rotation through BLAS in double (bounded row by row, hence √n),
    /// the product by it, and the exact chain in ``FixedOrder``; doubled for the second-order terms left out.
    static func chainBound(steps k: Int, width n: Int, bounds: BaseBounds, norm: Double) -> Double {
        var g = 1.0
        for _ in 0..<(k + 1) { g *= bounds.growth }
        let rootN = Double(n).squareRoot()
        guard norm > 0 else { return 0 }  // a zero row stays exactly zero
        return 4 * g * Double(k + 2) * ScreenedChoice.gamma(n) * bounds.spread * (1 + rootN) * norm
            + 4 * Double(n * (k + 1)) * Double.leastNormalMagnitude
    }
}

/// What the exact decisions of one calibration cost: steps decided, entries recomputed in the greedy
/// searches, channels recomputed in the zigzag rankings.
public struct ScreenStats: Sendable, Equatable {
    /// Greedy steps decided (every search's steps + 1, summed).
    public var steps = 0
    /// Entries recomputed exactly to decide the searches' near-ties.
    public var recomputed = 0
    /// Channel maxima recomputed exactly to rank the zigzag permutations.
    public var rankingRecomputed = 0

    /// No steps yet.
    public init() {}
}

extension DuQuant {
    /// Rotates the screen (tokens × channels, double) block by block by each search's composed rotation
    /// through BLAS, in place; returns the new bound on `|screen − exact|` of any entry: the old bound
    /// carried through the rotation (√n·bound·‖R‖₂ per entry) plus the rotation's own (``GreedyRotation/chainBound``).
    static func rotateScreen(_ screen: inout [Double], rows: Int, sizes: [Int], results: [GreedyRotation.Result],
                             bounds boundsBySize: [Int: GreedyRotation.BaseBounds], bound: Double) -> Double {
        let cols = sizes.reduce(0, +)
        var newBound = 0.0
        var start = 0
        for (b, n) in sizes.enumerated() {
            let bb = boundsBySize[n]!
            var slice = [Double](repeating: 0, count: rows * n), out = slice
            var norm = 0.0
            for t in 0..<rows {
                var s = 0.0
                for j in 0..<n { let v = screen[t * cols + start + j]; slice[t * n + j] = v; s += v * v }
                norm = Swift.max(norm, s)
            }
            norm = norm.squareRoot() * (1 + 4 * Double(n) * ScreenedChoice.unitRoundoff) + Double(n).squareRoot() * bound
            slice.withUnsafeBufferPointer { a in
                results[b].rotationD.withUnsafeBufferPointer { r in
                    out.withUnsafeMutableBufferPointer { c in
                        BLAS.dgemm(m: rows, n: n, k: n, a: a.baseAddress!, lda: n, b: r.baseAddress!, ldb: n,
                                   c: c.baseAddress!, ldc: n)
                    }
                }
            }
            for t in 0..<rows { for j in 0..<n { screen[t * cols + start + j] = out[t * n + j] } }
            let k = results[b].trace.kept
            var g = 1.0
            for _ in 0..<(k + 1) { g *= bb.growth }
            newBound = Swift.max(newBound, Double(n).squareRoot() * bound * g * (1 + 1e-9)
                                 + GreedyRotation.chainBound(steps: k, width: n, bounds: bb, norm: norm))
            start += n
        }
        return newBound
    }

    /// Channels ranked by their exact max |x| (largest first, ties by channel), for the zigzag
    /// permutation: screened maxima of `screen` within `bound`, and the near-tied ones recomputed from
    /// `exactValue(token, channel)` of the tokens that may hold them.
    static func zigzagRanking(_ screen: [Double], rows: Int, cols: Int, bound: Double,
                              exactValue: (_ token: Int, _ channel: Int) -> Double) -> (order: [Int], recomputed: Int) {
        zigzagRanking(maxAbs: channelMaxAbs(screen, rows: rows, cols: cols), bound: bound) { j, threshold in
            exactChannelMax(screen, rows: rows, cols: cols, channel: j, threshold: threshold, exactValue: exactValue)
        }
    }

    /// The ranking from the screened channel maxima `maxAbs` (of all tokens) within `bound`: a near-tied
    /// channel `j` is recomputed as `exactMax(j, threshold)`, the largest exact |x| of the tokens whose
    /// screened |x| is at least `threshold` (no other token can hold the maximum). A sharded calibration
    /// reduces both by max over the shards (``DuQuantShards``).
    static func zigzagRanking(maxAbs: [Double], bound: Double,
                              exactMax: (_ channel: Int, _ threshold: Double) -> Double) -> (order: [Int], recomputed: Int) {
        guard bound.isFinite, maxAbs.allSatisfy({ $0.isFinite }) else {  // also the bench's screen-only rule
            return (ScreenedChoice.ranking(maxAbs, bound: 0) { maxAbs[$0] }.order, 0)
        }
        return ScreenedChoice.ranking(maxAbs, bound: bound) { j in exactMax(j, maxAbs[j] - 2 * bound) }
    }

    /// Each channel's screened max |x| over the rows of `screen` (a NaN stays).
    static func channelMaxAbs(_ screen: [Double], rows: Int, cols: Int) -> [Double] {
        var maxAbs = [Double](repeating: 0, count: cols)
        for t in 0..<rows {
            for j in 0..<cols {
                let v = Swift.abs(screen[t * cols + j])
                if v > maxAbs[j] || v.isNaN { maxAbs[j] = v }
            }
        }
        return maxAbs
    }

    /// Folds channel maxima `part` into `into` as ``channelMaxAbs(_:rows:cols:)`` folds rows.
    static func mergeChannelMax(_ into: inout [Double], _ part: [Double]) {
        for j in into.indices where part[j] > into[j] || part[j].isNaN { into[j] = part[j] }
    }

    /// The largest exact |x| of channel `j` over the rows whose screened |x| is at least `threshold` (0 if none).
    static func exactChannelMax(_ screen: [Double], rows: Int, cols: Int, channel j: Int, threshold: Double,
                                exactValue: (_ token: Int, _ channel: Int) -> Double) -> Double {
        var best = 0.0
        for t in 0..<rows where Swift.abs(screen[t * cols + j]) >= threshold {
            best = Swift.max(best, Swift.abs(exactValue(t, j)))
        }
        return best
    }

    /// Puts the columns of a row-major double matrix in the order `perm`, in place (one row of scratch).
    static func gatherColumns(_ m: inout [Double], rows: Int, cols: Int, _ perm: [Int]) {
        precondition(perm.count == cols)
        var row = [Double](repeating: 0, count: cols)
        m.withUnsafeMutableBufferPointer { p in
            for t in 0..<rows {
                let base = p.baseAddress! + t * cols
                for (i, j) in perm.enumerated() { row[i] = base[j] }
                base.update(from: row, count: cols)
            }
        }
    }
}
