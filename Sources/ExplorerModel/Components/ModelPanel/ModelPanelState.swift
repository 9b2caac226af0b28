import DuQuantCore

/// Which layers the Model panel's figure quantizes.
package enum ModelScope: String, Sendable, Hashable {
    /// The open layer alone under the current parameters; every other layer full precision (scope b).
    case layer
    /// Every linear layer under the current parameters (scope a).
    case all

    /// How the panel names it.
    package var title: String { self == .layer ? "this layer only" : "all layers" }
}

/// One model-level figure to compute: the scope, the layer (scope `layer`), the method and parameters.
package struct ModelRequest: Sendable, Hashable {
    package var scope: ModelScope
    /// The layer's name in the dump (scope `layer`); nil for all layers.
    package var layer: String?
    package var method: Method
    package var params: QuantParams

    package init(scope: ModelScope, layer: String?, method: Method, params: QuantParams) {
        self.scope = scope
        self.layer = scope == .all ? nil : layer
        self.method = method
        self.params = params
    }
}

/// Per-layer sensitivity: the perplexity with one layer quantized, the others full precision, for each
/// layer measured so far (most harmful first).
package struct Sensitivity: Sendable, Equatable {
    package var method: Method
    package var params: QuantParams
    /// (layer name, perplexity), sorted by perplexity, highest first.
    package var entries: [(layer: String, perplexity: Double)]
    /// Layers the model has.
    package var total: Int
    package var finished: Bool

    package init(method: Method, params: QuantParams, total: Int) {
        self.method = method
        self.params = params
        self.entries = []
        self.total = total
        self.finished = false
    }

    package static func == (a: Sensitivity, b: Sensitivity) -> Bool {
        a.method == b.method && a.params == b.params && a.total == b.total && a.finished == b.finished
            && a.entries.map(\.layer) == b.entries.map(\.layer) && a.entries.map(\.perplexity) == b.entries.map(\.perplexity)
    }
}

/// The Model panel's state: present when the dump came with its model (`--model DIR`, or the sidecar's
/// `model_forward`); the full-precision perplexity, the figure of the current request (kept until the
/// next one replaces it, marked stale meanwhile), the per-layer sensitivity.
package struct ModelPanelState: Sendable {
    /// What the panel says about the model ("smollm2-135m-hf, 547 tokens"); nil: no model, no panel.
    package var description: String?
    package var scope: ModelScope = .layer
    package var fullPrecision: Double?
    /// The last figure computed, and what it was computed for.
    package var figure: (request: ModelRequest, perplexity: Double)?
    /// The request being computed (nil: none).
    package var computing: ModelRequest?
    package var sensitivity: Sensitivity?
    /// Whether the panel lists the sensitivity (`Z`).
    package var showSensitivity = false

    package init(description: String? = nil) { self.description = description }

    /// Whether a model is attached.
    package var available: Bool { description != nil }
}
