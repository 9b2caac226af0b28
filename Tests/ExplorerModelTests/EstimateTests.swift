import DuQuantCore
import Testing
@testable import ExplorerModel
@testable import ExplorerRuntime
import TestSupport

@Suite struct EstimateTests {
    /// An estimate shows at once but keeps the job busy; the exact result that follows replaces it.
    @Test func estimateKeepsTheEvaluationBusyUntilTheExactResult() throws {
        var h = Harness(runEffects: false)
        h.start()
        h.send(.layerLoaded(generation: 1, index: 0, layer: h.layers[0], tokens: nil, summary: nil,
                            stats: StageStats.of(h.layers[0].input)))
        guard case let .evaluate(_, params, g, _) = h.effects.last else { Issue.record("no evaluate"); return }
        let ws = EvaluationWorkspace(h.layers[0])
        let estimate = try #require(ws.evaluate(params, sampleTokens: 8))
        #expect(estimate.estimate == EvaluationEstimate(sampledTokens: 8, totalTokens: 24))
        h.send(.evaluated(generation: g, evaluation: estimate, stats: [:]))
        #expect(h.state.shared.evaluation?.estimate != nil)
        #expect(h.state.jobs.busy[.evaluate] != nil)
        let exact = try #require(ws.evaluate(params))
        #expect(exact.estimate == nil)
        h.send(.evaluated(generation: g, evaluation: exact, stats: [:]))
        #expect(h.state.shared.evaluation?.estimate == nil)
        #expect(h.state.jobs.busy[.evaluate] == nil)
    }
}

@Suite struct ScanSummaryTests {
    /// The scan's first pass (statistics only) must not wipe an error the list already shows.
    @Test func statisticsOnlySummaryKeepsTheKnownError() {
        var h = Harness()
        h.start()
        let known = h.state.shared.layers[0].summary?.error
        #expect(known != nil)
        let g = h.state.jobs.generation(.scan)
        h.send(.layerSummary(generation: g, index: 0, summary: LayerSummary(maxAbs: 7, ratio: 3)))
        #expect(h.state.shared.layers[0].summary?.maxAbs == 7)
        #expect(h.state.shared.layers[0].summary?.error == known)
        h.send(.layerSummary(generation: g, index: 0, summary: LayerSummary(maxAbs: 7, ratio: 3, error: 0.5)))
        #expect(h.state.shared.layers[0].summary?.error == 0.5)
    }
}

@Suite struct ExactReplacesEstimateTests {
    // Issue 12, item 4: on a large layer the exact pass replaces the estimates method by method (RTN's
    // exact figure shows while DuQuant still searches), each marked exact, and the job stays busy until
    // the last method.
    @Test func exactFiguresReplaceTheEstimatesOneByOne() throws {
        let layer = TestLayer.make(name: "model.layers.0.mlp.down_proj", tokens: 64, channels: 64, out: 16, seed: 5)
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        let ws = EvaluationWorkspace(layer)
        let estimate = try #require(ws.evaluate(p, sampleTokens: 16, previewTokens: 8))
        #expect(estimate.estimate?.previewTokens == 8)
        #expect(Method.allCases.allSatisfy { estimate.estimate?.isEstimated($0) == true })
        var partials: [LayerEvaluation] = []
        let exact = try #require(ws.evaluate(p, partial: { partials.append(EffectExecutor.merging($0, into: estimate)) }))
        let first = try #require(partials.first)
        // The first method measured exactly is RTN; the others keep their estimates, none is pending.
        #expect(first.estimate?.exact == [.rtn])
        #expect(first.methods[.rtn]?.outputRelError == exact.methods[.rtn]?.outputRelError)
        #expect(first.methods[.duquant]?.outputRelError == estimate.methods[.duquant]?.outputRelError)
        #expect(first.pending.isEmpty && first.methods.count == Method.allCases.count)
        #expect(first.calibration == nil, "a preview's calibration is not shown")
        let afterDuQuant = try #require(partials.first { $0.estimate?.exact.contains(.duquant) == true })
        #expect(afterDuQuant.calibration != nil)
        #expect(afterDuQuant.methods[.duquant]?.outputRelError == exact.methods[.duquant]?.outputRelError)

        // The model keeps the job busy through the merged partials.
        var state = AppState(files: ["f"], layers: [LayerEntry(name: layer.name, kind: "down", tokens: 64, inFeatures: 64, outFeatures: 16)])
        state.shared.params = p
        state.shared.open = OpenLayer(index: 0, data: layer, tokens: nil)
        state.jobs.busy[.evaluate] = Busy(what: "evaluating")
        let g = state.jobs.generation(.evaluate)
        _ = App.update(&state, .evaluated(generation: g, evaluation: first, stats: [:]))
        #expect(state.jobs.busy[.evaluate] != nil)
        _ = App.update(&state, .evaluated(generation: g, evaluation: exact, stats: [:]))
        #expect(state.jobs.busy[.evaluate] == nil)
    }
}
