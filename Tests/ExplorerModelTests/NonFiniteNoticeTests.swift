import DuQuantCore
import ExplorerModel
import Testing

/// The NaN/inf rule in the app: a layer whose non-finite values the loader replaced by 0 says so.
@Suite struct NonFiniteNoticeTests {
    @Test func loadedLayerWithNonFiniteValuesShowsANotice() {
        var h = Harness(runEffects: false)
        h.start()
        h.press("j")
        h.press(.enter)
        guard case let .loadLayer(index, generation) = h.effects.last else { Issue.record("no load"); return }
        var x = h.layers[index].input
        x[1, 2] = .nan
        let layer = LayerData(name: h.layers[index].name, input: x, weight: h.layers[index].weight).replacingNonFinite()
        h.send(.layerLoaded(generation: generation, index: index, layer: layer, tokens: nil, summary: nil,
                            stats: StageStats.of(layer.input)))
        #expect(h.state.status.notice == "input: 1 non-finite value (1 NaN, 0 ±inf), first at (token 1, channel 2); replaced by 0")
    }
}
