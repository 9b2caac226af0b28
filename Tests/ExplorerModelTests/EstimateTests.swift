import DuQuantCore
import Testing
@testable import ExplorerModel
import TestSupport

@Suite struct EstimateTests {
    /// A harness whose first layer is open and being evaluated: its parameters, the generation and the
    /// fixture's exact figures for them (nil, with an issue recorded, if no evaluation was asked for).
    static func evaluating() -> (Harness, QuantParams, Int, LayerEvaluation)? {
        var h = Harness(runEffects: false)
        h.start()
        h.run(h.effects[0])
        guard case let .evaluate(_, params, g, _) = h.effects.last else { Issue.record("no evaluate"); return nil }
        return (h, params, g, h.fixture.layers[0].evaluation(params, anatomy: false))
    }

    /// An estimate shows at once but keeps the job busy; the exact result that follows replaces it.
    @Test func estimateKeepsTheEvaluationBusyUntilTheExactResult() throws {
        guard let (harness, params, g, exact) = Self.evaluating() else { return }
        var h = harness
        var estimate = exact
        estimate.estimate = EvaluationEstimate(sampledTokens: 8, totalTokens: 24)
        h.send(.evaluated(generation: g, evaluation: estimate, stats: [:]))
        #expect(h.state.shared.evaluation?.estimate != nil)
        #expect(h.state.jobs.busy[.evaluate] != nil)
        #expect(h.state.methods.lastFigures == nil, "an estimate is not kept to compare with")
        h.send(.evaluated(generation: g, evaluation: exact, stats: [:]))
        #expect(h.state.shared.evaluation?.estimate == nil)
        #expect(h.state.jobs.busy[.evaluate] == nil)
        #expect(h.state.methods.lastFigures?.params == params)
    }

    // Issue 12, item 4: on a large layer the exact pass replaces the estimates method by method; the model
    // keeps the job busy through the merged partials (the merging itself: ExplorerRuntimeTests).
    @Test func partialExactFiguresKeepTheJobBusyUntilTheLast() throws {
        guard let (harness, _, g, exact) = Self.evaluating() else { return }
        var h = harness
        var first = exact
        first.estimate = EvaluationEstimate(sampledTokens: 8, totalTokens: 24)
        first.estimate?.exact = [.rtn]
        h.send(.evaluated(generation: g, evaluation: first, stats: [:]))
        #expect(h.state.jobs.busy[.evaluate] != nil)
        h.send(.evaluated(generation: g, evaluation: exact, stats: [:]))
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
