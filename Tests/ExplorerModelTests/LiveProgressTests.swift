import DuQuantCore
import Testing
import TestSupport
@testable import ExplorerModel

/// A big layer feels live: figures arrive method by method, progress follows the work, Esc stops it.
@Suite struct LiveProgressTests {
    static let layer = TestLayer.make(name: "model.layers.0.mlp.down_proj", tokens: 48, channels: 128, out: 32, seed: 3)

    // Regression (issue 12, item 4): on a 7B-shaped layer every method showed "…" for the whole
    // calibration, although RTN, SmoothQuant and Hadamard need no search (nor does QuaRot-style, added since).
    @Test func figuresArriveBeforeTheDuQuantSearchEnds() throws {
        var p = QuantParams()
        p.block = 32
        p.steps = 24
        var partials: [LayerEvaluation] = []
        let progress = Locked<[Double]>([])
        let ws = EvaluationWorkspace(Self.layer)
        let answer = ws.evaluate(p, progress: { f in progress.withLock { $0.append(f) } },
                                 partial: { partials.append($0) })
        let final = try #require(answer)
        // QuaRot-style is measured last (its weight clip search is the longest part on a big layer).
        #expect(partials.map { Set($0.methods.keys) }
            == [[.rtn], [.rtn, .smoothquant], [.rtn, .smoothquant, .hadamard], [.rtn, .smoothquant, .hadamard, .duquant]])
        #expect(partials.map(\.pending)
            == [[.smoothquant, .hadamard, .duquant, .quarot], [.hadamard, .duquant, .quarot], [.duquant, .quarot], [.quarot]])
        #expect(partials.prefix(3).allSatisfy { $0.calibration == nil })
        for e in partials {
            for (m, figures) in e.methods { #expect(figures.outputRelError == final.methods[m]?.outputRelError) }
        }
        #expect(final.pending.isEmpty)
        // Progress only moves forward and ends at 1; the search reports as it goes, not once at the end.
        let f = progress.withLock { $0 }
        #expect(zip(f, f.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 })
        #expect(abs((f.last ?? 0) - 1) < 1e-9)
        #expect(f.filter { $0 > 0.05 && $0 < 0.8 }.count >= 4, "\(f)")
    }

    // Regression (issue 12, item 4): with the shared layout one search covers every block, and the
    // progress bar stood still for the whole stage.
    @Test func theSharedLayoutSearchReportsEachStep() throws {
        var p = QuantParams()
        p.block = 32
        p.steps = 20
        p.layout = .shared
        let seen = Locked<[Double]>([])
        let cal = DuQuant.calibrate(Self.layer, p, progress: { f in seen.withLock { $0.append(f) } })
        #expect(cal != nil)
        let f = seen.withLock { $0 }
        // Two rotation stages of one search each: at least one report per greedy step taken.
        #expect(Set(f).count >= 20, "\(f.count) reports")
    }

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
        var partial = try #require(EvaluationWorkspace(h.layers[0]).evaluate(params, methods: [.rtn]))
        partial.pending = [.smoothquant, .hadamard, .duquant]
        h.send(.evaluated(generation: generation, evaluation: partial, stats: [:]))
        #expect(h.state.jobs.busy[.evaluate] != nil)
        #expect(h.state.shared.stageStats[.original] != nil)
        #expect(h.state.shared.evaluation?.methods[.rtn] != nil)
    }
}
