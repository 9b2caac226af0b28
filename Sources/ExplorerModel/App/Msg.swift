import DuQuantCore

/// Everything that can happen to the app: input from the terminal and results of effects.
package enum Msg: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)
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
    /// A result of the Model panel's work (model-level perplexity, per-layer sensitivity).
    case model(ModelPanelMsg)
    /// An effect failed; the message is one line.
    case failed(kind: EffectKind, generation: Int, message: String)
}
