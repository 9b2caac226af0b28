import DuQuantCore
import Testing
import TestSupport
@testable import ExplorerModel

/// A big layer feels live: figures arrive method by method, Esc stops the work. (That the core answers
/// method by method and reports progress as it goes: DuQuantCoreTests/PartialFiguresTests.)
@Suite struct LiveProgressTests {
    @Test func escStopsTheComputationAndIgnoresItsResult() throws {
        var h = Harness(runEffects: false)
        h.start()
        let load = try #require(h.effects.first)
        h.run(load)
        let evaluate = try #require(h.effects.last)
        guard case .evaluate = evaluate else { Issue.record("no evaluate effect: \(h.effects)"); return }
        #expect(h.state.jobs.busy[.evaluate] != nil)
        h.press(.escape)
        // The background scan stops too: it would take the cores for the same kind of work.
        #expect(Array(h.effects.suffix(2)) == [.cancel(.evaluate), .cancel(.scan)])
        #expect(h.state.jobs.busy[.evaluate] == nil && h.state.jobs.busy[.scan] == nil)
        #expect(h.state.status.notice?.contains("stopped") == true)
        h.run(evaluate)  // the stopped job's answer, had it finished anyway
        #expect(h.state.shared.evaluation == nil)
        // A parameter change computes again.
        h.runEffects = true
        h.press("]")
        #expect(h.state.shared.evaluation != nil)
    }

    @Test func aPartialAnswerKeepsTheJobBusyAndTheOriginalStatistics() throws {
        var h = Harness(runEffects: false)
        h.start()
        h.run(h.effects[0])
        guard case let .evaluate(_, params, generation, _) = h.effects.last! else { return }
        var partial = h.fixture.layers[0].evaluation(params, anatomy: false)
        partial.methods = partial.methods.filter { $0.key == .rtn }
        partial.calibration = nil
        partial.pending = [.smoothquant, .hadamard, .duquant]
        h.send(.evaluated(generation: generation, evaluation: partial, stats: [:]))
        #expect(h.state.jobs.busy[.evaluate] != nil)
        #expect(h.state.shared.stageStats[.original] != nil)
        #expect(h.state.shared.evaluation?.methods[.rtn] != nil)
        #expect(h.state.shared.evaluation?.methods[.duquant] == nil)
    }
}
