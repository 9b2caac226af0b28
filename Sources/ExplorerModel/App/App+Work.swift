import DuQuantCore

/// The work the app starts for its components: each kind stamped with a new generation (older results of
/// the kind are then ignored) and marked busy in the status bar.
extension App {
    /// Opens layer `index`: clears results and asks for its data.
    static func openLayer(_ state: inout AppState, _ index: Int) -> [Effect] {
        Hop.here()
        guard state.shared.layers.indices.contains(index) else { return [] }
        // A sample's sidecar names the parameters it is meant to be seen with: switching to its file
        // switches to them (staying in one file keeps the user's changes).
        let shared = state.shared
        let file = shared.layers[index].file
        if let preset = shared.presets[file], shared.open.map({ shared.layers[$0.index].file }) != file,
           shared.open != nil, preset.params != shared.params {
            state.shared.params = preset.params
            _ = notice(&state, preset.source)
        }
        _ = route(&state, .list(.select(index)))
        let g = state.jobs.next(.load)
        _ = state.jobs.next(.evaluate)  // results for the previous layer are stale now
        state.jobs.busy[.evaluate] = nil
        state.jobs.busy[.load] = Busy(what: "loading \(state.shared.layers[index].shortName)")
        state.shared.loading = index
        return [.loadLayer(index: index, generation: g)]
    }

    /// Recomputes every method on the open layer with the current parameters.
    static func evaluate(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard let open = state.shared.open else { return [] }
        let g = state.jobs.next(.evaluate)
        state.jobs.busy[.evaluate] = Busy(what: "computing")
        return [.evaluate(layer: open.index, params: state.shared.params, generation: g, anatomy: state.methods.showAnatomy)]
    }

    /// Restarts the background scan of all layers.
    static func rescan(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard !state.shared.layers.isEmpty else { return [] }
        let g = state.jobs.next(.scan)
        state.jobs.busy[.scan] = Busy(what: "scanning layers")
        state.shared.scanSettings = (state.shared.params, state.list.method)
        return [.scanLayers(params: state.shared.params, method: state.list.method, generation: g)]
    }

    /// Sets new parameters and recomputes what depends on them.
    static func setParams(_ state: inout AppState, _ p: QuantParams) -> [Effect] {
        Hop.here()
        guard p != state.shared.params else { return [] }
        do { try p.validate() } catch {
            report(&state, error.message)
            return []
        }
        state.shared.params = p
        _ = route(&state, .status(.clearError))
        return evaluate(&state) + rescan(&state) + modelRecompute(&state)
    }

    /// Asks for the step-through heatmap of the current step.
    static func requestStep(_ state: inout AppState) -> [Effect] {
        Hop.here()
        guard let step = state.heatmap.step, let calibration = state.shared.calibration else { return [] }
        let g = state.jobs.next(.step)
        state.jobs.busy[.step] = Busy(what: "step \(step.step)")
        return [.stepThrough(calibration: calibration, rotation: step.rotation, step: step.step, generation: g)]
    }

    /// With tokens held out, asks for the split's figures on the open layer (after each complete evaluation).
    static func measureHeldOut(_ state: inout AppState) -> [Effect] {
        guard let mode = state.methods.heldOutMode, let open = state.shared.open, state.currentHeldOut == nil else { return [] }
        let g = state.jobs.next(.heldOut)
        state.jobs.busy[.heldOut] = Busy(what: "held out \(mode.spec)")
        return [.heldOut(layer: open.index, params: state.shared.params, mode: mode, generation: g)]
    }

    /// `N`: how much the seed alone moves DuQuant here: 4 more calibrations, in the background.
    static func measureSeedSpread(_ state: inout AppState) -> [Effect] {
        guard let open = state.shared.open else { return [] }
        let g = state.jobs.next(.spread)
        state.jobs.busy[.spread] = Busy(what: "seeds 0–3")
        return [.seedSpread(layer: open.index, params: state.shared.params, seeds: ExplorerDefaults.spreadSeeds, generation: g)]
    }

    /// Esc stops the computation in progress, and the background scan of the other layers with it.
    static func stopComputation(_ state: inout AppState) -> [Effect] {
        var kinds: [EffectKind] = [.evaluate, .scan]
        // The Model panel's work stops with it: Esc stops every computation in progress.
        if state.jobs.busy[.model] != nil || state.jobs.busy[.sensitivity] != nil {
            kinds += [.model, .sensitivity]
            _ = route(&state, .model(.computing(nil)))
        }
        for kind in kinds {
            _ = state.jobs.next(kind)
            state.jobs.busy[kind] = nil
        }
        return kinds.map { .cancel($0) }
    }

    /// Asks for the Model panel's figure of the current state when it is neither shown nor being
    /// computed; the full-precision figure with the first request.
    static func modelRecompute(_ state: inout AppState) -> [Effect] {
        guard let r = state.modelRequest, state.model.figure?.request != r, state.model.computing != r else { return [] }
        let g = state.jobs.next(.model)
        _ = route(&state, .model(.computing(r)))
        state.jobs.busy[.model] = Busy(what: r.scope == .all ? "model ppl, all layers" : "model ppl, this layer")
        return [.modelPerplexity(request: r, withFullPrecision: state.model.fullPrecision == nil, generation: g)]
    }

    /// `Z`: per-layer sensitivity, computed once per (method, parameters); on the current one, `Z` hides or
    /// shows the list.
    static func modelSensitivity(_ state: inout AppState) -> [Effect] {
        let method = state.list.method, params = state.shared.params
        if let s = state.model.sensitivity, s.method == method, s.params == params { return route(&state, .model(.flipSensitivityList)) }
        let layers = state.shared.layers.filter { $0.name.contains(".layers.") }.count
        _ = route(&state, .model(.sensitivityStarted(method: method, params: params, layers: layers)))
        let g = state.jobs.next(.sensitivity)
        state.jobs.busy[.sensitivity] = Busy(what: "sensitivity per layer")
        return [.modelSensitivity(method: method, params: params, generation: g)]
    }

    /// The Model panel's messages: results are checked against their job's generation (and end it), then go
    /// to the panel like its keys.
    static func modelMessage(_ state: inout AppState, _ m: ModelPanel.Msg) -> [Effect] {
        switch m {
        case .fullPrecision(let g, _):
            guard g == state.jobs.generation(.model) else { return [] }
        case .figure(let g, _, _):
            guard g == state.jobs.generation(.model) else { return [] }
            state.jobs.busy[.model] = nil
            return route(&state, .model(m)) + modelRecompute(&state)
        case .sensitivity(let g, _, _, let finished):
            guard g == state.jobs.generation(.sensitivity) else { return [] }
            if finished { state.jobs.busy[.sensitivity] = nil }
        default: break
        }
        return route(&state, .model(m))
    }

    /// The list shows another method's error: every layer's figure goes but the open one's, refilled from
    /// its figures (the scan measures the others again).
    static func listMethodChanged(_ state: inout AppState) {
        let method = state.list.method
        for i in state.shared.layers.indices { state.shared.layers[i].summary?.error = nil }
        if let open = state.shared.open, let m = state.shared.evaluation?.methods[method] {
            state.shared.layers[open.index].summary?.error = m.outputRelError ?? m.actMSE
            state.shared.layers[open.index].summary?.errorParams = state.shared.evaluation?.params
            state.shared.layers[open.index].summary?.errorMethod = method
        }
    }
}
