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

    /// Applies `msg` to `state` and returns the work it asks for: input goes to the key table or the mouse,
    /// results to the handlers in `App+Results.swift`.
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
            return layerLoaded(&state, index: index, layer: layer, tokens: tokens, summary: summary, stats: stats)
        case let .evaluated(generation, evaluation, stats):
            guard generation == state.generation(.evaluate) else { return [] }
            return evaluated(&state, evaluation, stats: stats)
        case let .progress(kind, generation, fraction, elapsed):
            guard generation == state.generation(kind), let busy = state.busy[kind] else { return [] }
            state.busy[kind] = Busy(what: busy.what, fraction: fraction, elapsed: elapsed)
            return []
        case let .stepped(generation, rotation, step, matrix, stats):
            guard generation == state.generation(.step), state.step != nil else { return [] }
            stepped(&state, rotation: rotation, step: step, matrix: matrix, stats: stats)
            return []
        case let .layerSummary(generation, index, summary):
            guard generation == state.generation(.scan), state.layers.indices.contains(index) else { return [] }
            layerSummary(&state, index: index, summary)
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
        case .model(let m):
            return ModelPanel.update(&state, m)
        case let .failed(kind, generation, message):
            guard generation == state.generation(kind) else { return [] }
            report(&state, message)
            state.busy[kind] = nil
            if kind == .load { state.loading = nil }
            if kind == .model { state.model.computing = nil }
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
        state.scanSettings = (state.params, state.listMethod)
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
        return evaluate(&state) + rescan(&state) + ModelPanel.recompute(&state)
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
