import DuQuantCore

/// The explorer's logic: one pure `update(state, msg) -> [Effect]`.
///
/// ```swift
/// var state = AppState(files: ["a.safetensors"], layers: entries)
/// var effects = App.start(&state)           // open the first layer, scan the rest
/// effects += App.update(&state, .key(.char("2")))
/// ```
package enum App {
    /// Effects to run at startup: open the first layer and scan all layers in the background.
    package static func start(_ state: inout AppState) -> [Effect] {
        guard !state.layers.isEmpty else {
            report(&state, "no layers found in \(state.files.joined(separator: ", "))")
            return []
        }
        return openLayer(&state, state.selected) + rescan(&state)
    }

    /// Applies `msg` to `state` and returns the work it asks for.
    package static func update(_ state: inout AppState, _ msg: Msg) -> [Effect] {
        Hop.here()
        switch msg {
        case .key(let key):
            return handleKey(&state, key)
        case .mouse(let event):
            return handleMouse(&state, event)
        case .resize(let size):
            state.size = size
            keepSelectionVisible(&state)
            return []
        case let .layerLoaded(generation, index, layer, tokens, summary, stats):
            guard generation == state.generation(.load) else { return [] }
            if let summary, state.layers.indices.contains(index) {
                let error = state.layers[index].summary?.error
                state.layers[index].summary = summary
                if summary.error == nil { state.layers[index].summary?.error = error }
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
            return evaluate(&state)
        case let .evaluated(generation, evaluation, stats):
            guard generation == state.generation(.evaluate) else { return [] }
            // An estimate or a partial answer keeps the job marked busy: more figures are coming.
            if evaluation.estimate == nil && evaluation.pending.isEmpty { state.busy[.evaluate] = nil }
            state.evaluation = evaluation
            if evaluation.estimate == nil && evaluation.pending.isEmpty, let open = state.open {
                let now = Figures(layer: open.index, params: evaluation.params, methods: evaluation.methods)
                if let last = state.lastFigures, last.layer == now.layer, last.params != now.params {
                    state.previousFigures = last
                }
                state.lastFigures = now
            }
            var effects: [Effect] = []
            if evaluation.estimate == nil && evaluation.pending.isEmpty { effects += measureHeldOut(&state) }
            // A partial answer without DuQuant has no stage matrices yet: keep the Original's statistics.
            state.stageStats = stats.isEmpty ? state.stageStats.filter { $0.key == .original } : stats
            if let open = state.open, let m = evaluation.methods[state.listMethod] {
                var summary = state.layers[open.index].summary ?? LayerSummary(maxAbs: 0, ratio: 0)
                summary.error = m.outputRelError ?? m.actMSE
                summary.errorIsOutput = m.outputRelError != nil
                state.layers[open.index].summary = summary
            }
            state.heat.clamp(tokens: evaluation.tokens, channels: evaluation.inFeatures)
            if var step = state.step {
                // New parameters may bring fewer rotation stages, blocks or steps.
                let stages = evaluation.calibration?.traces.count ?? 0
                step.rotation = min(step.rotation, max(0, stages - 1))
                step.traceIndex = min(step.traceIndex, max(0, (evaluation.calibration?.traces[step.rotation].count ?? 1) - 1))
                step.step = min(step.step, maxSteps(state, rotation: step.rotation))
                state.step = step
                return effects + requestStep(&state)
            }
            return effects
        case let .progress(kind, generation, fraction, elapsed):
            guard generation == state.generation(kind), let busy = state.busy[kind] else { return [] }
            state.busy[kind] = Busy(what: busy.what, fraction: fraction, elapsed: elapsed)
            return []
        case let .stepped(generation, rotation, step, matrix, stats):
            guard generation == state.generation(.step), state.step != nil else { return [] }
            state.busy[.step] = nil
            if state.step?.rotation == rotation {
                state.step?.matrix = matrix
                state.step?.stats = stats
                state.step?.shownStep = step
            }
            return []
        case let .layerSummary(generation, index, summary):
            guard generation == state.generation(.scan), state.layers.indices.contains(index) else { return [] }
            var summary = summary
            if summary.error == nil, let known = state.layers[index].summary, known.error != nil {
                // The scan's first pass brings statistics only; keep the error already shown.
                summary.error = known.error
                summary.errorIsOutput = known.errorIsOutput
            }
            state.layers[index].summary = summary
            return []
        case let .scanFinished(generation):
            if generation == state.generation(.scan) { state.busy[.scan] = nil }
            return []
        case let .seedSpreadMeasured(generation, params, spread):
            guard generation == state.generation(.spread) else { return [] }
            state.busy[.spread] = nil
            state.seedSpread = (params, spread)
            return []
        case let .heldOutMeasured(generation, _, result):
            guard generation == state.generation(.heldOut) else { return [] }
            state.busy[.heldOut] = nil
            state.heldOut = result
            return []
        case let .failed(kind, generation, message):
            guard generation == state.generation(kind) else { return [] }
            report(&state, message)
            state.busy[kind] = nil
            if kind == .load { state.loading = nil }
            return []
        }
    }

    // MARK: - Shared steps

    /// With tokens held out, asks for the split's figures on the open layer (after each complete evaluation).
    static func measureHeldOut(_ state: inout AppState) -> [Effect] {
        guard let spec = state.heldOutSpec, let open = state.open, state.currentHeldOut == nil else { return [] }
        let g = state.nextGeneration(.heldOut)
        state.busy[.heldOut] = Busy(what: "held out \(spec)")
        return [.heldOut(layer: open.index, params: state.params, spec: spec, generation: g)]
    }

    /// Shows `problem` in the status bar until dismissed and adds it to the session's list.
    package static func report(_ state: inout AppState, _ problem: String) {
        state.lastError = problem
        if state.problems.last != problem { state.problems.append(problem) }
    }

    /// Opens layer `index`: clears results and asks for its data.
    static func openLayer(_ state: inout AppState, _ index: Int) -> [Effect] {
        Hop.here()
        guard state.layers.indices.contains(index) else { return [] }
        // A sample's sidecar names the parameters it is meant to be seen with: switching to its file
        // switches to them (staying in one file keeps the user's changes).
        let file = state.layers[index].file
        if let preset = state.presets[file], state.open.map({ state.layers[$0.index].file }) != file,
           state.open != nil, preset.params != state.params {
            state.params = preset.params
            state.notice = preset.source
        }
        state.selected = index
        keepSelectionVisible(&state)
        let g = state.nextGeneration(.load)
        _ = state.nextGeneration(.evaluate)  // results for the previous layer are stale now
        state.busy[.evaluate] = nil
        state.busy[.load] = Busy(what: "loading \(state.layers[index].shortName)")
        state.loading = index
        return [.loadLayer(index: index, generation: g)]
    }

    /// Recomputes every method on the open layer with the current parameters.
    static func evaluate(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard let open = state.open else { return [] }
        let g = state.nextGeneration(.evaluate)
        state.busy[.evaluate] = Busy(what: "computing")
        return [.evaluate(layer: open.index, params: state.params, generation: g, anatomy: state.showAnatomy)]
    }

    /// Restarts the background scan of all layers.
    static func rescan(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard !state.layers.isEmpty else { return [] }
        let g = state.nextGeneration(.scan)
        state.busy[.scan] = Busy(what: "scanning layers")
        return [.scanLayers(params: state.params, method: state.listMethod, generation: g)]
    }

    /// Sets new parameters and recomputes what depends on them.
    static func setParams(_ state: inout AppState, _ p: QuantParams) -> [Effect] {
        Hop.here()
        guard p != state.params else { return [] }
        do { try p.validate() } catch {
            report(&state, error.message)
            return []
        }
        state.params = p
        state.lastError = nil
        return evaluate(&state) + rescan(&state)
    }

    /// Asks for the step-through heatmap of the current step.
    static func requestStep(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard let step = state.step, let calibration = state.calibration else { return [] }
        let g = state.nextGeneration(.step)
        state.busy[.step] = Busy(what: "step \(step.step)")
        return [.stepThrough(calibration: calibration, rotation: step.rotation, step: step.step, generation: g)]
    }

    /// Keeps the selected layer inside the visible list rows.
    static func keepSelectionVisible(_ state: inout AppState) {
        let layout = ScreenLayout(size: state.size, compare: state.compare)
        let rows = max(1, layout.list.height - 1)
        let row = state.selectedRow
        if row < state.listOffset { state.listOffset = row }
        if row >= state.listOffset + rows { state.listOffset = row - rows + 1 }
        state.listOffset = max(0, min(state.listOffset, max(0, state.layers.count - rows)))
    }

    /// Tokens and channels per heatmap bin at the current size (the cursor's step).
    package static func heatBinSize(_ state: AppState) -> (tokens: Int, channels: Int) {
        let layout = ScreenLayout(size: state.size, compare: state.compare)
        let rows = max(1, layout.heat.height * state.heatRowsPerCell)
        let cols = max(1, layout.heat.width)
        return (max(1, state.heat.tokenSpan / rows), max(1, state.heat.channelSpan / cols))
    }

    /// How many bins the main heatmap shows along each axis at the current size: one per value in the
    /// teaching view, else as the pooled heatmap divides the visible span (never more than the items).
    package static func heatBins(_ state: AppState) -> (rows: Int, columns: Int) {
        if let g = state.teachingGrid { return (g.tokens.count, g.channels.count) }
        let layout = ScreenLayout(size: state.size, compare: state.compare)
        let rows = max(1, layout.heat.height * state.heatRowsPerCell)
        let cols = max(1, layout.heat.width)
        return (min(rows, max(1, state.heat.tokenSpan)), min(cols, max(1, state.heat.channelSpan)))
    }

    /// Greedy steps available in rotation stage `rotation` (the longest block trace).
    package static func maxSteps(_ state: AppState, rotation: Int) -> Int {
        guard let traces = state.calibration?.traces, traces.indices.contains(rotation) else { return 0 }
        return traces[rotation].map(\.chosen.count).max() ?? 0
    }
}
