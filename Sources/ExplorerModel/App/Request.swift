import DuQuantCore

/// What a component's `update` asks of its parent: work (which the parent stamps with a generation and
/// returns as an ``Effect``) or a change outside the component's own state.
///
/// A component never changes another's state: it returns requests, and ``App`` applies them in order
/// (``App/apply(_:_:)``).
package enum Request: Sendable, Equatable {
    /// A line in the status bar until the next key.
    case notice(String)
    /// A problem in the status bar until dismissed (not added to the session's problems).
    case error(String)
    /// Give the focus to a panel.
    case focus(Focus)
    /// The heatmap takes the focus if the layer list has it.
    case focusHeatmapFromList
    /// Open layer `index` (its data loaded, its figures computed).
    case openLayer(Int)
    /// New parameters: validated, then everything that depends on them recomputed.
    case setParams(QuantParams)
    /// Recompute the open layer's figures with the current parameters.
    case evaluate
    /// Restart the background scan of every layer.
    case rescan
    /// Compute the step-through heatmap of the current step.
    case requestStep
    /// Measure the token split's figures (when tokens are held out and none are current).
    case measureHeldOut
    /// Measure DuQuant over seeds on the open layer.
    case measureSeedSpread
    /// Stop the running work of `kind` (its busy mark goes).
    case cancel(EffectKind)
    /// Stop the open layer's computation and the background scan (Esc).
    case stopComputation
    /// The list's method changed: its error column is refilled from the open layer's figures.
    case listMethodChanged
    /// The Model panel's figure for the current state, when it is not the one shown or being computed.
    case modelRecompute
    /// Per-layer sensitivity for the current method and parameters (or hide / show the list when current).
    case modelSensitivity
}
