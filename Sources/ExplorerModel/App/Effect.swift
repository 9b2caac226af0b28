import DuQuantCore

/// Work `update` asks for; an executor runs it off the input thread and answers with a ``Msg``.
///
/// Each kind of work carries a generation number. A newer effect of the same kind makes older ones stale:
/// the executor cancels them and `update` ignores any result whose generation is not the latest.
package enum Effect: Sendable, Equatable {
    /// Load layer `index` of the list.
    case loadLayer(index: Int, generation: Int)
    /// Calibrate DuQuant and evaluate every method on `layer` with `params`.
    /// With `anatomy`, each method's error anatomy too (two more output products per method).
    case evaluate(layer: Int, params: QuantParams, generation: Int, anatomy: Bool = false)
    /// Compute the heatmap after `step` greedy steps of rotation stage `rotation` of `calibration` (the one
    /// the state shows).
    case stepThrough(calibration: DuQuantCalibration, rotation: Int, step: Int, generation: Int)
    /// Measure every layer in the background (statistics and `method`'s error with `params`).
    case scanLayers(params: QuantParams, method: Method, generation: Int)
    /// DuQuant on `layer` with `params` for seeds 0 ..< `seeds`: how much the seed alone moves its figures.
    case seedSpread(layer: Int, params: QuantParams, seeds: Int, generation: Int)
    /// Every method fitted on some tokens of `layer` and scored on the others (`mode`: `A:B`, `even`, `odd`):
    /// the fit and the held-out figures.
    case heldOut(layer: Int, params: QuantParams, mode: HeldOutMode, generation: Int)
    /// The model's perplexity for `request` (and first the full-precision one, `withFullPrecision`): the
    /// Model panel.
    case modelPerplexity(request: ModelRequest, withFullPrecision: Bool, generation: Int)
    /// Per-layer sensitivity under `method` and `params`: each layer alone quantized, the others full precision.
    case modelSensitivity(method: Method, params: QuantParams, generation: Int)
    /// Stop the running work of `kind` (the Esc key); its results, if any arrive, are ignored.
    case cancel(EffectKind)
}

/// The families of effects that cancel each other.
package enum EffectKind: Sendable, Hashable { case load, evaluate, step, scan, spread, heldOut, model, sensitivity }

extension Effect {
    package var kind: EffectKind? {
        switch self {
        case .loadLayer: .load
        case .evaluate: .evaluate
        case .stepThrough: .step
        case .scanLayers: .scan
        case .seedSpread: .spread
        case .heldOut: .heldOut
        case .modelPerplexity: .model
        case .modelSensitivity: .sensitivity
        case .cancel: nil
        }
    }
}
