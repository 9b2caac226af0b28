/// Model-level figures of the methods: a metric of the whole model (perplexity) with every linear
/// layer quantized by one method, measured outside the explorer (`make eval`) and read from a dump's
/// sidecar (key `model_eval`).
///
/// ```swift
/// let e = ModelEvaluation(fullPrecision: 17.5, figures: ["W4A4": [.rtn: 900, .duquant: 21]])
/// e.figures(for: params)   // ("W4A4", [.rtn: 900, .duquant: 21]) for 4-bit weights and activations
/// ```
public struct ModelEvaluation: Sendable, Equatable {
    /// The range of one method's figure over several seeds.
    public struct SeedSpread: Sendable, Equatable {
        /// The method whose figure was measured over several seeds.
        public var method: Method
        /// The bit setting measured, e.g. `W4A4` (a key of ``ModelEvaluation/figures``).
        public var setting: String
        /// Number of seeds measured; the explorer shows a spread only when it is above 1.
        public var seeds: Int
        /// Smallest figure over the seeds (for perplexity, the best).
        public var min: Double
        /// Largest figure over the seeds (for perplexity, the worst).
        public var max: Double

        /// Memberwise, as read from a sidecar's `seed_spread`.
        public init(method: Method, setting: String, seeds: Int, min: Double, max: Double) {
            self.method = method
            self.setting = setting
            self.seeds = seeds
            self.min = min
            self.max = max
        }
    }

    /// What was measured, e.g. "perplexity".
    public var metric: String
    /// The text it was measured on.
    public var text: String?
    /// The figure without quantization.
    public var fullPrecision: Double
    /// Per setting ("W4A4", "W4A16", "W8A8"): each method's figure. Methods this build does not know are
    /// left out.
    public var figures: [String: [Method: Double]]
    /// How far the seed alone moves one method's figure, when measured.
    public var seedSpread: SeedSpread?
    /// The parameters of the measurement, as text.
    public var params: String?

    /// Figures as read from a sidecar's `model_eval`; `metric` defaults to perplexity.
    public init(metric: String = "perplexity", text: String? = nil, fullPrecision: Double,
                figures: [String: [Method: Double]], seedSpread: SeedSpread? = nil, params: String? = nil) {
        self.metric = metric
        self.text = text
        self.fullPrecision = fullPrecision
        self.figures = figures
        self.seedSpread = seedSpread
        self.params = params
    }

    /// The setting name of `p`'s bits: "W4A4".
    public static func setting(_ p: QuantParams) -> String { "W\(p.wbits)A\(p.abits)" }

    /// The figures for `p`'s bits, else those of W4A4 (the setting the evaluation is about), else none.
    public func figures(for p: QuantParams) -> (setting: String, methods: [Method: Double])? {
        let own = Self.setting(p)
        if let f = figures[own] { return (own, f) }
        return figures["W4A4"].map { ("W4A4", $0) }
    }
}
