import CMalloc
import DuQuantCore
import ExplorerModel
import Foundation

/// Runs ``Effect``s off the input thread and posts their results as ``Msg``s.
///
/// One serial queue per kind of work; a new effect of a kind cancels the running one (its `CancelToken`),
/// so stale work stops early and the UI never waits. With `synchronous` the work runs inline (tests and
/// the headless `render`).
package final class EffectExecutor: @unchecked Sendable {
    private let source: LayerSource
    /// The Model panel's loop (nil: no model attached).
    private let model: ModelBackend?
    private let post: @Sendable (Msg) -> Void
    private let synchronous: Bool
    /// Guards the state below; broadcast when interactive work ends or a job is cancelled, which is what
    /// the background scan waits for (``waitForInteractiveWork(_:)``).
    private let lock = NSCondition()
    private var tokens: [EffectKind: CancelToken] = [:]
    private var cached: (index: Int, layer: LayerData, tokens: [String]?)?
    /// The open layer's evaluation cache: bits and clipping changes reuse its transforms.
    private var workspace: (index: Int, ws: EvaluationWorkspace)?
    private var queues: [EffectKind: DispatchQueue] = [:]
    /// Interactive jobs (load, evaluate, step) running now; the background scan waits for them.
    private var interactive = 0
    /// Effects `run` skips (the headless render skips the background scan).
    package var skipped: Set<EffectKind> = []

    package init(source: LayerSource, model: ModelBackend? = nil, synchronous: Bool = false, post: @escaping @Sendable (Msg) -> Void) {
        self.source = source
        self.model = model
        self.synchronous = synchronous
        self.post = post
        for (kind, qos) in [(EffectKind.load, DispatchQoS.userInitiated), (.evaluate, .userInitiated),
                            (.step, .userInitiated), (.scan, .utility), (.spread, .utility), (.heldOut, .utility),
                            (.model, .utility), (.sensitivity, .utility)] {
            queues[kind] = DispatchQueue(label: "duquant.\(kind)", qos: qos)
        }
    }

    /// Starts `effect`; `.cancel` stops a kind's work.
    package func run(_ effect: Effect) {
        Hop.here()
        if case .cancel(let kind) = effect {
            lock.withLock { tokens[kind]?.cancel(); lock.broadcast() }
            return
        }
        guard let kind = effect.kind, !skipped.contains(kind) else { return }
        let token = CancelToken()
        lock.withLock {
            tokens[kind]?.cancel()
            tokens[kind] = token
            lock.broadcast()
        }
        let work: @Sendable () -> Void = { [self] in
            guard !token.isCancelled else { return }
            // The model's passes are long background work: like the scan, they do not hold the scan back.
            let counts = kind != .scan && kind != .model && kind != .sensitivity
            if counts { lock.withLock { interactive += 1 } }
            defer {
                let idle = lock.withLock {
                    if counts { interactive -= 1 }
                    if interactive == 0 { lock.broadcast() }
                    return interactive == 0
                }
                // A computation frees tens of MB of intermediates (a 7B layer's, gigabytes); malloc keeps
                // them in its arenas, one per thread that computed, so the resident size wandered by
                // ±10 MB from change to change and only ever rose to the largest peak. Handed back when
                // the interactive work is done, it measures what the explorer holds (issue 23).
                if idle { duq_release_free_heap() }
            }
            switch effect {
            case let .loadLayer(index, generation): load(index, generation, token)
            case let .evaluate(layer, params, generation, anatomy): evaluate(layer, params, generation, anatomy, token)
            case let .stepThrough(calibration, rotation, step, generation): stepThrough(calibration, rotation, step, generation)
            case let .scanLayers(params, method, generation): scan(params, method, generation, token)
            case let .seedSpread(layer, params, seeds, generation): spread(layer, params, seeds, generation, token)
            case let .heldOut(layer, params, mode, generation): heldOut(layer, params, mode.spec, generation, token)
            case let .modelPerplexity(request, withFP, generation): modelPerplexity(request, withFP, generation, token)
            case let .modelSensitivity(method, params, generation): sensitivity(method, params, generation, token)
            case .cancel: break
            }
        }
        if synchronous { work() } else { queues[kind]!.async(execute: work) }
    }

    /// Cancels everything running (on quit).
    package func cancelAll() {
        lock.withLock { for t in tokens.values { t.cancel() }; lock.broadcast() }
    }

    // MARK: Jobs

    private func layer(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?) {
        if let c = lock.withLock({ cached }), c.index == index { return (c.layer, c.tokens) }
        let (layer, tokens) = try source.load(index)
        lock.withLock { cached = (index, layer, tokens) }
        return (layer, tokens)
    }

    /// The frame every job on the open layer shares: a progress reporter for `kind`, the layer loaded (or
    /// taken from the cache), and a failure to load posted as the job's one-line problem.
    private func withLayer(_ index: Int, _ kind: EffectKind, _ generation: Int,
                           _ body: (LayerData, [String]?, ProgressReporter) -> Void) {
        let progress = ProgressReporter(kind: kind, generation: generation, post: post, synchronous: synchronous)
        defer { progress.finish() }
        let loaded: (LayerData, [String]?)
        do { loaded = try layer(index) } catch {
            post(.failed(kind: kind, generation: generation, message: error.message))
            return
        }
        body(loaded.0, loaded.1, progress)
    }

    private func load(_ index: Int, _ generation: Int, _ token: CancelToken) {
        withLayer(index, .load, generation) { data, tokens, _ in
            guard !token.isCancelled else { return }
            let stats = ActivationStats.of(data.input)
            post(.layerLoaded(generation: generation, index: index, layer: data, tokens: tokens,
                              summary: LayerSummary(maxAbs: stats.maxAbs, ratio: stats.ratio),
                              stats: StageStats.of(data.input)))
        }
    }

    private func evaluate(_ index: Int, _ params: QuantParams, _ generation: Int, _ anatomy: Bool, _ token: CancelToken) {
        withLayer(index, .evaluate, generation) { data, _, progress in
            let ws: EvaluationWorkspace = lock.withLock {
                if let w = workspace, w.index == index { return w.ws }
                let w = EvaluationWorkspace(data)
                workspace = (index, w)
                return w
            }
            // Each method's figures are posted as soon as they are measured (RTN, SmoothQuant and Hadamard
            // need no search, so they show while DuQuant searches). A large layer answers twice: first
            // from a sample of its tokens (marked as an estimate), then exactly; the transforms are searched
            // once, on all tokens, and cached for both, except a DuQuant search too long to wait for: the
            // estimate then previews it on fewer tokens and the exact pass searches on all of them.
            let postPartial: (LayerEvaluation) -> Void = { [post] e in
                guard !token.isCancelled else { return }
                post(.evaluated(generation: generation, evaluation: e, stats: e.calibration.map { StageStats.of($0) } ?? [:]))
            }
            let estimating = Self.wantsEstimate(data)
            // Without a preview the estimate pass holds DuQuant's search (most of the work); with one
            // (``EvaluationWorkspace/previewTokens(_:_:)``) the search is in the exact pass.
            let searchedInEstimate = ws.cachedCalibration(params.resolved(for: .duquant)) != nil
                || EvaluationWorkspace.previewTokens(data, params.resolved(for: .duquant)) == nil
            let share = estimating ? (searchedInEstimate ? 0.85 : 0.1) : 0
            var estimated: LayerEvaluation? = nil
            if estimating {
                guard let estimate = ws.evaluate(params, methods: Method.allCases, cancel: token,
                                                 sampleTokens: Self.estimateTokens,
                                                 progress: { progress.report(share * $0) },
                                                 partial: postPartial) else { return }
                guard !token.isCancelled else { return }
                post(.evaluated(generation: generation, evaluation: estimate,
                                stats: estimate.calibration.map { StageStats.of($0) } ?? [:]))
                estimated = estimate
            }
            // The exact pass replaces each estimate as soon as its method is measured on every token.
            let replacing: ((LayerEvaluation) -> Void)? = estimated.map { estimate in
                { exact in postPartial(Self.merging(exact, into: estimate)) }
            }
            // DuQuant first: the others' estimates are already within a few percent of exact.
            guard let e = ws.evaluate(params, methods: Method.allCases, cancel: token,
                                      leading: estimating ? .duquant : nil,
                                      progress: { progress.report(share + (1 - share) * $0) },
                                      partial: replacing ?? postPartial, anatomy: anatomy) else { return }
            guard !token.isCancelled else { return }
            let stats = e.calibration.map { StageStats.of($0) } ?? [:]
            guard !token.isCancelled else { return }
            post(.evaluated(generation: generation, evaluation: e, stats: stats))
        }
    }

    private func spread(_ index: Int, _ params: QuantParams, _ seeds: Int, _ generation: Int, _ token: CancelToken) {
        withLayer(index, .spread, generation) { data, _, progress in
            guard let s = SeedSpread.measure(data, params, seeds: seeds, cancel: token, progress: { progress.report($0) }),
                  !token.isCancelled else { return }
            post(.seedSpreadMeasured(generation: generation, params: params, spread: s))
        }
    }

    private func heldOut(_ index: Int, _ params: QuantParams, _ spec: String, _ generation: Int, _ token: CancelToken) {
        withLayer(index, .heldOut, generation) { data, _, progress in
            let split: TokenSplit
            do throws(ParameterError) { split = try TokenSplit(spec, tokens: data.tokens) } catch {
                post(.failed(kind: .heldOut, generation: generation, message: error.message))
                return
            }
            let clean = data.replacingNonFinite()
            let fitLayer = LayerData(name: clean.name, input: clean.input.gatheringRows(split.fit), weight: clean.weight)
            guard let fit = Evaluator.evaluate(fitLayer, params, cancel: token, progress: { progress.report(0.5 * $0) }),
                  !token.isCancelled else { return }
            progress.report(0.5)
            guard let held = Evaluator.evaluateHeldOut(fit: fitLayer, scoring: clean.input.gatheringRows(split.eval), params,
                                                       calibration: fit.calibration, cancel: token),
                  !token.isCancelled else { return }
            post(.heldOutMeasured(generation: generation, params: params, result: HeldOutResult(
                layer: index, params: params, fit: fit.methods, heldOut: HeldOutFigures(source: .tokens(split), methods: held.methods))))
        }
    }

    private func modelPerplexity(_ request: ModelRequest, _ withFP: Bool, _ generation: Int, _ token: CancelToken) {
        guard let model else { return }
        let progress = ProgressReporter(kind: .model, generation: generation, post: post, synchronous: synchronous)
        defer { progress.finish() }
        do {
            // The full-precision pass first (kept by the model: scope "this layer" starts from its hidden states).
            let share = withFP ? 0.4 : 0
            if withFP {
                guard let fp = try model.fullPrecision(cancel: token, progress: { progress.report(share * $0) }), !token.isCancelled else { return }
                post(.model(.fullPrecision(generation: generation, perplexity: fp)))
            }
            guard let ppl = try model.perplexity(request, cancel: token, progress: { progress.report(share + (1 - share) * $0) }),
                  !token.isCancelled else { return }
            post(.model(.figure(generation: generation, request: request, perplexity: ppl)))
        } catch {
            post(.failed(kind: .model, generation: generation, message: "model: \(error)"))
        }
    }

    private func sensitivity(_ method: Method, _ params: QuantParams, _ generation: Int, _ token: CancelToken) {
        guard let model else { return }
        let progress = ProgressReporter(kind: .sensitivity, generation: generation, post: post, synchronous: synchronous)
        defer { progress.finish() }
        do {
            _ = try model.sensitivity(method: method, params: params, cancel: token, progress: { progress.report($0) }) { [post] layer, ppl, last in
                guard !token.isCancelled else { return }
                post(.model(.sensitivity(generation: generation, layer: layer, perplexity: ppl, finished: last)))
            }
        } catch {
            post(.failed(kind: .sensitivity, generation: generation, message: "sensitivity: \(error)"))
        }
    }

    /// `estimate` with the methods `exact` has measured replaced by their exact figures (and marked so),
    /// the others still estimated; nothing pending.
    static func merging(_ exact: LayerEvaluation, into estimate: LayerEvaluation) -> LayerEvaluation {
        var out = estimate
        for (m, figures) in exact.methods { out.methods[m] = figures }
        out.estimate?.exact = Set(exact.methods.keys)
        if exact.calibration != nil { out.calibration = exact.calibration }
        out.pending = []
        return out
    }

    /// Tokens an estimate is computed on.
    static let estimateTokens = 256

    /// Whether `layer` is large enough for an estimate first: its output product alone is over about
    /// 2 GFLOP (tens of milliseconds), and it has well over `estimateTokens` tokens.
    static func wantsEstimate(_ layer: LayerData) -> Bool {
        guard let out = layer.outFeatures, layer.tokens >= 4 * estimateTokens else { return false }
        return 2 * Double(layer.tokens) * Double(out) * Double(layer.inFeatures) > 2e9
    }

    private func stepThrough(_ cal: DuQuantCalibration, _ rotation: Int, _ step: Int, _ generation: Int) {
        guard cal.traces.indices.contains(rotation) else {
            post(.failed(kind: .step, generation: generation, message: "no calibration to step through"))
            return
        }
        // Each block after the steps its search kept: a step the search tried and dropped changes nothing.
        let m = cal.stepThrough(rotation: rotation, steps: step, keptOnly: true)
        post(.stepped(generation: generation, rotation: rotation, step: step, matrix: m, stats: StageStats.of(m)))
    }

    private func scan(_ params: QuantParams, _ method: Method, _ generation: Int, _ token: CancelToken) {
        let n = source.entries.count
        let progress = ProgressReporter(kind: .scan, generation: generation, post: post, synchronous: synchronous)
        defer { progress.finish() }
        // Two passes: the cheap statistics of every layer first, so the list fills at once; then each
        // layer's error, which needs a calibration. Both give way to interactive work (loading or
        // evaluating the open layer): on two cores a background calibration would halve its speed.
        var stats: [Int: ActivationStats] = [:]
        for index in 0..<n {
            guard waitForInteractiveWork(token) else { return }
            progress.report(0.1 * Double(index) / Double(max(1, n)))
            guard let (data, _) = try? source.load(index) else { continue }  // its error shows when opened
            let s = ActivationStats.of(data.input)
            stats[index] = s
            guard !token.isCancelled else { return }
            post(.layerSummary(generation: generation, index: index, summary: LayerSummary(maxAbs: s.maxAbs, ratio: s.ratio)))
        }
        for index in 0..<n {
            guard let s = stats[index], waitForInteractiveWork(token) else {
                if token.isCancelled { return }
                continue
            }
            progress.report(0.1 + 0.9 * Double(index) / Double(max(1, n)))
            guard let (data, _) = try? source.load(index) else { continue }
            var summary = LayerSummary(maxAbs: s.maxAbs, ratio: s.ratio)
            if let e = Evaluator.evaluate(data, params, methods: [method], cancel: token), let m = e.methods[method] {
                summary.error = m.outputRelError ?? m.actMSE
                summary.errorIsOutput = m.outputRelError != nil
            }
            guard !token.isCancelled else { return }
            post(.layerSummary(generation: generation, index: index, summary: summary))
        }
        post(.scanFinished(generation: generation))
    }

    /// Waits while interactive work runs; false if `token` was cancelled meanwhile.
    ///
    /// Sleeps on the condition: the end of the last interactive job and every cancellation broadcast it,
    /// both under the lock, so neither can be missed between the check and the wait.
    private func waitForInteractiveWork(_ token: CancelToken) -> Bool {
        guard !synchronous else { return !token.isCancelled }
        lock.lock()
        defer { lock.unlock() }
        while interactive > 0 && !token.isCancelled { lock.wait() }
        return !token.isCancelled
    }
}
