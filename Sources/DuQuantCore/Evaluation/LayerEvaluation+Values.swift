// Figures made by hand rather than measured: the explorer's screen tests draw fixed evaluations
// (TestSupport's `EvaluationFixture`) so that their snapshots change only when the view does. `package`
// access: not part of the library's API. Factories rather than initialisers, so that they never compete
// with the memberwise initialisers the core itself calls.

extension MethodMetrics {
    /// Figures given rather than measured.
    package static func fixed(actMaxAbs: Float, kurtosis: Float, actMSE: Float, weightMSE: Float?, outputRelError: Float?,
                              perTokenError: [Float], blockMeanVariance: Float, seconds: Double, keptSteps: [Int]? = nil,
                              note: String? = nil, anatomy: ErrorAnatomy? = nil) -> MethodMetrics {
        MethodMetrics(actMaxAbs: actMaxAbs, kurtosis: kurtosis, actMSE: actMSE, weightMSE: weightMSE,
                      outputRelError: outputRelError, perTokenError: perTokenError, blockMeanVariance: blockMeanVariance,
                      seconds: seconds, keptSteps: keptSteps, note: note, anatomy: anatomy)
    }
}

extension LayerEvaluation {
    /// An evaluation of given figures (complete: nothing pending, no seed spread, split or baseline).
    package static func fixed(name: String, tokens: Int, inFeatures: Int, outFeatures: Int?, params: QuantParams,
                              methods: [Method: MethodMetrics], calibration: DuQuantCalibration?,
                              estimate: EvaluationEstimate? = nil) -> LayerEvaluation {
        LayerEvaluation(name: name, tokens: tokens, inFeatures: inFeatures, outFeatures: outFeatures, params: params,
                        methods: methods, calibration: calibration, estimate: estimate)
    }
}

extension DuQuantCalibration {
    /// A calibration's record without its search state: `bases` and `rotationInputs` (what
    /// ``stepThrough(rotation:steps:)`` needs) are empty, so step-through matrices must come from elsewhere.
    package static func fixed(params: QuantParams, stages: [Stage: Matrix], traces: [[GreedyTrace]],
                              transform: DuQuantTransform, smoothed: Bool) -> DuQuantCalibration {
        DuQuantCalibration(params: params, stages: stages, traces: traces, bases: [], rotationInputs: [],
                           transform: transform, smoothed: smoothed)
    }
}
