import DuQuantCore
import ExplorerModel

extension EvaluationFixture {
    /// One layer's fixed data: its stage matrices and what a calibration of it would have recorded.
    package struct Layer: Sendable {
        package var spec: Spec
        package var data: LayerData
        package var summary: LayerSummary
        /// The six stage matrices.
        package var stages: [Stage: Matrix]
        /// Smoothing scales (each channel divided by its scale).
        package var smoothScales: [Float]
        /// The permutation after rotation 1: `out[:, i] = in[:, permutation[i]]`.
        package var permutation: [Int]
        /// Greedy traces of rotation 1 and rotation 2, one per block.
        package var traces: [[GreedyTrace]]

        /// The layer of `spec`, at position `index` of the list (which varies its pattern). With `n` a fixed
        /// pattern in [-1, 1) and B the block of a channel:
        ///
        /// - original: `0.5 n`, plus `6 + 3 n` on the outlier channels, and `massive` at token 0 of the first;
        /// - smoothed: the original over the scales (8 on the first outlier, 4 on the others, 0.7–1.0 elsewhere);
        /// - rotation 1: `0.6 n`, plus in a block holding an outlier ± its smoothed size over √block (the
        ///   massive value's, `massive / 8`, at token 0 of the first outlier's block; 1.5 elsewhere);
        /// - permutation: rotation 1 with channel `i` taken from block `i mod blocks`, place `i / blocks`;
        /// - rotation 2: `0.7 n`, plus ±0.5 at token 0;
        /// - quantization error: `0.06 |n|`, plus 0.05 at token 0.
        package init(_ spec: Spec, index: Int) {
            self.spec = spec
            let (t, c, b) = (spec.tokens, spec.channels, spec.block)
            let blocks = c / b
            func n(_ token: Int, _ channel: Int, _ k: Int) -> Float { Self.pattern(token, channel, salt: k + 16 * index) }
            func make(_ value: (Int, Int) -> Float) -> Matrix {
                var m = Matrix(rows: t, cols: c)
                for i in 0..<t { for j in 0..<c { m[i, j] = value(i, j) } }
                return m
            }
            let first = spec.outliers.first ?? 0
            let loud = Set(spec.outliers.map { $0 / b })
            var original = make { i, j in 0.5 * n(i, j, 0) + (spec.outliers.contains(j) ? 6 + 3 * n(i, j, 1) : 0) }
            original[0, first] = spec.massive
            smoothScales = (0..<c).map { j in j == first ? 8 : spec.outliers.contains(j) ? 4 : 0.7 + 0.1 * Float(j % 4) }
            let scales = smoothScales
            let smoothed = make { i, j in original[i, j] / scales[j] }
            let spread = Float(b).squareRoot()
            let rotation1 = make { i, j in
                let level: Float = !loud.contains(j / b) ? 0 : (i == 0 && j / b == first / b ? spec.massive / 8 : 1.5) / spread
                return 0.6 * n(i, j, 2) + (n(i, j, 3) < 0 ? -level : level)
            }
            permutation = (0..<c).map { i in (i % blocks) * b + i / blocks }
            let perm = permutation
            let permuted = make { i, j in rotation1[i, perm[j]] }
            let rotation2 = make { i, j in 0.7 * n(i, j, 4) + (i == 0 ? (n(i, j, 5) < 0 ? -0.5 : 0.5) : 0) }
            let error = make { i, j in 0.06 * abs(n(i, j, 6)) + (i == 0 ? 0.05 : 0) }
            stages = [.original: original, .smoothed: smoothed, .rotation1: rotation1, .permutation: permuted,
                      .rotation2: rotation2, .quantError: error]
            traces = [Self.traces(smoothed, block: b, steps: spec.steps), Self.traces(permuted, block: b, steps: spec.steps)]
            var weight = Matrix(rows: spec.out, cols: c)
            for i in 0..<spec.out { for j in 0..<c { weight[i, j] = 0.05 * n(i, j, 7) } }
            data = LayerData(name: spec.name, input: original, weight: weight)
            summary = LayerSummary(maxAbs: Self.maxAbs(original), ratio: spec.ratio)
        }

        /// A fixed pattern in [-1, 1): an integer hash of (token, channel, salt), the same on every machine.
        static func pattern(_ t: Int, _ c: Int, salt: Int) -> Float {
            var h = UInt32(truncatingIfNeeded: (t &* 73_856_093) ^ (c &* 19_349_663) ^ (salt &* 83_492_791))
            h ^= h >> 13
            h = h &* 0x5BD1_E995
            h ^= h >> 15
            return Float(h >> 8) / Float(1 << 23) - 1
        }

        static func maxAbs(_ m: Matrix) -> Float { m.storage.reduce(0) { max($0, abs($1)) } }

        /// One trace per block of `input`: the first step takes the block's loudest channel; the peak (the
        /// block's max − min) falls to about a quarter in a loud block over eight steps and creeps up again
        /// at the end, and barely moves in a quiet one; the kept prefix is the lowest peak's.
        static func traces(_ input: Matrix, block: Int, steps: Int) -> [GreedyTrace] {
            let spans = (0..<(input.cols / block)).map { k -> (peak: Float, loudest: Int) in
                var lo = Float.infinity, hi = -Float.infinity, loudest = (0, Float(-1))
                for i in 0..<input.rows {
                    for j in (k * block)..<((k + 1) * block) {
                        lo = min(lo, input[i, j])
                        hi = max(hi, input[i, j])
                        if abs(input[i, j]) > loudest.1 { loudest = (j - k * block, abs(input[i, j])) }
                    }
                }
                return (hi - lo, loudest.0)
            }
            let top = spans.map(\.peak).max() ?? 0
            return spans.enumerated().map { k, s in
                let loud = s.peak >= top / 2
                let decay: [Float] = loud ? [1, 0.42, 0.30, 0.26, 0.24, 0.25, 0.23, 0.24, 0.245] : [1, 0.93, 0.95, 0.97]
                let count = min(steps, block, decay.count - 1)
                let chosen = (0..<count).map { j in j == 0 ? s.loudest : (j * 5 + k * 3 + 1) % block }
                let peaks = (0...count).map { s.peak * decay[$0] }
                let kept = peaks.firstIndex(of: peaks.min()!)!
                return GreedyTrace(block: k, chosen: chosen, peaks: peaks, kept: kept)
            }
        }

        /// Every method's figures and the calibration, for `params` (the figures do not depend on them).
        package func evaluation(_ params: QuantParams, anatomy: Bool) -> LayerEvaluation {
            let scale = spec.massive / 120
            // (method, output error, act max |x|, act MSE, weight MSE, kurtosis)
            let table: [(Method, Float, Float, Float, Float, Float)] = [
                (.rtn, 0.143, Self.maxAbs(stages[.original]!), 0.0659, 2.0e-5, 1558),
                (.smoothquant, 0.0740, 3.84 * scale, 0.00072, 0.00126, 56.8),
                (.hadamard, 0.160, 22.2 * scale, 0.0539, 3.3e-5, 48.6),
                (.quarot, 0.105, 13.4 * scale, 0.0171, 2.1e-5, 16.5),
                (.duquant, 0.0826, Self.maxAbs(stages[.rotation2]!), 0.00042, 0.00079, 3.10),
            ]
            var methods: [Method: MethodMetrics] = [:]
            for (m, out, actMax, mse, wmse, kurtosis) in table {
                methods[m] = MethodMetrics.fixed(
                    actMaxAbs: actMax, kurtosis: kurtosis, actMSE: mse, weightMSE: wmse, outputRelError: out,
                    perTokenError: (0..<spec.tokens).map { 0.05 + 0.01 * Float($0 % 5) }, blockMeanVariance: 0, seconds: 0.01,
                    keptSteps: m == .duquant ? traces.map { $0.reduce(0) { $0 + $1.kept } } : nil,
                    anatomy: anatomy ? ErrorAnatomy(activationsOnly: 0.8 * out, weightsOnly: 0.3 * out, both: out,
                                                    activationClipShare: 0.35, weightClipShare: 0.1) : nil)
            }
            let calibration = DuQuantCalibration.fixed(
                params: params, stages: stages, traces: traces,
                transform: DuQuantTransform(smoothScales: smoothScales, rotations: [], permutations: [permutation]),
                smoothed: true)
            return LayerEvaluation.fixed(name: spec.name, tokens: spec.tokens, inFeatures: spec.channels, outFeatures: spec.out,
                                   params: params, methods: methods, calibration: calibration)
        }

        /// The step-through heatmap: rotation `rotation`'s input moved `step` eighths of the way to its
        /// output (all of it from step 8).
        static func stepped(_ calibration: DuQuantCalibration, rotation: Int, step: Int) -> Matrix {
            let (from, to): (Stage, Stage) = rotation == 0 ? (.smoothed, .rotation1) : (.permutation, .rotation2)
            guard let a = calibration.stages[from], let b = calibration.stages[to] else { return Matrix(rows: 0, cols: 0) }
            let f = Float(min(step, 8)) / 8
            var m = a
            for i in m.storage.indices { m.storage[i] = a.storage[i] * (1 - f) + b.storage[i] * f }
            return m
        }
    }
}
