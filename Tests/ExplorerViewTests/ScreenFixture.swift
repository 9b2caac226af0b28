import DuQuantCore
import ExplorerModel
import ExplorerView
import TestSupport

/// A state with three synthetic layers, the first open and computed with the real core, driven by keys.
struct ScreenFixture {
    var state: AppState
    let layers: [LayerData]
    static let themes = try! ThemeLibrary.builtin()

    init(size: Size, mode: ColourMode = .xterm256) {
        let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]
        layers = names.enumerated().map { i, n in SyntheticLayer.make(name: n, tokens: 32, channels: 96, out: 48, seed: UInt64(i + 1)) }
        let kinds = ["q", "o", "down"]
        let entries = layers.enumerated().map { i, l in
            LayerEntry(name: l.name, kind: kinds[i], tokens: l.tokens, inFeatures: l.inFeatures, outFeatures: l.outFeatures)
        }
        state = AppState(files: ["synthetic.safetensors"], layers: entries,
                         themes: ScreenFixture.themes.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) })
        state.size = size
        state.colourMode = mode
        state.params.block = 32
        state.params.steps = 16
        run(App.start(&state))
        // The scan's figures, fixed so snapshots do not depend on timing.
        for i in state.layers.indices where state.layers[i].summary == nil {
            state.layers[i].summary = LayerSummary(maxAbs: Float(10 * (i + 1)), ratio: Float(5 * (i + 1)), error: 0.01 * Float(i + 1))
        }
    }

    mutating func send(_ msg: Msg) { run(App.update(&state, msg)) }

    mutating func press(_ keys: String) { for c in keys { send(.key(.char(c))) } }

    mutating func press(_ key: Key) { send(.key(key)) }

    mutating func run(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case let .loadLayer(index, generation):
                let tokens = (0..<layers[index].tokens).map { ["<s>", "The", "▁cat", "▁sat"][$0 % 4] }
                send(.layerLoaded(generation: generation, index: index, layer: layers[index], tokens: tokens,
                                  summary: LayerSummary(maxAbs: 120, ratio: 240), stats: StageStats.of(layers[index].input)))
            case let .evaluate(layer, params, generation):
                let e = Evaluator.evaluate(layers[layer], params)!
                send(.evaluated(generation: generation, evaluation: e, stats: StageStats.of(e.calibration!)))
            case let .stepThrough(rotation, step, generation):
                let m = state.calibration!.stepThrough(rotation: rotation, steps: step)
                send(.stepped(generation: generation, rotation: rotation, step: step, matrix: m, stats: StageStats.of(m)))
            case .scanLayers, .quit, .cancel:
                break
            }
        }
    }

    func render(theme: String = "dark") -> CellGrid {
        var s = state
        if let i = s.themes.firstIndex(where: { $0.name == theme }) { s.themeIndex = i }
        return Screen.render(s, theme: ScreenFixture.themes.first { $0.name == theme }!)
    }
}
