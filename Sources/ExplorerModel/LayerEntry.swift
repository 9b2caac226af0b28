/// One row of the layer list: what the dump's index says, plus figures filled in by a background scan.
public struct LayerEntry: Sendable, Equatable {
    /// Which of the opened files the layer comes from.
    public var file: Int
    /// Full prefix, e.g. `model.layers.3.mlp.down_proj`.
    public var name: String
    /// Module kind: q, k, v, o, gate, up, down, or another short word.
    public var kind: String
    public var tokens: Int
    public var inFeatures: Int
    public var outFeatures: Int?
    /// Filled in by the scan (or when the layer is opened).
    public var summary: LayerSummary?

    public init(file: Int = 0, name: String, kind: String, tokens: Int, inFeatures: Int, outFeatures: Int? = nil,
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
    public var shortName: String {
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
public struct LayerSummary: Sendable, Equatable {
    /// Largest |x| of the input.
    public var maxAbs: Float
    /// Max |x| over the median |x|.
    public var ratio: Float
    /// The method's output relative error (or activation MSE without a weight), for `params`.
    public var error: Float?
    /// What `error` measures, for the column title.
    public var errorIsOutput: Bool

    public init(maxAbs: Float, ratio: Float, error: Float? = nil, errorIsOutput: Bool = true) {
        self.maxAbs = maxAbs
        self.ratio = ratio
        self.error = error
        self.errorIsOutput = errorIsOutput
    }
}
