/// The greedy searches of one rotation stage of a calibration, on the stage's screened input.
///
/// It builds each search's rows from the screen without copying the screen when it need not: in the shared
/// layout with every token searched and every block full, the screen *is* the searched matrix
/// ((tokens·blocks) × block, row-major) and is passed as it is; at the last stage, which nothing reads after,
/// the screen is handed over to the search to rotate in place (``GreedyInput/consumable``).
struct StageSearch {
    let p: QuantParams
    /// Index of the rotation stage (0: the first; its input is exact).
    let stage: Int
    /// Whether this is the last rotation stage (its screen is not needed afterwards).
    let last: Bool
    let sizes: [Int]
    let cols: Int
    /// The tokens searched (all of them unless previewing).
    let tokens: [Int]
    /// Whether every token is searched.
    let whole: Bool
    let bases: [Int: Matrix]
    let bounds: [Int: GreedyRotation.BaseBounds]
    /// The bound on |screen − exact| of the stage's input.
    let bound: Double
    let exact: ExactStages
    let rule: DecisionRule
    let cancel: CancelToken?

    /// The stage's search results, one per block (in the shared layout the full blocks share one); nil if
    /// cancelled. At the last stage `screen` may be left empty.
    func run(_ screen: inout [Double], done: inout Double, total: Double,
             progress: (@Sendable (Double) -> Void)?) -> [GreedyRotation.Result]? {
        let stop: @Sendable () -> Bool = { [cancel] in cancel?.isCancelled ?? false }
        guard p.layout == .shared else {
            let snapshot = screen, base = done
            let make: [@Sendable () -> GreedyInput] = sizes.indices.map { k in
                { [self] in input(Self.rows(of: snapshot, tokens: tokens, cols: cols, blocks: 0..<1, start: k * p.block, n: sizes[k]),
                                  blocks: 0..<1, start: k * p.block, n: sizes[k]) }
            }
            guard let found = DuQuant.searchBlocks(make, sizes: sizes, p: p, bases: bases, bounds: bounds, rule: rule,
                                                   keepDouble: !last, cancel: cancel, progress: { k in progress?((base + k) / total) })
            else { return nil }
            done += Double(sizes.count)
            return found
        }
        var results: [GreedyRotation.Result] = []
        let full = cols / p.block
        if full > 0 {
            // One search covers every block here: report each greedy step, or the progress bar would stand
            // still for the whole stage.
            var step = 0
            let before = done, steps = p.steps
            let stepped: () -> Bool = {
                step += 1
                if steps > 0 { progress?((before + Swift.min(1, Double(step) / Double(steps))) / total) }
                return stop()
            }
            var rows: [Double] = []
            if whole && full * p.block == cols {
                if last { swap(&rows, &screen) } else { rows = screen }
            } else {
                rows = Self.rows(of: screen, tokens: tokens, cols: cols, blocks: 0..<full, start: 0, n: p.block)
            }
            let searched = input(consume rows, blocks: 0..<full, start: 0, n: p.block)
            guard let r = GreedyRotation.search(consume searched, base: bases[p.block]!, bounds: bounds[p.block], steps: p.steps,
                                                select: p.select, block: -1, threads: DuQuant.workers, patience: p.patience,
                                                rule: rule, shouldStop: stepped) else { return nil }
            results = [GreedyRotation.Result](repeating: r, count: full)
            done += 1
            progress?(done / total)
        }
        if sizes.count > full {
            let n = sizes[full]
            let searched = input(Self.rows(of: screen, tokens: tokens, cols: cols, blocks: 0..<1, start: full * p.block, n: n),
                                 blocks: 0..<1, start: full * p.block, n: n)
            guard var r = GreedyRotation.search(consume searched, base: bases[n]!, bounds: bounds[n], steps: p.steps, select: p.select,
                                                block: full, patience: p.patience, rule: rule, shouldStop: stop) else { return nil }
            r.trace.block = full
            results.append(r)
            done += 1
            progress?(done / total)
        }
        return results
    }

    /// The search input over `rows` (blocks `blocks` of width `n` from channel `start`, token-major): exact at
    /// the first stage, else screened, with its exact rows recomputed through ``ExactStages``; the last
    /// stage's rows are the search's to rotate in place.
    func input(_ rows: consuming [Double], blocks: Range<Int>, start: Int, n: Int) -> GreedyInput {
        if stage == 0 { return GreedyInput(exact: rows, width: n) }
        let k = blocks.count, toks = tokens, exact = self.exact, s = stage
        var input = GreedyInput(screened: rows, width: n, bound: bound) { i in
            let from = start + blocks[blocks.startIndex + i % k] * n
            return Array(exact.row(stage: s, token: toks[i / k])[from..<(from + n)])
        }
        input.consumable = last
        return input
    }

    /// The screened rows of channels `start ..< start + n·blocks.count` of `tokens`, as (tokens·blocks) × n.
    static func rows(of screen: [Double], tokens: [Int], cols: Int, blocks: Range<Int>, start: Int, n: Int) -> [Double] {
        let k = blocks.count
        var rows = [Double](repeating: 0, count: tokens.count * k * n)
        screen.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for (r, t) in tokens.enumerated() {
                    for (bi, b) in blocks.enumerated() {
                        let from = t * cols + start + b * n, to = (r * k + bi) * n
                        (dst.baseAddress! + to).update(from: src.baseAddress! + from, count: n)
                    }
                }
            }
        }
        return rows
    }
}
