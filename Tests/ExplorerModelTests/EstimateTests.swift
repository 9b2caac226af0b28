import DuQuantCore
import Testing
@testable import ExplorerModel

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
        #expect(h.state.evaluation?.estimate != nil)
        #expect(h.state.busy[.evaluate] != nil)
        let exact = try #require(ws.evaluate(params))
        #expect(exact.estimate == nil)
        h.send(.evaluated(generation: g, evaluation: exact, stats: [:]))
        #expect(h.state.evaluation?.estimate == nil)
        #expect(h.state.busy[.evaluate] == nil)
    }
}

@Suite struct ScanSummaryTests {
    /// The scan's first pass (statistics only) must not wipe an error the list already shows.
    @Test func statisticsOnlySummaryKeepsTheKnownError() {
        var h = Harness()
        h.start()
        let known = h.state.layers[0].summary?.error
        #expect(known != nil)
        let g = h.state.generation(.scan)
        h.send(.layerSummary(generation: g, index: 0, summary: LayerSummary(maxAbs: 7, ratio: 3)))
        #expect(h.state.layers[0].summary?.maxAbs == 7)
        #expect(h.state.layers[0].summary?.error == known)
        h.send(.layerSummary(generation: g, index: 0, summary: LayerSummary(maxAbs: 7, ratio: 3, error: 0.5)))
        #expect(h.state.layers[0].summary?.error == 0.5)
    }
}
