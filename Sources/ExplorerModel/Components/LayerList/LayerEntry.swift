import DuQuantCore

/// One row of the layer list: what the dump's index says, plus figures filled in by a background scan.
package struct LayerEntry: Sendable, Equatable {
    /// Which of the opened files the layer comes from.
    package var file: Int
    /// Full prefix, e.g. `model.layers.3.mlp.down_proj`.
    package var name: String
    /// Module kind: q, k, v, o, gate, up, down, or another short word.
    package var kind: String
    package var tokens: Int
    package var inFeatures: Int
    package var outFeatures: Int?
    /// Filled in by the scan (or when the layer is opened).
    package var summary: LayerSummary?

    package init(file: Int = 0, name: String, kind: String, tokens: Int, inFeatures: Int, outFeatures: Int? = nil,
                summary: LayerSummary? = nil) {
        self.file = file
        self.name = name
        self.kind = kind
        self.tokens = tokens
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.summary = summary
    }

    /// The name without the usual noise: `model.layers.3.self_attn.q_proj` → `3.attn.q`,
    /// `model.layers.3.mlp.down_proj` → `3.mlp.down` (the full name is in the status bar).
    package var shortName: String {
        var s = Substring(name)
        for prefix in ["model.", "decoder.", "transformer.", "layers.", "h."] where s.hasPrefix(prefix) {
            s = s.dropFirst(prefix.count)
        }
        var out = String(s).replacing("self_attn.", with: "attn.")
        if out.hasSuffix("_proj") { out.removeLast(5) }
        return out
    }
}

/// The list's figures for a layer: activation statistics and the chosen method's error.
package struct LayerSummary: Sendable, Equatable {
    /// Largest |x| of the input.
    package var maxAbs: Float
    /// Max |x| over the median |x|.
    package var ratio: Float
    /// The method's output relative error (or activation MSE without a weight), for `params`.
    package var error: Float?
    /// What `error` measures, for the column title.
    package var errorIsOutput: Bool
    /// The parameters and method `error` was measured with (nil: unknown, never shown as current).
    package var errorParams: QuantParams?
    package var errorMethod: Method?

    package init(maxAbs: Float, ratio: Float, error: Float? = nil, errorIsOutput: Bool = true,
                 errorParams: QuantParams? = nil, errorMethod: Method? = nil) {
        self.maxAbs = maxAbs
        self.ratio = ratio
        self.error = error
        self.errorIsOutput = errorIsOutput
        self.errorParams = errorParams
        self.errorMethod = errorMethod
    }
}
