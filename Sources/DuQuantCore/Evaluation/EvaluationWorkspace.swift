import DuQuantCompute
/// One layer's evaluations with everything reusable cached: the exact output `X Wᵀ` and each method's
/// transformed pair `(X̃, W̃)` keyed by the parameters it depends on.
///
/// A change of bits or clipping then costs only quantization and the output products; a change of α,
/// block, steps, seed, selection or layout recomputes only what depends on it. Safe to share between
/// threads; concurrent evaluations of the same key may both compute it (the last one stored wins).
///
/// ```swift
/// let ws = EvaluationWorkspace(layer)
/// let a = ws.evaluate(params)          // calibrates
/// params.abits = 3
/// let b = ws.evaluate(params)          // reuses the calibration and X Wᵀ
/// ```
public final class EvaluationWorkspace: Sendable {
    /// The layer evaluated.
    public let layer: LayerData

    /// A method's transformed pair and what went with it.
    struct Transformed: Sendable {
        var x: Matrix
        var w: Matrix?
        var note: String?
        var calibration: DuQuantCalibration?
    }

    enum Key: Hashable, Sendable {
        case rtn
        case smooth(alpha: Float)
        case hadamard(block: Int)
        case quarot(seed: UInt64, block: Int)
        case duquant(CalibrationKey)
    }

    private struct State {
        var reference: Matrix?
        /// Reference rows of the last token sample, for estimates.
        var sampledReference: (rows: [Int], y: Matrix)?
        var transforms: [Key: Transformed] = [:]
        var order: [Key] = []
        /// Q(W̃) and its MSE per method transform and weight quantizer (bits, clip, symmetry).
        var quantizedWeights: [QuantizedWeightKey: QuantizedWeight] = [:]
        /// X̃'s per-channel maxima and kurtosis per method transform (no quantizer changes them).
        var inputFigures: [Key: Evaluator.InputFigures] = [:]
    }

    struct QuantizedWeightKey: Hashable {
        var transform: Key
        var quantizer: FakeQuantizer
    }

    /// Q(W̃), its MSE and, under a searched clip, each row's searched multiplier (for the anatomy).
    struct QuantizedWeight: Sendable {
        var q: Matrix
        var mse: Float
        var shrinks: [Float]?
    }

    private let state = Locked(State())
    /// Transformed pairs kept (oldest dropped first): enough for a few parameter round trips.
    private let capacity = 6

    /// Non-finite values in `layer` are replaced by 0 and reported (the NaN/inf rule, see `NumericAudit`).
    /// Denormal values read as 0 (``LayerData/flushingSubnormals()``).
    public init(_ layer: LayerData) { self.layer = layer.replacingNonFinite().flushingSubnormals() }

    /// Makes an earlier calibration of this layer available.
    public func adopt(_ calibration: DuQuantCalibration) {
        let t = Transformed(x: calibration.matrix(.rotation2),
                            w: layer.weight.map { calibration.transform.apply(toWeight: $0) },
                            note: Self.duquantNote(calibration), calibration: calibration)
        store(.duquant(calibration.params.calibrationKey), t)
    }

    /// The cached calibration for `p`, if any.
    public func cachedCalibration(_ p: QuantParams) -> DuQuantCalibration? {
        state.withLock { $0.transforms[.duquant(p.calibrationKey)]?.calibration }
    }

    /// The exact output `X Wᵀ`, computed once; nil without a weight or when it is too large to hold
    /// (``MemoryBudget/keepsWholeProduct(tokens:outFeatures:)``: the error is then measured in tiles).
    public func reference(cancel: CancelToken? = nil) -> Matrix? {
        guard let w = layer.weight, MemoryBudget.keepsWholeProduct(tokens: layer.tokens, outFeatures: w.rows) else { return nil }
        if let r = state.withLock({ $0.reference }) { return r }
        // In row tiles, so that a cancel does not wait for the whole product (nil then, nothing kept).
        guard let r = Evaluator.productInRowTiles(layer.input, w, cancel: cancel) else { return nil }
        state.withLock { $0.reference = r }
        return r
    }

    /// Evaluates `methods` with `p`; nil if cancelled.
    ///
    /// With `sampleTokens` below the layer's token count, the metrics are computed on that many tokens
    /// (``estimateSample(_:)``: the heavy ones and an even spread of the rest, weighted); the transforms
    /// are still searched on all of them, and cached, and the result is
    /// marked as an ``EvaluationEstimate``: a fast first answer while the exact one is computed.
    /// Runs with denormals flushed on the calling thread (``FlushToZero``).
    ///
    /// `progress` receives the fraction of the whole job done (the DuQuant search, when it is not cached,
    /// counts for 80%; each method's measurement for an equal share of the rest). `partial` receives the
    /// evaluation after each method but the last, with the others in ``LayerEvaluation/pending``: figures
    /// that need no search (RTN, SmoothQuant, block Hadamard) can be shown while DuQuant is still searching;
    /// QuaRot-style comes last (its weight clip search is the longest part on a large layer); `leading`, if
    /// given, first (the exact pass after an estimate: DuQuant, whose estimate is the furthest from exact).
    public func evaluate(_ p: QuantParams, methods: [Method] = Method.allCases, cancel: CancelToken? = nil,
                         sampleTokens: Int? = nil, previewTokens: Int? = nil, leading: Method? = nil,
                         progress: (@Sendable (Double) -> Void)? = nil,
                         partial: ((LayerEvaluation) -> Void)? = nil, anatomy: Bool = false) -> LayerEvaluation? {
        FlushToZero.run {
            evaluateFlushed(p, methods: methods, cancel: cancel, sampleTokens: sampleTokens, previewTokens: previewTokens,
                            leading: leading, progress: progress, partial: partial, anatomy: anatomy)
        }
    }

    private func evaluateFlushed(_ p: QuantParams, methods: [Method], cancel: CancelToken?, sampleTokens: Int?,
                                 previewTokens: Int?, leading: Method?, progress: (@Sendable (Double) -> Void)?,
                                 partial: ((LayerEvaluation) -> Void)?, anatomy: Bool) -> LayerEvaluation? {
        var out = LayerEvaluation(name: layer.name, tokens: layer.tokens, inFeatures: layer.inFeatures,
                                  outFeatures: layer.outFeatures, params: p, methods: [:], calibration: nil,
                                  nonFinite: layer.nonFinite)
        var rows: [Int]? = nil
        var weights: [Double] = []
        if let n = sampleTokens, n > 0, n < layer.tokens {
            (rows, weights) = estimateSample(n)
            out.estimate = EvaluationEstimate(sampledTokens: n, totalTokens: layer.tokens)
        }
        let reference = rows.map { sampledReference($0) } ?? reference(cancel: cancel)
        if cancel?.isCancelled == true { return nil }
        // Too large to hold whole: each method's products are compared tile by tile.
        let factors: (x: Matrix, w: Matrix)? = reference == nil
            ? layer.weight.map { (rows.map { layer.input.gatheringRows($0) } ?? layer.input, $0) } : nil
        // QuaRot-style last: its weight clip search (80 ratios per weight row) takes longer than DuQuant's
        // search on a 7B-shaped layer, and DuQuant's figures should not wait for it.
        var order = methods.sorted().filter { $0 != .quarot } + methods.filter { $0 == .quarot }.prefix(1)
        if let leading, let i = order.firstIndex(of: leading) { order.insert(order.remove(at: i), at: 0) }
        let uncalibrated = order.contains(.duquant) && state.withLock { $0.transforms[Self.key(.duquant, p.resolved(for: .duquant))] } == nil
        // An estimate does not wait for a search too long for it: DuQuant's rotations are then searched on
        // fewer tokens (a preview, ``previewTransformed``); the exact pass searches on all of them.
        let preview = rows == nil || !uncalibrated ? nil : (previewTokens ?? Self.previewTokens(layer, p.resolved(for: .duquant)))
        let searching = uncalibrated && preview == nil
        let searchShare = searching ? 0.8 : 0
        let measureShare = (1 - searchShare) / Double(max(1, order.count))
        var done = 0.0
        for (k, method) in order.enumerated() {
            if cancel?.isCancelled == true { return nil }
            // Each method under its own settings (its α and clip ratios, see `MethodSettings`).
            let p = p.resolved(for: method)
            let clock = ContinuousClock()
            let start = clock.now
            let before = done
            let previewing = method == .duquant ? preview.flatMap { n in rows.map { (n, $0) } } : nil
            let found = if let (n, sample) = previewing {
                previewTransformed(p, tokens: n, sample: sample, cancel: cancel)
            } else {
                transformed(method, p, cancel: cancel, progress: { f in progress?(before + searchShare * f) })
            }
            guard let t = found else { return nil }
            if method == .duquant { done += searchShare }
            // A preview's W̃ is not the transform's: quantized here, not cached.
            let qw = t.w.map { w in previewing == nil ? quantizedWeight(method, p, w)
                : { QuantizedWeight(q: $0.0, mse: Evaluator.meanSquaredDifference(w, $0.0), shrinks: $0.1) }(p.weightQuantizer.quantizeRowsAndShrinks(w)) }
            let xs = previewing != nil ? t.x : rows.map { t.x.gatheringRows($0) } ?? t.x
            // X̃'s own figures are kept per transform (for the exact figures; an estimate's are its sample's).
            let key = Self.key(method, p)
            let known = rows == nil ? state.withLock { $0.inputFigures[key] } : nil
            let measured = Evaluator.measureKeeping(x: xs, w: t.w, reference: reference, p: p,
                                                    quantizedWeight: qw.map { ($0.q, $0.mse) }, referenceFactors: factors,
                                                    inputFigures: known, cancel: cancel)
            var m = measured.metrics
            if rows == nil, known == nil {
                state.withLock { s in if s.transforms[key] != nil { s.inputFigures[key] = measured.figures } }
            }
            if cancel?.isCancelled == true { return nil }
            if rows != nil { m = Self.weighted(m, weights: weights, x: xs, y: reference, p: p) }
            if anatomy, rows == nil, let w = t.w, let qw, let both = m.outputRelError {
                // Two more products (only activations, only weights quantized), tiled like the others.
                let qx = measured.qx
                func relativeError(_ a: Matrix, _ b: Matrix) -> Float {
                    var perRow = [Float](repeating: 0, count: a.rows)
                    return Evaluator.outputError(a, b, reference: reference, factors: factors, into: &perRow, cancel: cancel) ?? 0
                }
                m.anatomy = ErrorAnatomy(
                    activationsOnly: relativeError(qx, w), weightsOnly: relativeError(xs, qw.q), both: both,
                    activationClipShare: p.activationQuantizer.clipShare(of: xs, quantized: qx),
                    weightClipShare: p.weightQuantizer.clipShare(of: w, quantized: qw.q, shrinks: qw.shrinks))
                if cancel?.isCancelled == true { return nil }
            }
            m.note = t.note
            m.keptSteps = t.calibration?.keptSteps
            // The cached calibration was made under the parameters of its first use; its Quantized error
            // stage depends on the activation quantizer, which is not part of the cache key (issue 9).
            if let c = t.calibration, previewing == nil { out.calibration = c.requantized(p) }
            if let (n, _) = previewing { out.estimate?.previewTokens = Swift.min(n, layer.tokens) }
            m.seconds = Evaluator.seconds(clock.now - start)
            out.methods[method] = m
            done += measureShare
            progress?(min(1, done))
            if k + 1 < order.count, let partial {
                var shown = out
                shown.pending = Set(order[(k + 1)...])
                partial(shown)
            }
        }
        return out
    }

    /// `X Wᵀ` on the rows `rows` (an estimate's sample), kept for the next estimate on the same sample.
    func sampledReference(_ rows: [Int]) -> Matrix? {
        guard let w = layer.weight, MemoryBudget.keepsWholeProduct(tokens: rows.count, outFeatures: w.rows) else { return nil }
        if let hit = state.withLock({ $0.sampledReference }), hit.rows == rows { return hit.y }
        // In tiles on the cores, as the exact reference (the same bits whatever the BLAS thread count).
        guard let y = Evaluator.productInRowTiles(layer.input.gatheringRows(rows), w, cancel: nil) else { return nil }
        state.withLock { $0.sampledReference = (rows, y) }
        return y
    }

    /// Q(W̃) and its MSE for `method`'s transformed weight `w` under `p`'s weight quantizer, cached: a
    /// change of activation bits or clipping then costs no weight quantization.
    func quantizedWeight(_ method: Method, _ p: QuantParams, _ w: Matrix) -> QuantizedWeight {
        let key = QuantizedWeightKey(transform: Self.key(method, p), quantizer: p.weightQuantizer)
        if let hit = state.withLock({ $0.quantizedWeights[key] }) { return hit }
        let (q, shrinks) = p.weightQuantizer.quantizeRowsAndShrinks(w)
        let entry = QuantizedWeight(q: q, mse: Evaluator.meanSquaredDifference(w, q), shrinks: shrinks)
        state.withLock { s in
            // One entry per transform: the previous weight bits are dropped with their memory.
            s.quantizedWeights = s.quantizedWeights.filter { $0.key.transform != key.transform && s.transforms[$0.key.transform] != nil }
            s.quantizedWeights[key] = entry
        }
        return entry
    }

    /// `method`'s transformed pair (X̃, W̃) under `p` (its own settings resolved), from the cache or
    /// computed now; nil if cancelled. For `bench`'s breakdown, which times each piece of an evaluation.
    package func transformedPair(_ method: Method, _ p: QuantParams) -> (x: Matrix, w: Matrix?)? {
        transformed(method, p.resolved(for: method), cancel: nil, progress: nil).map { ($0.x, $0.w) }
    }

    /// The transformed pair of `method` under `p`, from the cache or computed now.
    func transformed(_ method: Method, _ p: QuantParams, cancel: CancelToken?,
                     progress: (@Sendable (Double) -> Void)?) -> Transformed? {
        let key = Self.key(method, p)
        if let hit = state.withLock({ $0.transforms[key] }) { return hit }
        guard let t = Self.transform(method, fit: layer, scoring: nil, p, cancel: cancel, progress: progress) else { return nil }
        store(key, t)
        return t
    }

    /// `method`'s pair (X̃, W̃) under `p`, its transform fitted on `fit` (SmoothQuant's scales, DuQuant's
    /// rotations; block Hadamard, QuaRot-style and RTN fit nothing) and applied to `scoring`, or to `fit`'s own
    /// input when nil. The one place that says what each method does to a layer (the workspace's figures
    /// and the held-out ones). DuQuant's `calibration`, if given, was fitted on `fit` with `p`. Nil if cancelled.
    static func transform(_ method: Method, fit: LayerData, scoring: Matrix?, _ p: QuantParams,
                          calibration given: DuQuantCalibration? = nil, cancel: CancelToken?,
                          progress: (@Sendable (Double) -> Void)?) -> Transformed? {
        let x = scoring ?? fit.input, w = fit.weight
        switch method {
        case .rtn:
            return Transformed(x: x, w: w, note: nil)
        case .smoothquant:
            guard let w else { return Transformed(x: x, w: nil, note: "no weight: smoothing skipped (same as RTN)") }
            let s = Smoothing.scales(x: fit.input, w: w, alpha: p.alpha)
            return Transformed(x: x.dividingColumns(by: s), w: w.multiplyingColumns(by: s), note: nil)
        case .hadamard:
            let h = Hadamard.blockSize(channels: x.cols, requested: p.block)
            let why = h != p.block ? " (\(p.block) does not divide \(x.cols) or is not a power of two)" : ""
            return Transformed(x: Hadamard.apply(x, block: h), w: w.map { Hadamard.apply($0, block: h) },
                               note: "\(h) channels per block" + why)
        case .quarot:
            if let r = RandomizedHadamard(width: x.cols, seed: p.seed) {
                return Transformed(x: r.apply(to: x), w: w.map { r.apply(to: $0) },
                                   note: "randomized Hadamard \(r.recipe), signs from seed \(p.seed)")
            }
            let h = Hadamard.blockSize(channels: x.cols, requested: p.block)
            return Transformed(x: Hadamard.apply(x, block: h), w: w.map { Hadamard.apply($0, block: h) },
                               note: quarotFallbackNote(width: x.cols, block: h))
        case .duquant:
            guard let cal = given ?? DuQuant.calibrate(fit, p, cancel: cancel, progress: progress) else { return nil }
            // On the fit tokens themselves, the calibration already holds X̃ (its last stage).
            return Transformed(x: scoring.map { cal.transform.apply(toInput: $0) } ?? cal.matrix(.rotation2),
                               w: w.map { cal.transform.apply(toWeight: $0) }, note: duquantNote(cal), calibration: cal)
        }
    }

    private func store(_ key: Key, _ t: Transformed) {
        state.withLock { s in
            if s.transforms.updateValue(t, forKey: key) == nil { s.order.append(key) } else { s.inputFigures[key] = nil }
            while s.order.count > capacity {
                let old = s.order.removeFirst()
                s.transforms[old] = nil
                s.inputFigures[old] = nil
            }
        }
    }

    static func key(_ method: Method, _ p: QuantParams) -> Key {
        switch method {
        case .rtn: .rtn
        case .smoothquant: .smooth(alpha: p.alpha)
        case .hadamard: .hadamard(block: p.block)
        case .quarot: .quarot(seed: p.seed, block: p.block)
        case .duquant: .duquant(p.calibrationKey)
        }
    }

    /// Why QuaRot-style fell back to the block Hadamard on a width without a constructible factorisation.
    static func quarotFallbackNote(width: Int, block: Int) -> String {
        "no Hadamard order n ≤ \(HadamardConstruction.maxOrder) with \(width) = n·2^m: block Hadamard \(block) instead"
    }

    static func duquantNote(_ cal: DuQuantCalibration) -> String? {
        !cal.smoothed && cal.params.smooth ? "no weight: smoothing skipped" : nil
    }
}
