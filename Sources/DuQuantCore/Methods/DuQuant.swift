import Dispatch
import DuQuantCompute
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Everything one DuQuant calibration produced: each stage's activation, the greedy traces, the transform.
public struct DuQuantCalibration: Sendable, Equatable {
    /// Parameters it was computed with.
    public var params: QuantParams
    /// The activation after each stage (`quantError` is |X̃ − Q(X̃)| of the final activation).
    public var stages: [Stage: Matrix]
    /// Greedy traces per rotation stage (rotation 1, …, last rotation), per searched block.
    public var traces: [[GreedyTrace]]
    /// The stage rotations `B` per rotation stage, keyed by block size (for step-through).
    public var bases: [[Int: Matrix]]
    /// The activation entering each rotation stage (for step-through).
    public var rotationInputs: [Matrix]
    /// The transform, to apply to the weight or export.
    public var transform: DuQuantTransform
    /// Whether smoothing was applied (it needs the weight).
    public var smoothed: Bool
    /// What the exact decisions cost (not part of equality: it may differ between BLAS kernels).
    public var screenStats = ScreenStats()

    /// Memberwise (``screenStats`` starts empty).
    public init(params: QuantParams, stages: [Stage: Matrix], traces: [[GreedyTrace]], bases: [[Int: Matrix]],
                rotationInputs: [Matrix], transform: DuQuantTransform, smoothed: Bool) {
        self.params = params
        self.stages = stages
        self.traces = traces
        self.bases = bases
        self.rotationInputs = rotationInputs
        self.transform = transform
        self.smoothed = smoothed
    }

    /// Equal calibrations: every field but ``screenStats``.
    public static func == (a: DuQuantCalibration, b: DuQuantCalibration) -> Bool {
        a.params == b.params && a.stages == b.stages && a.traces == b.traces && a.bases == b.bases
            && a.rotationInputs == b.rotationInputs && a.transform == b.transform && a.smoothed == b.smoothed
    }

    /// The activation at `stage`.
    public func matrix(_ stage: Stage) -> Matrix { stages[stage]! }

    /// This calibration under `p`, which must share its transform (same ``QuantParams/calibrationKey``):
    /// the same stages, with `params` set to `p` and the Quantized error stage recomputed for `p`'s
    /// activation quantizer (bits, clip ratio, symmetry), which the transform does not depend on.
    public func requantized(_ p: QuantParams) -> DuQuantCalibration {
        precondition(p.calibrationKey == params.calibrationKey, "requantized with another transform's parameters")
        var c = self
        if p.activationQuantizer != params.activationQuantizer {
            c.stages[.quantError] = DuQuant.quantizationError(matrix(.rotation2), p.activationQuantizer)
        }
        c.params = p
        return c
    }

    /// Kept steps per rotation stage, summed over blocks (the `kept_steps` of reports).
    public var keptSteps: [Int] { traces.map { $0.reduce(0) { $0 + $1.kept } } }

    /// The activation of rotation stage `rotation` after its first `steps` greedy steps in every block; with
    /// `keptOnly`, a block takes at most the steps its search kept (so the last step shows the stage itself,
    /// and a block whose search kept none stays as it was).
    public func stepThrough(rotation: Int, steps: Int, keptOnly: Bool = false) -> Matrix {
        FlushToZero.run { stepThroughFlushed(rotation: rotation, steps: steps, keptOnly: keptOnly) }
    }

    private func stepThroughFlushed(rotation: Int, steps: Int, keptOnly: Bool) -> Matrix {
        let input = rotationInputs[rotation]
        let sizes = BlockRotation.partition(channels: input.cols, block: params.block)
        var blocks: [Matrix] = []
        for (k, n) in sizes.enumerated() {
            let trace = traces[rotation].first { $0.block == k } ?? traces[rotation].first { $0.block == -1 && n == params.block }
            guard let trace, let base = bases[rotation][n] else { blocks.append(.identity(n)); continue }
            let taken = keptOnly ? min(steps, trace.kept) : steps
            blocks.append(GreedyRotation.composed(base: base, chosen: Array(trace.chosen.prefix(taken))))
        }
        return BlockRotation(blockSizes: sizes, blocks: blocks).apply(to: input)
    }
}

/// The DuQuant pipeline on one layer: smoothing → rotation → zigzag permutation → rotation.
public enum DuQuant {
    /// What a calibration keeps besides the transform and the greedy traces.
    public enum Retention: Sendable {
        /// Every stage's activation and the rotation inputs: the heatmaps and step-through need them.
        case stages
        /// Nothing else: for `export` and the forward pass, which need only the transform. The peak is then
        /// the input, its double-precision screen (2× the input) and small scratch: about 3× the input.
        case transform
    }

    /// Calibrates the transform for `layer` with `p`; nil if `cancel` fired.
    ///
    /// `progress` receives the fraction of greedy steps done (0…1).
    ///
    /// With `searchRows`, the greedy searches look only at those tokens (a preview: the search costs in
    /// proportion to the tokens it sees); the smoothing scales, the zigzag permutations and the stages up
    /// to the last rotation are still computed on all tokens, the last rotation's output (Rotation 2 and
    /// the Quantized error) on the searched tokens only. `retain` says whether the stages are kept (the
    /// transform and traces are the same either way; a preview always keeps them).
    public static func calibrate(_ layer: LayerData, _ p: QuantParams, searchRows: [Int]? = nil,
                                 retain: Retention = .stages, cancel: CancelToken? = nil,
                                 progress: (@Sendable (Double) -> Void)? = nil) -> DuQuantCalibration? {
        // The searches multiply small tiles; OpenBLAS's own threads only spin on them. We parallelise
        // over blocks (or row tiles) ourselves.
        FlushToZero.run {
            BLAS.singleThreaded {
                calibrateSingleThreadedBLAS(layer, p, searchRows: searchRows, retain: retain, cancel: cancel,
                                            progress: progress, rule: .exact)
            }
        }
    }

    /// ``calibrate(_:_:searchRows:retain:cancel:progress:)`` under `rule` (the bench times `.screenOnly` beside it).
    package static func calibrate(_ layer: LayerData, _ p: QuantParams, rule: DecisionRule) -> DuQuantCalibration? {
        FlushToZero.run {
            BLAS.singleThreaded {
                calibrateSingleThreadedBLAS(layer, p, searchRows: nil, retain: .stages, cancel: nil, progress: nil, rule: rule)
            }
        }
    }

    static func calibrateSingleThreadedBLAS(_ layer: LayerData, _ p: QuantParams, searchRows: [Int]?, retain: Retention,
                                            cancel: CancelToken?,
                                            progress: (@Sendable (Double) -> Void)?, rule: DecisionRule) -> DuQuantCalibration? {
        let x = layer.input
        var scales: [Float]? = nil
        if p.smooth, let w = layer.weight {
            scales = Smoothing.scales(x: x, w: w, alpha: p.alpha)
        }
        // The stage matrices (float) only when kept; the search works on the screen alone.
        let keep = retain == .stages || searchRows != nil
        var stages: [Stage: Matrix] = [:]
        var cur: Matrix? = nil
        if keep {
            cur = scales.map { x.dividingColumns(by: $0) } ?? x
            stages[.original] = x
            stages[.smoothed] = cur
        }

        let sizes = BlockRotation.partition(channels: x.cols, block: p.block)
        let rotationCount = p.permTimes + 1
        let searchesPerStage = p.layout == .shared ? (sizes.count == x.cols / p.block ? 1 : 2) : sizes.count
        let totalSearches = Double(max(1, rotationCount * searchesPerStage))
        var done = 0.0

        // Decisions are made on exact values (ScreenedChoice): `screen` is the current stage's input in
        // double through BLAS, within `screenBound` of the exact input that `exact` recomputes.
        let exact = ExactStages(input: x, scales: scales)
        var screen = smoothedScreen(x, scales)
        if cancel?.isCancelled == true { return nil }
        var screenBound = 0.0
        var stats = ScreenStats()
        let tokens = searchRows ?? Array(0..<x.rows)

        var rotations: [BlockRotation] = [], permutations: [[Int]] = []
        var traces: [[GreedyTrace]] = [], bases: [[Int: Matrix]] = [], inputs: [Matrix] = []
        for stageIndex in 0..<rotationCount {
            let stageBases = stageBases(p, sizes: sizes, stage: stageIndex)
            if cancel?.isCancelled == true { return nil }
            // The bases' error bounds once per stage, not once per block.
            var stageBounds: [Int: GreedyRotation.BaseBounds] = [:]
            for (n, b) in stageBases { stageBounds[n] = GreedyRotation.BaseBounds(b) }
            let last = stageIndex == rotationCount - 1
            let stage = StageSearch(p: p, stage: stageIndex, last: last, sizes: sizes, cols: x.cols, tokens: tokens,
                                    whole: searchRows == nil, bases: stageBases, bounds: stageBounds,
                                    bound: screenBound, exact: exact, rule: rule, cancel: cancel)
            // The last stage hands the screen to its search (nothing reads it afterwards).
            guard let results = stage.run(&screen, done: &done, total: totalSearches, progress: progress) else { return nil }
            let stageTraces = p.layout == .shared
                ? (x.cols / p.block > 0 ? [results[0].trace] : []) + (sizes.count > x.cols / p.block ? [results.last!.trace] : [])
                : results.map(\.trace)
            stats.recomputed += p.layout == .shared
                ? (results.first?.recomputed ?? 0) + (sizes.count > x.cols / p.block && x.cols / p.block > 0 ? results.last!.recomputed : 0)
                : results.reduce(0) { $0 + $1.recomputed }
            stats.steps += stageTraces.reduce(0) { $0 + $1.chosen.count + 1 }
            let rotation = BlockRotation(blockSizes: sizes, blocks: results.map(\.rotation))
            if let c = cur {
                inputs.append(c)
                // A preview's last stage is wanted only where it searched (its figures use the transform).
                cur = rotation.apply(to: last && searchRows != nil ? c.gatheringRows(searchRows!) : c)
            }
            if !last {
                screenBound = rotateScreen(&screen, rows: x.rows, sizes: sizes, results: results,
                                           bounds: stageBounds, bound: screenBound)
            }
            if stageIndex == 0, let cur { stages[.rotation1] = cur }
            rotations.append(rotation)
            traces.append(stageTraces)
            bases.append(stageBases)
            if stageIndex < p.permTimes {
                var finished = ExactStages.Stage(sizes: sizes, steps: results.map { Array($0.trace.chosen.prefix($0.trace.kept)) },
                                                 bases: sizes.map { stageBases[$0]!.storage.map(Double.init) }, permutation: nil)
                // Only the block holding a channel is rotated to recompute it (cached per token and block).
                var slices: [Int: [Double]] = [:]
                let (order, recomputed) = zigzagRanking(screen, rows: x.rows, cols: x.cols,
                                                        bound: rule == .exact ? screenBound : .infinity) { t, j in
                    let b = j / p.block, start = b * p.block, n = sizes[b]
                    if let s = slices[t * sizes.count + b] { return s[j - start] }
                    let s = FixedOrder.greedySteps(Array(exact.row(stage: stageIndex, token: t)[start..<(start + n)]),
                                                   base: finished.bases[b], chosen: finished.steps[b])
                    slices[t * sizes.count + b] = s
                    return s[j - start]
                }
                stats.rankingRecomputed += recomputed
                let perm = Zigzag.permutation(ranked: order, block: p.block)
                finished.permutation = perm
                exact.append(finished)
                gatherColumns(&screen, rows: x.rows, cols: x.cols, perm)
                cur = cur?.gatheringColumns(perm)
                permutations.append(perm)
                if let cur { stages[.permutation] = cur }
            }
        }
        if let cur {
            stages[.rotation2] = cur
            stages[.quantError] = quantizationError(cur, p.activationQuantizer)
        }
        var cal = DuQuantCalibration(
            params: p, stages: stages, traces: traces, bases: bases, rotationInputs: inputs,
            transform: DuQuantTransform(smoothScales: scales, rotations: rotations, permutations: permutations),
            smoothed: scales != nil)
        cal.screenStats = stats
        return cal
    }

    /// The stage rotations `B` of rotation stage `stage`, one per block size, from the seed.
    static func stageBases(_ p: QuantParams, sizes: [Int], stage: Int) -> [Int: Matrix] {
        var g = SeededGenerator(seed: p.seed &* 0x9E37_79B9 &+ UInt64(stage) &+ 1)
        var bases: [Int: Matrix] = [:]
        for n in sizes where bases[n] == nil { bases[n] = RotationBase.stageRotation(n, using: &g) }
        return bases
    }

    /// The first rotation's input in double: `X/s` (each quotient in float, as ``Matrix/dividingColumns(by:)``
    /// computes it), or `X` without smoothing.
    static func smoothedScreen(_ x: Matrix, _ scales: [Float]?) -> [Double] {
        guard let s = scales else { return x.storage.map(Double.init) }
        var out = [Double](repeating: 0, count: x.storage.count)
        let cols = x.cols
        x.storage.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<x.rows {
                    for j in 0..<cols { o[r * cols + j] = Double(a[r * cols + j] / s[j]) }
                }
            }
        }
        return out
    }
}

extension DuQuant {
    /// `|x − Q(x)|` element-wise: the Quantized error stage.
    static func quantizationError(_ x: Matrix, _ quantizer: FakeQuantizer) -> Matrix {
        let q = quantizer.quantizeRows(x)
        var err = x
        for i in err.storage.indices { err.storage[i] = Swift.abs(x.storage[i] - q.storage[i]) }
        return err
    }

    /// Worker threads for the searches: the machine's cores, at most 8.
    static var workers: Int { Swift.min(8, Processors.online) }

    /// Searches every block of a per-block stage, blocks shared among worker threads; without `keepDouble`
    /// the results' double rotations are dropped (the last stage rotates no screen). Nil if cancelled.
    static func searchBlocks(_ inputs: [@Sendable () -> GreedyInput], sizes: [Int], p: QuantParams, bases: [Int: Matrix],
                             bounds: [Int: GreedyRotation.BaseBounds], rule: DecisionRule, keepDouble: Bool = true,
                             cancel: CancelToken?, progress: @Sendable (Double) -> Void) -> [GreedyRotation.Result]? {
        let results = UnsafeMutableBufferPointer<GreedyRotation.Result?>.allocate(capacity: sizes.count)
        results.initialize(repeating: nil)
        // Deinitialized before it is freed: the results hold arrays, and a buffer freed with its elements
        // still initialized never releases them (every search's rotations leaked, ~11 MB per change, issue 23).
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let next = Atomic<Int>(0), finished = Atomic<Int>(0)
        let out = SharedPointer(results.baseAddress!)
        let stop: @Sendable () -> Bool = { cancel?.isCancelled ?? false }
        DispatchQueue.concurrentPerform(iterations: Swift.min(workers, sizes.count)) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < sizes.count, !stop() else { return }
                let n = sizes[k]
                var r = GreedyRotation.search(inputs[k](), base: bases[n]!, bounds: bounds[n], steps: p.steps,
                                              select: p.select, block: k, patience: p.patience, rule: rule, shouldStop: stop)
                // The double rotation only rotates the screen for a later stage (128 KB a block at 128).
                if !keepDouble { r?.rotationD = [] }
                out.p[k] = r
                progress(Double(finished.add(1, ordering: .relaxed).newValue))
            }
        }
        var found: [GreedyRotation.Result] = []
        for r in results {
            guard let r else { return nil }
            found.append(r)
        }
        return found
    }
}

extension Matrix {
    /// Columns `start ..< start+width` as a contiguous row-major (rows × width) array.
    public func columns(_ start: Int, _ width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows { for j in 0..<width { out[r * width + j] = storage[r * cols + start + j] } }
        return out
    }

    /// The reshaped (tokens·K × width) rows of blocks `blocks`, token-major as `X.reshape(-1, block)`.
    public func blockRows(blocks: Range<Int>, width: Int, lastWidth: Int? = nil) -> [Float] {
        let w = lastWidth ?? width
        var out: [Float] = []
        out.reserveCapacity(rows * blocks.count * w)
        for r in 0..<rows {
            for k in blocks {
                let base = r * cols + k * width
                out.append(contentsOf: storage[base..<(base + w)])
            }
        }
        return out
    }
}
