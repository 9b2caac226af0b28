import DuQuantCore
import Testing
import TestSupport
@testable import ExplorerModel

@Suite struct UpdateTests {
    @Test func startOpensTheFirstLayerAndScans() {
        var h = Harness(runEffects: false)
        h.start()
        #expect(h.effects == [.loadLayer(index: 0, generation: 1),
                              .scanLayers(params: h.state.shared.params, method: .duquant, generation: 1)])
        #expect(h.state.shared.loading == 0)
    }

    @Test func loadThenEvaluateFillsTheStages() {
        var h = Harness()
        h.start()
        #expect(h.state.shared.open?.index == 0)
        #expect(h.state.shared.evaluation != nil)
        for stage in Stage.allCases { #expect(h.state.matrix(for: stage) != nil) }
        #expect(h.state.shared.layers[0].summary?.error != nil)
        #expect(h.state.jobs.busy[.evaluate] == nil)
    }

    @Test func jkMoveAndEnterOpens() {
        var h = Harness()
        h.start()
        h.press("jj")
        #expect(h.state.list.selected == 2)
        #expect(h.state.shared.open?.index == 0)
        h.press(.enter)
        #expect(h.state.shared.open?.index == 2)
        #expect(h.state.focus == .heatmap)
        h.press("k")  // heatmap focus: moves the cursor, not the list
        #expect(h.state.list.selected == 2)
        h.press(.escape)
        h.press(.up)
        #expect(h.state.list.selected == 1)
    }

    /// A result for a layer that is no longer wanted must not replace the newer one.
    @Test func staleResultsAreIgnored() {
        var h = Harness(runEffects: false)
        h.start()
        h.press("j")
        h.press(.enter)
        #expect(h.effects.last == .loadLayer(index: 1, generation: 2))
        h.send(.layerLoaded(generation: 1, index: 0, layer: h.layers[0], tokens: nil, summary: nil,
                            stats: StageStats.of(h.layers[0].input)))
        #expect(h.state.shared.open == nil)
        h.send(.layerLoaded(generation: 2, index: 1, layer: h.layers[1], tokens: nil, summary: nil,
                            stats: StageStats.of(h.layers[0].input)))
        #expect(h.state.shared.open?.index == 1)
        guard case let .evaluate(_, params, g, _) = h.effects.last else { Issue.record("no evaluate"); return }
        h.press("]")  // abits 4 → 5: a newer evaluation
        let stale = h.fixture.layers[1].evaluation(params, anatomy: false)
        h.send(.evaluated(generation: g, evaluation: stale, stats: [:]))
        #expect(h.state.shared.evaluation == nil)
    }

    @Test func stageKeysTabAndCompare() {
        var h = Harness()
        h.start()
        h.press("3")
        #expect(h.state.heatmap.stage == .rotation1)
        h.press(.tab)
        #expect(h.state.heatmap.stage == .permutation)
        h.press(.backTab); h.press(.backTab); h.press(.backTab); h.press(.backTab)
        #expect(h.state.heatmap.stage == .quantError)
        h.press("1")
        h.press("c")
        #expect(h.state.heatmap.compare && h.state.heatmap.compareLeft == .original && h.state.heatmap.stage == .rotation2)
        h.press("L")
        #expect(h.state.scale == .log)
        h.press("C")
        #expect(h.state.heatmap.compareLeft == .smoothed)
    }

    @Test func parameterChangesRecomputeWithANewGeneration() {
        var h = Harness(runEffects: false)
        h.start()
        let before = h.state.jobs.generation(.evaluate)
        h.press("p")
        #expect(h.state.focus == .params)
        h.press("jj")  // block size
        h.press("l")
        #expect(h.state.shared.params.block == 32)
        // Nothing is open yet (the load has not answered): only the scan restarts, with the new block.
        #expect(h.state.jobs.generation(.evaluate) == before)
        #expect(h.effects.last == .scanLayers(params: h.state.shared.params, method: .duquant, generation: 2))
        h.send(.layerLoaded(generation: 1, index: 0, layer: h.layers[0], tokens: nil, summary: nil,
                            stats: StageStats.of(h.layers[0].input)))
        #expect(h.effects.last == .evaluate(layer: 0, params: h.state.shared.params, generation: before + 1))
        h.press("[")
        #expect(h.state.shared.params.block == 16)
        h.press("S")
        #expect(h.state.shared.params.select == .reference)
        h.press("O")
        #expect(h.state.shared.params.layout == .shared)
    }

    @Test func invalidParametersAreRefusedWithAMessage() {
        var h = Harness()
        h.start()
        h.state.parameters.row = ParamField.named("abits")!.rawValue
        for _ in 0..<10 { h.press("[") }
        #expect(h.state.shared.params.abits == 2)
        #expect(h.state.status.lastError == nil)
    }

    @Test func searchFindsByNameAndOpens() {
        var h = Harness()
        h.start()
        h.press("/")
        h.press("o_pr")
        #expect(h.state.list.search == "o_pr")
        #expect(h.state.list.selected == 1)
        h.press(.backspace)
        #expect(h.state.list.search == "o_p")
        h.press(.enter)
        #expect(h.state.list.search == nil)
        #expect(h.state.shared.open?.index == 1)
        h.press("/")
        h.press("zzz")
        h.press(.escape)
        #expect(h.state.list.search == nil)
    }

    @Test func helpOverlayAndQuit() {
        var h = Harness()
        h.start()
        h.press("?")
        #expect(h.state.overlays.showHelp)
        h.press("3")  // ignored while help is open
        #expect(h.state.heatmap.stage == .original)
        h.press(.escape)
        #expect(!h.state.overlays.showHelp)
        let effects = h.effects.count
        h.press("q")
        #expect(h.state.quitting)
        #expect(h.effects.count == effects)  // leaving is state the run loop reads, not an effect
    }

    @Test func greedyStepThrough() {
        var h = Harness()
        h.start()
        h.press("s")
        #expect(h.state.heatmap.step?.shownStep == 0)
        // Step 0 shows rotation 1's input: the smoothed stage (the fixture moves an eighth of the way per step).
        #expect(h.state.shownMatrix == h.state.calibration!.stages[.smoothed])
        h.press("..")
        #expect(h.state.heatmap.step?.step == 2)
        #expect(h.state.heatmap.step?.shownStep == 2)
        h.press(",")
        #expect(h.state.heatmap.step?.step == 1)
        h.press(">")
        let maxSteps = App.maxSteps(h.state, rotation: 0)
        #expect(h.state.heatmap.step?.step == min(maxSteps, 11))
        h.press("r")
        #expect(h.state.heatmap.step?.rotation == 1 && h.state.heatmap.step?.step == 0)
        h.press(.escape)
        #expect(h.state.heatmap.step == nil)
    }

    /// Step-through opens on the block whose search starts from the highest peak (the outlier's block).
    @Test func stepThroughStartsAtTheLoudestBlock() throws {
        // A layer whose massive value sits in block 2 (channel 40 with blocks of 16).
        let fixture = EvaluationFixture([EvaluationFixture.Spec(name: Harness.names[0], tokens: 24, channels: 64, out: 32, block: 16,
                                                                steps: 16, outliers: [40, 5], massive: 500, ratio: 40)], tokens: nil)
        var state = Harness().state
        state.shared.files = fixture.files
        state.shared.layers = fixture.entries
        var h = Harness(fixture: fixture, state: state)
        h.start()
        h.press("s")
        let traces = try #require(h.state.calibration?.traces[0])
        #expect(traces[2].peaks[0] == traces.map { $0.peaks[0] }.max())
        #expect(h.state.heatmap.step?.traceIndex == 2)
    }

    @Test func cursorMovesByBinsAndZoomKeepsItVisible() {
        var h = Harness()
        h.start()
        h.press(.enter)
        h.press("l")
        #expect(h.state.heatmap.view.cursorChannel >= 1)
        h.press("jjj")
        #expect(h.state.heatmap.view.cursorToken == 3)
        h.press("++")
        #expect(h.state.heatmap.view.zoom == 2)
        #expect(h.state.heatmap.view.tokenSpan == 6 && h.state.heatmap.view.channelSpan == 16)
        let v = h.state.heatmap.view
        #expect((v.tokenStart..<(v.tokenStart + v.tokenSpan)).contains(v.cursorToken))
        h.press("0")
        #expect(h.state.heatmap.view.zoom == 0 && h.state.heatmap.view.tokenSpan == 24)
    }

    @Test func mouseClickOpensALayerAndPlacesTheCursor() {
        var h = Harness()
        h.start()
        let layout = ScreenLayout(size: h.state.display.size, compare: false)
        h.send(.mouse(MouseEvent(.press, at: Point(x: layout.list.x + 2, y: layout.list.y + 3))))
        #expect(h.state.shared.open?.index == 2)
        h.send(.mouse(MouseEvent(.press, at: Point(x: layout.heat.x + 5, y: layout.heat.y + 2))))
        #expect(h.state.focus == .heatmap)
        #expect(h.state.heatmap.view.cursorToken > 0 && h.state.heatmap.view.cursorChannel > 0)
    }

    @Test func themeCycles() {
        var h = Harness()
        h.press("t")
        #expect(h.state.theme.name == "mono")
        #expect(h.state.asciiHeat)
        h.press("t")
        #expect(h.state.theme.name == "dark")
    }
}
