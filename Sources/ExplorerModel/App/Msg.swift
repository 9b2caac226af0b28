import DuQuantCore

/// Everything that can happen to the app: input from the terminal, a component's own messages (from the key
/// table or the mouse) and results of effects.
package enum Msg: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)

    // MARK: Components: one case each, routed by App.update
    case list(LayerList.Msg)
    case parameters(Parameters.Msg)
    case heatmap(Heatmap.Msg)
    case step(StepThrough.Msg)
    case methods(Methods.Msg)
    case status(Status.Msg)
    case overlays(Overlays.Msg)
    /// The Model panel's keys and the results of its work (model-level perplexity, per-layer sensitivity).
    case model(ModelPanel.Msg)
    /// The app's own: quit, Esc's last resort, the next theme.
    case app(AppAction)

    // MARK: Results of effects
    /// A layer finished loading (`generation` of the ``Effect/loadLayer(index:generation:)`` that asked).
    case layerLoaded(generation: Int, index: Int, layer: LayerData, tokens: [String]?, summary: LayerSummary?,
                     stats: StageStats)
    /// Calibration and evaluation of the open layer finished.
    case evaluated(generation: Int, evaluation: LayerEvaluation, stats: [Stage: StageStats])
    /// Fraction done and seconds elapsed of a running job (sent only once it has run ~100 ms, then as it
    /// advances and every half second).
    case progress(kind: EffectKind, generation: Int, fraction: Double, elapsed: Double)
    /// The heatmap after `step` greedy steps of rotation stage `rotation`.
    case stepped(generation: Int, rotation: Int, step: Int, matrix: Matrix, stats: StageStats)
    /// The background scan measured a layer.
    case layerSummary(generation: Int, index: Int, summary: LayerSummary)
    /// The background scan went through every layer.
    case scanFinished(generation: Int)
    /// DuQuant's figures over seeds, for `params` (whatever their seed).
    case seedSpreadMeasured(generation: Int, params: QuantParams, spread: SeedSpread)
    /// Figures fitted and scored on the fit tokens, and scored on the held-out ones, for `params`.
    case heldOutMeasured(generation: Int, params: QuantParams, result: HeldOutResult)
    /// An effect failed; the message is one line.
    case failed(kind: EffectKind, generation: Int, message: String)
}

/// The app's own messages (no component owns them).
package enum AppAction: Sendable, Equatable {
    /// `q`: leave (the run loop ends once ``AppState/quitting`` is set, and cancels what runs).
    case quit
    /// Esc when nothing else claims it: out of step-through, else back to the layer list.
    case back
    /// `t`: the next colour theme.
    case nextTheme
}
