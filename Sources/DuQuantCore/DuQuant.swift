import Dispatch
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

    /// The activation of rotation stage `rotation` after its first `steps` greedy steps in every block.
    public func stepThrough(rotation: Int, steps: Int) -> Matrix {
        FlushToZero.run { stepThroughFlushed(rotation: rotation, steps: steps) }
    }

    private func stepThroughFlushed(rotation: Int, steps: Int) -> Matrix {
        let input = rotationInputs[rotation]
        let sizes = BlockRotation.partition(channels: input.cols, block: params.block)
        var blocks: [Matrix] = []
        for (k, n) in sizes.enumerated() {
            let trace = traces[rotation].first { $0.block == k } ?? traces[rotation].first { $0.block == -1 && n == params.block }
            guard let trace, let base = bases[rotation][n] else { blocks.append(.identity(n)); continue }
            blocks.append(GreedyRotation.composed(base: base, chosen: Array(trace.chosen.prefix(steps))))
        }
        return BlockRotation(blockSizes: sizes, blocks: blocks).apply(to: input)
    }
}

/// The DuQuant pipeline on one layer: smoothing → rotation → zigzag permutation → rotation.
public enum DuQuant {
    /// Calibrates the transform for `layer` with `p`; nil if `cancel` fired.
    ///
    /// `progress` receives the fraction of greedy steps done (0…1).
    ///
    /// With `searchRows`, the greedy searches look only at those tokens (a preview: the search costs in
    /// proportion to the tokens it sees); the smoothing scales, the zigzag permutations and the stages up
    /// to the last rotation are still computed on all tokens, the last rotation's output (Rotation 2 and
    /// the Quantized error) on the searched tokens only.
    public static func calibrate(_ layer: LayerData, _ p: QuantParams, searchRows: [Int]? = nil,
                                 cancel: CancelToken? = nil,
                                 progress: (@Sendable (Double) -> Void)? = nil) -> DuQuantCalibration? {
        // The searches multiply small tiles; OpenBLAS's own threads only spin on them. We parallelise
        // over blocks (or row tiles) ourselves.
        FlushToZero.run {
            BLAS.singleThreaded {
                calibrateSingleThreadedBLAS(layer, p, searchRows: searchRows, cancel: cancel, progress: progress)
            }
        }
    }

    static func calibrateSingleThreadedBLAS(_ layer: LayerData, _ p: QuantParams, searchRows: [Int]?,
                                            cancel: CancelToken?,
                                            progress: (@Sendable (Double) -> Void)?) -> DuQuantCalibration? {
        let x = layer.input
        var stages: [Stage: Matrix] = [.original: x]
        var scales: [Float]? = nil
        if p.smooth, let w = layer.weight {
            scales = Smoothing.scales(x: x, w: w, alpha: p.alpha)
        }
        var cur = scales.map { x.dividingColumns(by: $0) } ?? x
        stages[.smoothed] = cur

        let sizes = BlockRotation.partition(channels: x.cols, block: p.block)
        let rotationCount = p.permTimes + 1
        let searchesPerStage = p.layout == .shared ? (sizes.count == x.cols / p.block ? 1 : 2) : sizes.count
        let totalSearches = Double(max(1, rotationCount * searchesPerStage))
        var done = 0.0

        var rotations: [BlockRotation] = [], permutations: [[Int]] = []
        var traces: [[GreedyTrace]] = [], bases: [[Int: Matrix]] = [], inputs: [Matrix] = []
        for stageIndex in 0..<rotationCount {
            var g = SeededGenerator(seed: p.seed &* 0x9E37_79B9 &+ UInt64(stageIndex) &+ 1)
            var stageBases: [Int: Matrix] = [:]
            for n in sizes where stageBases[n] == nil { stageBases[n] = RotationBase.stageRotation(n, using: &g) }
            let stop = { cancel?.isCancelled ?? false }
            var blockMats: [Matrix] = [], stageTraces: [GreedyTrace] = []
            let searched = searchRows.map { cur.gatheringRows($0) } ?? cur
            if p.layout == .shared {
                let full = x.cols / p.block
                var shared: Matrix? = nil
                if full > 0 {
                    let rows = searched.blockRows(blocks: 0..<full, width: p.block)
                    // One search covers every block here: report each greedy step, or the progress bar
                    // would stand still for the whole stage.
                    var step = 0
                    let before = done
                    let stepped: () -> Bool = {
                        step += 1
                        if p.steps > 0 { progress?((before + Swift.min(1, Double(step) / Double(p.steps))) / totalSearches) }
                        return stop()
                    }
                    guard let r = GreedyRotation.search(rows: rows, width: p.block, base: stageBases[p.block]!,
                                                        steps: p.steps, select: p.select, block: -1,
                                                        threads: workers, patience: p.patience, shouldStop: stepped) else { return nil }
                    shared = r.rotation
                    stageTraces.append(r.trace)
                    done += 1; progress?(done / totalSearches)
                }
                blockMats = (0..<full).map { _ in shared! }
                if sizes.count > full {
                    let n = sizes[full]
                    let rows = searched.blockRows(blocks: full..<(full + 1), width: p.block, lastWidth: n)
                    guard let r = GreedyRotation.search(rows: rows, width: n, base: stageBases[n]!, steps: p.steps,
                                                        select: p.select, block: full, patience: p.patience, shouldStop: stop) else { return nil }
                    blockMats.append(r.rotation)
                    stageTraces.append(r.trace)
                    done += 1; progress?(done / totalSearches)
                }
            } else {
                let base = done
                guard let found = searchBlocks(searched, sizes: sizes, p: p, bases: stageBases, cancel: cancel,
                                               progress: { k in progress?((base + k) / totalSearches) })
                else { return nil }
                done += Double(sizes.count)
                blockMats = found.map(\.rotation)
                stageTraces = found.map(\.trace)
            }
            let rotation = BlockRotation(blockSizes: sizes, blocks: blockMats)
            inputs.append(cur)
            // A preview's last stage is wanted only where it searched (its figures use the transform).
            let last = stageIndex == rotationCount - 1
            cur = rotation.apply(to: last && searchRows != nil ? searched : cur)
            if stageIndex == 0 { stages[.rotation1] = cur }
            rotations.append(rotation)
            traces.append(stageTraces)
            bases.append(stageBases)
            if stageIndex < p.permTimes {
                let perm = Zigzag.permutation(channelMax: ChannelStats.maxAbs(cur), block: p.block)
                cur = cur.gatheringColumns(perm)
                permutations.append(perm)
                stages[.permutation] = cur
            }
        }
        stages[.rotation2] = cur
        stages[.quantError] = quantizationError(cur, p.activationQuantizer)
        return DuQuantCalibration(
            params: p, stages: stages, traces: traces, bases: bases, rotationInputs: inputs,
            transform: DuQuantTransform(smoothScales: scales, rotations: rotations, permutations: permutations),
            smoothed: scales != nil)
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
    static var workers: Int { Swift.max(1, Swift.min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) }

    /// Searches every block of a per-block stage, blocks shared among worker threads. Nil if cancelled.
    static func searchBlocks(_ cur: Matrix, sizes: [Int], p: QuantParams, bases: [Int: Matrix],
                             cancel: CancelToken?, progress: @Sendable (Double) -> Void) -> [GreedyRotation.Result]? {
        let results = UnsafeMutableBufferPointer<GreedyRotation.Result?>.allocate(capacity: sizes.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let next = Atomic<Int>(0), finished = Atomic<Int>(0)
        let out = SharedPointer(results.baseAddress!)
        let stop: @Sendable () -> Bool = { cancel?.isCancelled ?? false }
        DispatchQueue.concurrentPerform(iterations: Swift.min(workers, sizes.count)) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < sizes.count, !stop() else { return }
                let n = sizes[k]
                let rows = cur.columns(k * p.block, n)
                out.p[k] = GreedyRotation.search(rows: rows, width: n, base: bases[n]!, steps: p.steps,
                                                 select: p.select, block: k, patience: p.patience, shouldStop: stop)
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
