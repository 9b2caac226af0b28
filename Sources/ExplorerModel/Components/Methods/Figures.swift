import DuQuantCore

/// A token split's figures: every method fitted on the fit tokens, measured there (`fit`) and on the held-out
/// tokens (`heldOut`). Fitting and scoring on the same tokens flatters the methods that fit.
package struct HeldOutResult: Sendable {
    package var layer: Int
    package var params: QuantParams
    package var fit: [Method: MethodMetrics]
    package var heldOut: HeldOutFigures

    package init(layer: Int, params: QuantParams, fit: [Method: MethodMetrics], heldOut: HeldOutFigures) {
        self.layer = layer
        self.params = params
        self.fit = fit
        self.heldOut = heldOut
    }
}

/// The complete figures of one evaluation, kept to compare later ones with: the previous setting's, and a
/// pinned baseline's. Metrics only (no calibration matrices), so keeping them costs next to nothing.
package struct Figures: Sendable, Equatable {
    /// The layer (list index) they were measured on.
    package var layer: Int
    package var params: QuantParams
    package var methods: [Method: MethodMetrics]

    package init(layer: Int, params: QuantParams, methods: [Method: MethodMetrics]) {
        self.layer = layer
        self.params = params
        self.methods = methods
    }

    /// The change of `method`'s output error (or activation MSE without a weight) from `self` to `now`,
    /// as a fraction (−0.12 = 12% lower); nil when either is missing.
    package func change(of method: Method, to now: [Method: MethodMetrics]) -> Double? {
        guard let a = methods[method].flatMap(Figures.headline), let b = now[method].flatMap(Figures.headline),
              a > 0, a.isFinite, b.isFinite else { return nil }
        return Double(b) / Double(a) - 1
    }

    /// The figure compared: the output error when there is a weight, else the activation MSE.
    static func headline(_ m: MethodMetrics) -> Float? { m.outputRelError ?? m.actMSE }

    /// The names of the parameters whose values differ between `self` and `p`.
    package func differing(from p: QuantParams) -> Set<String> {
        Set(ParameterText.all.filter { $0.value(in: params) != $0.value(in: p) }.map(\.spec.name))
    }
}
