import DuQuantCore

/// What arrives from the effect executor, once `update` has checked it is the latest of its kind.
extension App {
    /// A layer arrived: it becomes the open one, the figures of the previous one go, and it is evaluated.
    static func layerLoaded(_ state: inout AppState, index: Int, layer: LayerData, tokens: [String]?, summary: LayerSummary?,
                            stats: StageStats) -> [Effect] {
        if let summary, state.layers.indices.contains(index) {
            let known = state.layers[index].summary
            state.layers[index].summary = summary
            if summary.error == nil, let known {
                state.layers[index].summary?.error = known.error
                state.layers[index].summary?.errorParams = known.errorParams
                state.layers[index].summary?.errorMethod = known.errorMethod
            }
        }
        state.busy[.load] = nil
        state.loading = nil
        state.open = OpenLayer(index: index, data: layer, tokens: tokens)
        // Figures of another layer are not comparable.
        state.lastFigures = nil
        state.seedSpread = nil
        state.heldOut = nil
        state.previousFigures = nil
        if state.baseline != nil && state.baseline?.layer != index {
            state.baseline = nil
            state.notice = "baseline cleared: it was pinned on another layer"
        }
        // The NaN/inf rule (NumericAudit): the loader replaced them by 0; say so.
        if !layer.nonFinite.isEmpty { state.notice = layer.nonFinite.map(\.summary).joined(separator: "; ") }
        state.evaluation = nil
        state.stageStats = [.original: stats]
        state.heat = HeatView(tokens: layer.tokens, channels: layer.inFeatures)
        if state.step != nil { state.step = StepState() }
        return evaluate(&state) + ModelPanel.recompute(&state)
    }

    /// Figures arrived (an estimate, a partial answer or the complete set).
    static func evaluated(_ state: inout AppState, _ evaluation: LayerEvaluation, stats: [Stage: StageStats]) -> [Effect] {
        // An estimate or a partial answer keeps the job marked busy: more figures are coming.
        let complete = evaluation.estimate == nil && evaluation.pending.isEmpty
        if complete { state.busy[.evaluate] = nil }
        state.evaluation = evaluation
        if complete, let open = state.open {
            let now = Figures(layer: open.index, params: evaluation.params, methods: evaluation.methods)
            if let last = state.lastFigures, last.layer == now.layer, last.params != now.params {
                state.previousFigures = last
            }
            state.lastFigures = now
        }
        var effects: [Effect] = []
        if complete { effects += measureHeldOut(&state) }
        // A partial answer without DuQuant has no stage matrices yet: keep the Original's statistics.
        state.stageStats = stats.isEmpty ? state.stageStats.filter { $0.key == .original } : stats
        if let open = state.open, let m = evaluation.methods[state.listMethod] {
            var summary = state.layers[open.index].summary ?? LayerSummary(maxAbs: 0, ratio: 0)
            summary.error = m.outputRelError ?? m.actMSE
            summary.errorIsOutput = m.outputRelError != nil
            summary.errorParams = evaluation.params
            summary.errorMethod = state.listMethod
            state.layers[open.index].summary = summary
        }
        state.heat.clamp(tokens: evaluation.tokens, channels: evaluation.inFeatures)
        guard var step = state.step else { return effects }
        // New parameters may bring fewer rotation stages, blocks or steps.
        let stages = evaluation.calibration?.traces.count ?? 0
        step.rotation = min(step.rotation, max(0, stages - 1))
        step.traceIndex = min(step.traceIndex, max(0, (evaluation.calibration?.traces[step.rotation].count ?? 1) - 1))
        step.step = min(step.step, maxSteps(state, rotation: step.rotation))
        state.step = step
        return effects + requestStep(&state)
    }

    /// The step-through heatmap arrived (shown if still on its rotation).
    static func stepped(_ state: inout AppState, rotation: Int, step: Int, matrix: Matrix, stats: StageStats) {
        state.busy[.step] = nil
        guard state.step?.rotation == rotation else { return }
        state.step?.matrix = matrix
        state.step?.stats = stats
        state.step?.shownStep = step
    }

    /// The background scan measured a layer.
    static func layerSummary(_ state: inout AppState, index: Int, _ summary: LayerSummary) {
        var summary = summary
        if summary.error == nil, let known = state.layers[index].summary, known.error != nil {
            // The scan's first pass brings statistics only; keep the error already shown (and what it was
            // measured with: it may be stale).
            summary.error = known.error
            summary.errorIsOutput = known.errorIsOutput
            summary.errorParams = known.errorParams
            summary.errorMethod = known.errorMethod
        } else if summary.error != nil {
            summary.errorParams = state.scanSettings?.params
            summary.errorMethod = state.scanSettings?.method
        }
        state.layers[index].summary = summary
    }
}
