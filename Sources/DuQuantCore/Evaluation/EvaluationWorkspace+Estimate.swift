/// Estimates on a sample of the tokens that land near the exact figures.
///
/// The output error `‖Y − Ŷ‖ / ‖Y‖` of a layer with massive activations is dominated by the few tokens that
/// carry them: an evenly spread sample that misses one of them was ~2× off on a 7B-shaped down_proj. So the
/// heavy tokens (squared norm over ``heavyFactor`` × the median) are always in the sample and stand for
/// themselves; the other tokens are spread evenly over the rest and each stands for its share of them.
/// The sums behind the output error and the activation MSE are then weighted by what each token stands for.
extension EvaluationWorkspace {
    /// A token counts as heavy when its squared norm exceeds this many times the median.
    static let heavyFactor = 16.0

    /// The tokens an estimate on `count` of them measures, ascending, and how many tokens each stands for
    /// (the weights add up to the layer's token count).
    public func estimateSample(_ count: Int) -> (rows: [Int], weights: [Double]) {
        let t = layer.tokens
        guard count < t, count > 0 else { return (Array(0..<t), [Double](repeating: 1, count: t)) }
        let x = layer.input
        let norms: [Double] = x.storage.withUnsafeBufferPointer { p in
            (0..<t).map { r in DoubleSum.squaredError(p.baseAddress!, p.baseAddress!, (r * x.cols)..<((r + 1) * x.cols)).reference }
        }
        let median = norms.sorted()[t / 2]
        // At most a quarter of the sample is spent on heavy tokens, the heaviest first.
        let heavy = Set((0..<t).filter { norms[$0] > Self.heavyFactor * Swift.max(median, .leastNormalMagnitude) }
            .sorted { norms[$0] > norms[$1] }.prefix(count / 4))
        let rest = (0..<t).filter { !heavy.contains($0) }
        let spread = count - heavy.count
        let picked = (0..<spread).map { rest[$0 * rest.count / spread] }
        let share = Double(rest.count) / Double(spread)
        let rows = (Array(heavy) + picked).sorted()
        return (rows, rows.map { heavy.contains($0) ? 1 : share })
    }

    /// `m` measured on the sampled rows, with its output error and activation MSE re-weighted so that each
    /// sampled token counts for the tokens it stands for. `y` is `X Wᵀ` on those rows (nil without a
    /// weight), `x` the transformed activation rows.
    static func weighted(_ m: MethodMetrics, weights: [Double], x: Matrix, y: Matrix?, p: QuantParams) -> MethodMetrics {
        var out = m
        let q = p.activationQuantizer.quantizeRows(x)
        var actSum = 0.0
        x.storage.withUnsafeBufferPointer { px in
            q.storage.withUnsafeBufferPointer { pq in
                for r in 0..<x.rows {
                    actSum += weights[r] * DoubleSum.squaredError(px.baseAddress!, pq.baseAddress!, (r * x.cols)..<((r + 1) * x.cols)).error
                }
            }
        }
        let total = weights.reduce(0, +)
        out.actMSE = Float(actSum / Swift.max(1, total * Double(x.cols)))
        if let y, m.outputRelError != nil {
            var num = 0.0, den = 0.0
            y.storage.withUnsafeBufferPointer { py in
                for r in 0..<y.rows {
                    let norm = DoubleSum.squaredError(py.baseAddress!, py.baseAddress!, (r * y.cols)..<((r + 1) * y.cols)).reference
                    let e = Double(m.perTokenError[r])
                    num += weights[r] * e * e * (norm > 0 ? norm : 1)
                    den += weights[r] * norm
                }
            }
            out.outputRelError = Evaluator.relative(num, den)
        }
        return out
    }
}

/// A first DuQuant figure on a large layer without waiting for the search on all tokens.
///
/// The greedy search costs `2·steps·C·block` flops per token and rotation stage: on a 7B-shaped down_proj
/// (2048 × 11008, 256 steps, two stages) ~20 s on two cores, while RTN's figures take well under one. An
/// estimate therefore searches DuQuant's rotations on a preview sample of the tokens (the heavy ones and
/// an even spread, ``estimateSample(_:)``) sized so that the search costs about ``previewFlops``; the
/// smoothing scales and the zigzag permutation still come from all tokens (``DuQuant/calibrate(_:_:searchRows:retain:cancel:progress:)``).
/// The transform is applied to the estimate's sampled tokens and to W, and the figure's note says so. It
/// is not cached: the exact pass searches on every token.
extension EvaluationWorkspace {
    /// The search work an estimate may spend on DuQuant's preview (about half a second on two cores).
    public static let previewFlops = 48e9

    /// Tokens a preview searches on for `layer` under `p`; nil when the search on all tokens fits
    /// ``previewFlops`` (the estimate then waits for it and the exact pass reuses it).
    public static func previewTokens(_ layer: LayerData, _ p: QuantParams) -> Int? {
        let perToken = 2 * Double(p.steps) * Double(p.permTimes + 1) * Double(layer.inFeatures) * Double(p.block)
        guard perToken * Double(layer.tokens) > previewFlops else { return nil }
        return Swift.min(layer.tokens, Swift.max(32, Int(previewFlops / Swift.max(1, perToken))))
    }

    /// DuQuant's pair on the sampled rows `sample` (X̃ of those rows, W̃), with the rotations searched on a
    /// preview of `tokens` tokens. Nil if cancelled.
    func previewTransformed(_ p: QuantParams, tokens: Int, sample: [Int], cancel: CancelToken?) -> Transformed? {
        let rows = estimateSample(tokens).rows
        // Smoothing scales and zigzag permutations still come from every token (one column-max pass each).
        guard let cal = DuQuant.calibrate(layer, p, searchRows: rows, cancel: cancel) else { return nil }
        let note = "preview: rotations searched on \(rows.count) of \(layer.tokens) tokens; the exact search follows"
        return Transformed(x: cal.transform.apply(toInput: layer.input.gatheringRows(sample)),
                           w: layer.weight.map { cal.transform.apply(toWeight: $0) },
                           note: [note, Self.duquantNote(cal)].compactMap { $0 }.joined(separator: "; "), calibration: cal)
    }
}
