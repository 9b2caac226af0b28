import DuQuantCore
import ExplorerModel
import Testing
import TestSupport

/// The Model panel's logic on the fixture driver (figures from `EvaluationFixture.modelFigure`: FP 20 +
/// act bits + 10 for all layers + the method's index; no forward pass).
@Suite struct ModelPanelTests {
    static func withModel(runEffects: Bool = true) -> Harness {
        var h = Harness(runEffects: runEffects)
        h.state.model = ModelPanelState(description: "tiny · 48 tokens")
        return h
    }

    /// The figure shown (−1: none).
    static func shown(_ h: Harness) -> Double { h.state.model.figure?.perplexity ?? -1 }

    /// Answers every effect asked for from `from` on, and those they lead to.
    static func drain(_ h: inout Harness, from: Int = 0) {
        var i = from
        while i < h.effects.count {
            h.run(h.effects[i])
            i += 1
        }
    }

    @Test func withoutAModelThereIsNoPanelAndMSaysWhy() {
        var h = Harness()
        h.start()
        #expect(!h.effects.contains { $0.kind == .model })
        h.press("M")
        #expect(h.state.status.notice?.contains("--model") == true)
        #expect(h.state.model.figure == nil)
    }

    @Test func openingALayerComputesFullPrecisionAndThisLayerOnly() {
        var h = Self.withModel()
        h.start()
        #expect(h.state.model.fullPrecision == EvaluationFixture.modelFullPrecision)
        let f = try! #require(h.state.model.figure)
        #expect(f.request.scope == .layer && f.request.layer == Harness.names[0] && f.request.method == .duquant)
        #expect(f.perplexity == 20 + 4 + 4)
        #expect(h.state.jobs.busy[.model] == nil && !h.state.modelFigureIsStale)
    }

    @Test func mSwitchesTheScopeAndBackIsNotRecomputedWhileCurrent() {
        var h = Self.withModel()
        h.start()
        h.press("M")
        #expect(h.state.model.scope == .all)
        #expect(Self.shown(h) == 38)
        #expect(h.state.model.figure?.request.layer == nil)
        let count = h.effects.filter { $0.kind == .model }.count
        h.press("M")
        #expect(h.state.model.scope == .layer)
        #expect(h.effects.filter { $0.kind == .model }.count == count + 1)
        // Full precision is asked for once only.
        let fpAsks = h.effects.filter { if case .modelPerplexity(_, true, _) = $0 { true } else { false } }.count
        #expect(fpAsks == 1)
    }

    @Test func aParameterChangeMarksTheFigureStaleUntilTheNewOneArrives() {
        var h = Self.withModel(runEffects: false)
        h.start()
        Self.drain(&h)
        #expect(Self.shown(h) == 28)
        let before = h.effects.count
        h.press("]")   // act bits 4 → 5 (the first parameter row)
        #expect(h.state.shared.params.abits == 5)
        #expect(h.state.modelFigureIsStale)
        #expect(h.state.jobs.busy[.model] != nil)
        let asked = h.effects[before...].filter { $0.kind == .model }
        #expect(asked.count == 1)
        for e in asked { h.run(e) }
        #expect(!h.state.modelFigureIsStale)
        #expect(Self.shown(h) == 29)
        #expect(h.state.jobs.busy[.model] == nil)
    }

    @Test func escStopsTheComputationAndItsLateResultIsIgnored() {
        var h = Self.withModel(runEffects: false)
        h.start()
        Self.drain(&h)
        h.press("]")
        let pending = h.effects.last { $0.kind == .model }!
        h.press(.escape)
        #expect(h.state.jobs.busy[.model] == nil)
        #expect(h.effects.contains(.cancel(.model)))
        h.run(pending)   // answered after Esc: stale generation
        #expect(Self.shown(h) == 28)
        #expect(h.state.modelFigureIsStale)
    }

    @Test func zListsTheLayersByTheirCostMostHarmfulFirst() {
        var h = Self.withModel()
        h.start()
        h.press("Z")
        let s = try! #require(h.state.model.sensitivity)
        #expect(s.finished && s.entries.count == Harness.names.count)
        #expect(s.entries.map(\.perplexity) == s.entries.map(\.perplexity).sorted(by: >))
        #expect(s.entries.first?.layer == Harness.names.last)
        #expect(h.state.model.showSensitivity)
        h.press("Z")
        #expect(!h.state.model.showSensitivity)
        #expect(h.effects.filter { $0.kind == .sensitivity }.count == 1)
    }

    @Test func theMethodKeyRecomputesForTheNewMethod() {
        var h = Self.withModel()
        h.start()
        h.press("m")   // duquant → rtn
        #expect(h.state.model.figure?.request.method == .rtn)
        #expect(Self.shown(h) == 24)
    }
}
