import DuQuantCore
import Testing
import TestSupport

/// The core answers a big layer method by method and reports progress as it goes (the explorer's live
/// figures and progress bar rest on this; the model's side is in ExplorerModelTests/LiveProgressTests).
@Suite struct PartialFiguresTests {
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
}
