import DuQuantCore

/// What arrives from the effect executor: checked to be the latest of its kind, then kept in the shared data
/// and passed to the components that keep something of it.
extension App {
    static func result(_ state: inout AppState, _ msg: Msg) -> [Effect] {
        let jobs = state.jobs
        switch msg {
        case let .layerLoaded(generation, index, layer, tokens, summary, stats):
            guard generation == jobs.generation(.load) else { return [] }
            return layerLoaded(&state, index: index, layer: layer, tokens: tokens, summary: summary, stats: stats)
        case let .evaluated(generation, evaluation, stats):
            guard generation == jobs.generation(.evaluate) else { return [] }
            return evaluated(&state, evaluation, stats: stats)
        case let .progress(kind, generation, fraction, elapsed):
            guard generation == jobs.generation(kind), let busy = jobs.busy[kind] else { return [] }
            state.jobs.busy[kind] = Busy(what: busy.what, fraction: fraction, elapsed: elapsed)
            return []
        case let .stepped(generation, rotation, step, matrix, stats):
            guard generation == jobs.generation(.step), state.heatmap.step != nil else { return [] }
            state.jobs.busy[.step] = nil
            return route(&state, .step(.stepped(rotation: rotation, step: step, matrix: matrix, stats: stats)))
        case let .layerSummary(generation, index, summary):
            guard generation == jobs.generation(.scan), state.shared.layers.indices.contains(index) else { return [] }
            layerSummary(&state, index: index, summary)
            return []
        case let .scanFinished(generation):
            if generation == jobs.generation(.scan) { state.jobs.busy[.scan] = nil }
            return []
        case let .seedSpreadMeasured(generation, params, spread):
            guard generation == jobs.generation(.spread) else { return [] }
            state.jobs.busy[.spread] = nil
            return route(&state, .methods(.seedSpreadMeasured(params: params, spread: spread)))
        case let .heldOutMeasured(generation, _, result):
            guard generation == jobs.generation(.heldOut) else { return [] }
            state.jobs.busy[.heldOut] = nil
            return route(&state, .methods(.heldOutMeasured(result)))
        case let .failed(kind, generation, message):
            guard generation == jobs.generation(kind) else { return [] }
            report(&state, message)
            state.jobs.busy[kind] = nil
            if kind == .load { state.shared.loading = nil }
            if kind == .model { _ = route(&state, .model(.computing(nil))) }
            return []
        default:
            return []
        }
    }

    /// A layer arrived: it becomes the open one, the figures of the previous one go, and it is evaluated.
    static func layerLoaded(_ state: inout AppState, index: Int, layer: LayerData, tokens: [String]?, summary: LayerSummary?,
                            stats: StageStats) -> [Effect] {
        if let summary, state.shared.layers.indices.contains(index) {
            let known = state.shared.layers[index].summary
            state.shared.layers[index].summary = summary
            if summary.error == nil, let known {
                state.shared.layers[index].summary?.error = known.error
                state.shared.layers[index].summary?.errorParams = known.errorParams
                state.shared.layers[index].summary?.errorMethod = known.errorMethod
            }
        }
        state.jobs.busy[.load] = nil
        state.shared.loading = nil
        state.shared.open = OpenLayer(index: index, data: layer, tokens: tokens)
        // Figures of another layer are not comparable.
        var effects = route(&state, .methods(.layerOpened(index)))
        // The NaN/inf rule (NumericAudit): the loader replaced them by 0; say so.
        if !layer.nonFinite.isEmpty { effects += notice(&state, layer.nonFinite.map(\.summary).joined(separator: "; ")) }
        state.shared.evaluation = nil
        state.shared.stageStats = [.original: stats]
        effects += route(&state, .heatmap(.layerOpened(tokens: layer.tokens, channels: layer.inFeatures)))
        return effects + evaluate(&state) + modelRecompute(&state)
    }

    /// Figures arrived (an estimate, a partial answer or the complete set).
    static func evaluated(_ state: inout AppState, _ evaluation: LayerEvaluation, stats: [Stage: StageStats]) -> [Effect] {
        // An estimate or a partial answer keeps the job marked busy: more figures are coming.
        let complete = evaluation.estimate == nil && evaluation.pending.isEmpty
        if complete { state.jobs.busy[.evaluate] = nil }
        state.shared.evaluation = evaluation
        var effects: [Effect] = []
        if complete, let open = state.shared.open {
            effects += route(&state, .methods(.figures(Figures(layer: open.index, params: evaluation.params, methods: evaluation.methods))))
        }
        if complete { effects += measureHeldOut(&state) }
        // A partial answer without DuQuant has no stage matrices yet: keep the Original's statistics.
        state.shared.stageStats = stats.isEmpty ? state.shared.stageStats.filter { $0.key == .original } : stats
        let method = state.list.method
        if let open = state.shared.open, let m = evaluation.methods[method] {
            var summary = state.shared.layers[open.index].summary ?? LayerSummary(maxAbs: 0, ratio: 0)
            summary.error = m.outputRelError ?? m.actMSE
            summary.errorIsOutput = m.outputRelError != nil
            summary.errorParams = evaluation.params
            summary.errorMethod = method
            state.shared.layers[open.index].summary = summary
        }
        effects += route(&state, .heatmap(.evaluated(tokens: evaluation.tokens, channels: evaluation.inFeatures)))
        return effects + route(&state, .step(.evaluated))
    }

    /// The background scan measured a layer.
    static func layerSummary(_ state: inout AppState, index: Int, _ summary: LayerSummary) {
        var summary = summary
        if summary.error == nil, let known = state.shared.layers[index].summary, known.error != nil {
            // The scan's first pass brings statistics only; keep the error already shown (and what it was
            // measured with: it may be stale).
            summary.error = known.error
            summary.errorIsOutput = known.errorIsOutput
            summary.errorParams = known.errorParams
            summary.errorMethod = known.errorMethod
        } else if summary.error != nil {
            summary.errorParams = state.shared.scanSettings?.params
            summary.errorMethod = state.shared.scanSettings?.method
        }
        state.shared.layers[index].summary = summary
    }
}
