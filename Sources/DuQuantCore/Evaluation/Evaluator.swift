/// Quality figures of one method on one layer.
public struct MethodMetrics: Sendable, Equatable {
    /// Largest |value| of the transformed activation X̃.
    public var actMaxAbs: Float
    /// Pearson kurtosis of X̃ (3 for a Gaussian; outliers make it large).
    public var kurtosis: Float
    /// mean((X̃ − Q(X̃))²).
    public var actMSE: Float
    /// mean((W̃ − Q(W̃))²), nil without a weight.
    public var weightMSE: Float?
    /// ‖XWᵀ − Q(X̃)Q(W̃)ᵀ‖_F / ‖XWᵀ‖_F, nil without a weight.
    public var outputRelError: Float?
    /// Per token: relative output error with a weight, else relative activation quantization error.
    public var perTokenError: [Float]
    /// Variance of block means of per-channel max |x̃| (the permutation's objective).
    public var blockMeanVariance: Float
    /// Wall time of the method (transform search, quantization and metrics), in seconds.
    public var seconds: Double
    /// Greedy steps kept per rotation stage (DuQuant only).
    public var keptSteps: [Int]?
    /// A note such as the Hadamard block used or why smoothing was skipped.
    public var note: String?
    /// Where the error comes from (asked for with `anatomy`; nil otherwise or without a weight).
    public var anatomy: ErrorAnatomy? = nil
}

/// Marks an evaluation made on a sample of the tokens, for a fast first answer on a large layer.
public struct EvaluationEstimate: Sendable, Equatable {
    /// Tokens the figures were computed on.
    public var sampledTokens: Int
    /// Tokens of the layer.
    public var totalTokens: Int
    /// Tokens DuQuant's rotations were searched on, when its figure is a preview (fewer than the layer's).
    public var previewTokens: Int? = nil
    /// Methods whose figures are already exact (the exact pass replaces the estimates one by one).
    public var exact: Set<Method> = []

    /// Whether `method`'s figures are still an estimate.
    public func isEstimated(_ method: Method) -> Bool { !exact.contains(method) }

    /// Marks figures computed on `sampledTokens` of the layer's `totalTokens` tokens.
    public init(sampledTokens: Int, totalTokens: Int) {
        self.sampledTokens = sampledTokens
        self.totalTokens = totalTokens
    }
}

/// One layer's results for every method asked.
public struct LayerEvaluation: Sendable {
    /// The layer's prefix, as in ``LayerData/name``.
    public var name: String
    /// Tokens the figures cover: all the layer's rows, or the scored rows of a held-out evaluation.
    public var tokens: Int
    /// Input channels (columns of X and W).
    public var inFeatures: Int
    /// Output channels (rows of W), nil without a weight.
    public var outFeatures: Int?
    /// The parameters asked for; each method ran under their ``QuantParams/resolved(for:)``.
    public var params: QuantParams
    /// Each evaluated method's figures; a partial answer lacks the methods in ``pending``.
    public var methods: [Method: MethodMetrics]
    /// The DuQuant calibration, when DuQuant was evaluated.
    public var calibration: DuQuantCalibration?
    /// Set when the figures are an estimate on a subset of the tokens (the exact ones come later).
    public var estimate: EvaluationEstimate?
    /// Non-finite values of the layer, replaced by 0 before evaluation (see `NumericAudit`).
    public var nonFinite: [NonFiniteReport] = []
    /// DuQuant's figures over several seeds (`report --seeds N`), when asked for.
    public var seedSpread: SeedSpread? = nil
    /// With a token split (`--calib-tokens`): these figures are on the fit tokens, and these are on the others.
    public var heldOut: HeldOutFigures? = nil
    /// The same layer under baseline parameters (`report --baseline`), to compare with.
    public var baseline: (params: QuantParams, methods: [Method: MethodMetrics])? = nil
    /// Methods still being computed: a partial answer has figures for the others, the rest follow.
    public var pending: Set<Method> = []
}

/// Runs RTN, SmoothQuant, Hadamard and DuQuant on a layer and measures them the same way.
public enum Evaluator {
    /// Evaluates `methods` on `layer` once (no cache kept). Nil if cancelled.
    ///
    /// A `calibration` computed earlier with the same ``CalibrationKey`` is reused.
    public static func evaluate(_ layer: LayerData, _ p: QuantParams, methods: [Method] = Method.allCases,
                                calibration given: DuQuantCalibration? = nil, cancel: CancelToken? = nil,
                                progress: (@Sendable (Double) -> Void)? = nil, anatomy: Bool = false) -> LayerEvaluation? {
        let workspace = EvaluationWorkspace(layer)
        if let given { workspace.adopt(given) }
        return workspace.evaluate(p, methods: methods, cancel: cancel, progress: progress, anatomy: anatomy)
    }

    /// Measures a transformed pair against the exact output `reference = X Wᵀ`.
    ///
    /// `quantizedWeight` is `(Q(W̃), weight MSE)` when the caller already has them (they depend only on the
    /// weight quantizer, not on the activation bits or clipping). When the output is too large to hold
    /// (see ``MemoryBudget``), pass `referenceFactors` `(X, W)` instead of `reference`: both products
    /// are then computed in tiles (``tiledRelativeError(_:_:reference:_:into:cancel:)``).
    public static func measure(x: Matrix, w: Matrix?, reference: Matrix?, p: QuantParams,
                               quantizedWeight: (q: Matrix, mse: Float)? = nil,
                               referenceFactors: (x: Matrix, w: Matrix)? = nil,
                               cancel: CancelToken? = nil) -> MethodMetrics {
        measureKeeping(x: x, w: w, reference: reference, p: p, quantizedWeight: quantizedWeight,
                       referenceFactors: referenceFactors, cancel: cancel).metrics
    }

    /// The figures of X̃ that no quantizer changes: its per-channel max |x̃| and its kurtosis.
    struct InputFigures: Sendable {
        var channelMax: [Float]
        var kurtosis: Float

        init(_ x: Matrix) {
            channelMax = ChannelStats.maxAbs(x)
            kurtosis = ChannelStats.kurtosis(x)
        }
    }

    /// ``measure(x:w:reference:p:quantizedWeight:referenceFactors:cancel:)``, with X̃'s own figures given
    /// when the caller has them (a bits or clip change leaves them as they were), and keeping Q(X̃) and
    /// those figures for the caller (the anatomy quantizes X̃ the same way).
    static func measureKeeping(x: Matrix, w: Matrix?, reference: Matrix?, p: QuantParams,
                               quantizedWeight: (q: Matrix, mse: Float)? = nil,
                               referenceFactors: (x: Matrix, w: Matrix)? = nil, inputFigures: InputFigures? = nil,
                               cancel: CancelToken? = nil) -> (metrics: MethodMetrics, qx: Matrix, figures: InputFigures) {
        let qx = p.activationQuantizer.quantizeRows(x)
        let actMSE = meanSquaredDifference(x, qx)
        var weightMSE: Float? = nil, outErr: Float? = nil
        var perToken = [Float](repeating: 0, count: x.rows)
        if let w, reference != nil || referenceFactors != nil {
            let qw = quantizedWeight?.q ?? p.weightQuantizer.quantizeRows(w)
            weightMSE = quantizedWeight?.mse ?? meanSquaredDifference(w, qw)
            outErr = outputError(qx, qw, reference: reference, factors: referenceFactors, into: &perToken, cancel: cancel)
        } else {
            _ = perRowRelativeError(qx, x, into: &perToken)
        }
        let figures = inputFigures ?? InputFigures(x)
        let metrics = MethodMetrics(
            actMaxAbs: figures.channelMax.max() ?? 0, kurtosis: figures.kurtosis, actMSE: actMSE,
            weightMSE: weightMSE, outputRelError: outErr, perTokenError: perToken,
            blockMeanVariance: ChannelStats.blockMeanVariance(figures.channelMax, block: p.block),
            seconds: 0, keptSteps: nil, note: nil)
        return (metrics, qx, figures)
    }

    /// `‖a bᵀ − X Wᵀ‖ / ‖X Wᵀ‖` (per row into `out`), against the held `reference` when there is one,
    /// else against its `factors` `(X, W)` tile by tile; nil when there is neither.
    static func outputError(_ a: Matrix, _ b: Matrix, reference: Matrix?, factors: (x: Matrix, w: Matrix)?,
                            into out: inout [Float], cancel: CancelToken?) -> Float? {
        let (num, den): (Double, Double)
        if let reference {
            (num, den) = rowTiledRelativeError(a, b, reference: reference, into: &out, cancel: cancel)
        } else if let f = factors {
            (num, den) = tiledRelativeError(a, b, reference: f.x, f.w, into: &out, cancel: cancel)
        } else {
            return nil
        }
        return relative(num, den)
    }

    /// mean((a − b)²), accumulated in Double (fixed chunks on the cores, added in order).
    public static func meanSquaredDifference(_ a: Matrix, _ b: Matrix) -> Float {
        precondition(a.count == b.count)
        guard a.count > 0 else { return 0 }
        let s = a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                nonisolated(unsafe) let x = pa.baseAddress!, y = pb.baseAddress!
                return ParallelRows.mapChunks(count: a.count) { DoubleSum.squaredError(x, y, $0).error }.reduce(0, +)
            }
        }
        return Float(s / Double(a.count))
    }

    /// Per row `t`: `‖a_t − r_t‖ / ‖r_t‖` into `out[t]` (or `‖a_t − r_t‖` when `r_t` is zero); returns the
    /// totals `(Σ‖a − r‖², Σ‖r‖²)`. Rows run on the cores; totals are added in row order.
    static func perRowRelativeError(_ a: Matrix, _ r: Matrix, into out: inout [Float]) -> (Double, Double) {
        precondition(a.rows == r.rows && a.cols == r.cols && out.count == a.rows)
        let cols = a.cols
        var sums = [SIMD2<Double>](repeating: .zero, count: a.rows)
        a.storage.withUnsafeBufferPointer { pa in
            r.storage.withUnsafeBufferPointer { pr in
                sums.withUnsafeMutableBufferPointer { ps in
                    nonisolated(unsafe) let x = pa.baseAddress!, y = pr.baseAddress!, s = ps.baseAddress!
                    ParallelRows.forEach(rows: a.rows, cols: cols) { rows in
                        for t in rows {
                            let (n, d) = DoubleSum.squaredError(x, y, (t * cols)..<((t + 1) * cols))
                            s[t] = SIMD2(n, d)
                        }
                    }
                }
            }
        }
        return totals(sums, into: &out)
    }

    /// From per-row `(Σ error², Σ reference²)`: each row's relative error into `out`, and the totals added
    /// in row order (the same order whatever produced the sums: whole products or tiles).
    static func totals(_ sums: [SIMD2<Double>], into out: inout [Float]) -> (Double, Double) {
        var num = 0.0, den = 0.0
        for (t, v) in sums.enumerated() {
            out[t] = relative(v.x, v.y)
            num += v.x
            den += v.y
        }
        return (num, den)
    }

    /// `√(error / reference)`, or `√error` when the reference is zero.
    static func relative(_ error: Double, _ reference: Double) -> Float {
        reference > 0 ? Float((error / reference).squareRoot()) : Float(error.squareRoot())
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
