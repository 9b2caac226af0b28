import DuQuantCore

/// The Model panel: the scope key `M`, the sensitivity key `Z`, and the results of its work (the
/// full-precision figure, the current request's figure, the sensitivity's figures as they come).
///
/// Which figure to compute follows from the whole state (the open layer, the parameters, the list's
/// method): the parent asks for it (``AppState/modelRequest``) after every change of those, through the
/// ``Request/modelRecompute`` this component returns for its own changes.
package enum ModelPanel {
    package enum Msg: Sendable {
        /// `M`: this layer only ↔ all layers.
        case switchScope
        /// `Z`: per-layer sensitivity, or hide / show it when it is current.
        case toggleSensitivity
        /// The request now being computed (nil: none).
        case computing(ModelRequest?)
        /// A sensitivity run started for `method` under `params` over `layers` layers.
        case sensitivityStarted(method: Method, params: QuantParams, layers: Int)
        /// Hide or show the sensitivity list.
        case flipSensitivityList
        /// Results of the executor (the parent checks their generation first).
        case fullPrecision(generation: Int, perplexity: Double)
        case figure(generation: Int, request: ModelRequest, perplexity: Double)
        case sensitivity(generation: Int, layer: String, perplexity: Double, finished: Bool)
    }

    package static func update(_ s: inout ModelPanelState, _ msg: Msg, _ ctx: Context) -> [Request] {
        switch msg {
        case .switchScope:
            guard s.available else {
                return [.notice("no model: open the dump with --model DIR (a Hugging Face checkpoint) for the Model panel")]
            }
            s.scope = s.scope == .layer ? .all : .layer
            return [.notice("Model panel: \(s.scope.title)"), .modelRecompute]
        case .toggleSensitivity:
            guard s.available else { return [.notice("no model: open the dump with --model DIR for per-layer sensitivity")] }
            return [.modelSensitivity]
        case .computing(let r):
            s.computing = r
        case let .sensitivityStarted(method, params, layers):
            s.sensitivity = Sensitivity(method: method, params: params, total: layers)
            s.showSensitivity = true
        case .flipSensitivityList:
            s.showSensitivity.toggle()
        case .fullPrecision(_, let ppl):
            s.fullPrecision = ppl
        case let .figure(_, request, ppl):
            s.figure = (request, ppl)
            s.computing = nil
        case let .sensitivity(_, layer, ppl, finished):
            guard var list = s.sensitivity else { return [] }
            list.entries.append((layer, ppl))
            list.entries.sort { $0.perplexity > $1.perplexity || ($0.perplexity == $1.perplexity && $0.layer < $1.layer) }
            list.finished = finished
            s.sensitivity = list
        }
        return []
    }
}

extension AppState {
    /// The figure the Model panel should show now, or nil (no model, or no open layer in scope `layer`).
    package var modelRequest: ModelRequest? {
        guard model.available else { return nil }
        let layer = shared.open.map { shared.layers[$0.index].name }
        if model.scope == .layer && layer == nil { return nil }
        return ModelRequest(scope: model.scope, layer: layer, method: list.method, params: shared.params)
    }

    /// Whether the figure shown is not the current request's (a parameter, the layer, the method or the
    /// scope changed since): marked until replaced.
    package var modelFigureIsStale: Bool {
        guard let f = model.figure else { return false }
        return f.request != modelRequest
    }
}
