/// How much DuQuant's figures move with the seed of its random orthogonal completions alone.
///
/// On the bundled layer 11 down_proj the seed moved the output error by about 2×, more than many parameter
/// changes a user is judging: a change smaller than this spread is not evidence.
public struct SeedSpread: Sendable, Equatable {
    /// Mean, smallest, largest and standard deviation (population) of one figure over the seeds.
    public struct Summary: Sendable, Equatable {
        /// Mean over the seeds (0 when there are none).
        public var mean: Double
        /// Smallest value (0 when there are none).
        public var min: Double
        /// Largest value (0 when there are none).
        public var max: Double
        /// Population standard deviation (divided by n, not n − 1).
        public var std: Double

        /// Summarises one figure's `values`, one per seed; no values give all zeros.
        public init(_ values: [Double]) {
            let n = Double(Swift.max(1, values.count))
            mean = values.reduce(0, +) / n
            min = values.min() ?? 0
            max = values.max() ?? 0
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
        }

        /// Whether `change` (a difference of the figure) lies within the spread (max − min).
        public func contains(change: Double) -> Bool { Swift.abs(change) <= max - min }
    }

    /// The seeds measured: 0 ..< `seeds`.
    public var seeds: Int
    /// DuQuant's output relative error (nil without a weight).
    public var outputRelError: Summary?
    /// DuQuant's activation MSE.
    public var actMSE: Summary
    /// DuQuant's largest |x̃|.
    public var actMaxAbs: Summary

    /// DuQuant on `layer` with `p` for seeds 0 ..< `seeds` (everything else as in `p`); nil if cancelled.
    /// One workspace: `X Wᵀ` is computed once, each seed calibrates anew.
    public static func measure(_ layer: LayerData, _ p: QuantParams, seeds: Int, cancel: CancelToken? = nil,
                               progress: (@Sendable (Double) -> Void)? = nil) -> SeedSpread? {
        precondition(seeds >= 1)
        let ws = EvaluationWorkspace(layer)
        var figures: [MethodMetrics] = []
        for s in 0..<seeds {
            var q = p
            q.seed = UInt64(s)
            let done = Double(s)
            guard let e = ws.evaluate(q, methods: [.duquant], cancel: cancel,
                                      progress: { f in progress?((done + f) / Double(seeds)) }),
                  let m = e.methods[.duquant] else { return nil }
            figures.append(m)
        }
        let errors = figures.compactMap(\.outputRelError).map(Double.init)
        return SeedSpread(seeds: seeds, outputRelError: errors.count == seeds ? Summary(errors) : nil,
                          actMSE: Summary(figures.map { Double($0.actMSE) }),
                          actMaxAbs: Summary(figures.map { Double($0.actMaxAbs) }))
    }
}
