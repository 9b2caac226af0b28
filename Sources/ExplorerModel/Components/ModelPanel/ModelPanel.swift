import DuQuantCore

/// The Model panel's updates: which figure to compute after a change (parameters, open layer, method,
/// scope), its results, the scope key `M`, the sensitivity key `Z`, and Esc.
package enum ModelPanel {
    /// The figure the panel should show for the current state, or nil (no model, or no open layer in
    /// scope `layer`).
    package static func request(_ state: AppState) -> ModelRequest? {
        guard state.model.available else { return nil }
        let layer = state.open.map { state.layers[$0.index].name }
        if state.model.scope == .layer && layer == nil { return nil }
        return ModelRequest(scope: state.model.scope, layer: layer, method: state.listMethod, params: state.params)
    }

    /// Whether the shown figure is not the current request's (a parameter, the layer, the method or the
    /// scope changed since): marked until replaced.
    package static func isStale(_ state: AppState) -> Bool {
        guard let f = state.model.figure else { return false }
        return f.request != request(state)
    }

    /// Asks for the current request's figure when it is not the one shown or being computed; the full-
    /// precision figure first, once.
    package static func recompute(_ state: inout AppState) -> [Effect] {
        guard let r = request(state) else { return [] }
        if state.model.figure?.request == r || state.model.computing == r { return [] }
        let g = state.nextGeneration(.model)
        state.model.computing = r
        let what = r.scope == .all ? "model ppl, all layers" : "model ppl, this layer"
        state.busy[.model] = Busy(what: what)
        return [.modelPerplexity(request: r, withFullPrecision: state.model.fullPrecision == nil, generation: g)]
    }

    /// `M`: switch the scope (this layer only ↔ all layers) and compute its figure.
    static func switchScope(_ state: inout AppState) -> [Effect] {
        guard state.model.available else {
            state.notice = "no model: open the dump with --model DIR (a Hugging Face checkpoint) for the Model panel"
            return []
        }
        state.model.scope = state.model.scope == .layer ? .all : .layer
        state.notice = "Model panel: \(state.model.scope.title)"
        return recompute(&state)
    }

    /// `Z`: per-layer sensitivity: computed in the background once per (method, parameters); `Z` again
    /// hides or shows the list.
    static func toggleSensitivity(_ state: inout AppState) -> [Effect] {
        guard state.model.available else {
            state.notice = "no model: open the dump with --model DIR for per-layer sensitivity"
            return []
        }
        if let s = state.model.sensitivity, s.method == state.listMethod, s.params == state.params {
            state.model.showSensitivity.toggle()
            return []
        }
        state.model.showSensitivity = true
        state.model.sensitivity = Sensitivity(method: state.listMethod, params: state.params,
                                              total: state.layers.filter { $0.name.contains(".layers.") }.count)
        let g = state.nextGeneration(.sensitivity)
        state.busy[.sensitivity] = Busy(what: "sensitivity per layer")
        return [.modelSensitivity(method: state.listMethod, params: state.params, generation: g)]
    }

    /// Esc while the panel computes: stop it (and the sensitivity run); the figures shown stay.
    static func stop(_ state: inout AppState) -> [Effect] {
        _ = state.nextGeneration(.model)
        _ = state.nextGeneration(.sensitivity)
        state.model.computing = nil
        state.busy[.model] = nil
        state.busy[.sensitivity] = nil
        state.notice = "computation stopped — change a parameter or press Enter on a layer to compute again"
        return [.cancel(.model), .cancel(.sensitivity)]
    }

    /// A result of the panel's effects (stale generations ignored).
    package static func update(_ state: inout AppState, _ msg: ModelPanelMsg) -> [Effect] {
        switch msg {
        case let .fullPrecision(generation, ppl):
            guard generation == state.generation(.model) else { return [] }
            state.model.fullPrecision = ppl
        case let .figure(generation, request, ppl):
            guard generation == state.generation(.model) else { return [] }
            state.model.figure = (request, ppl)
            state.model.computing = nil
            state.busy[.model] = nil
            // The state moved on while this one computed (cannot happen with a current generation, but a
            // figure for an older request is still better than none): ask for the current one.
            return recompute(&state)
        case let .sensitivity(generation, layer, ppl, finished):
            guard generation == state.generation(.sensitivity), var s = state.model.sensitivity else { return [] }
            s.entries.append((layer, ppl))
            s.entries.sort { $0.perplexity > $1.perplexity || ($0.perplexity == $1.perplexity && $0.layer < $1.layer) }
            s.finished = finished
            state.model.sensitivity = s
            if finished { state.busy[.sensitivity] = nil }
        }
        return []
    }
}
