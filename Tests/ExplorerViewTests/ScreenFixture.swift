import DuQuantCore
import ExplorerModel
import ExplorerView
import TestSupport

/// The view tests' driver: three synthetic layers, the first open and computed by the real effect
/// executor (inline) on the real core, driven by keys.
typealias ScreenFixture = AppDriver

extension AppDriver {
    static let themes = try! ThemeLibrary.builtin()

    init(size: Size, mode: ColourMode = .xterm256) {
        let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]
        let layers = names.enumerated().map { i, n in TestLayer.make(name: n, tokens: 32, channels: 96, out: 48, seed: UInt64(i + 1)) }
        let source = FakeLayerSource(layers: layers, tokens: ["<s>", "The", "▁cat", "▁sat"])
        var state = AppState(files: source.files, layers: source.entries,
                             themes: Self.themes.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) })
        state.size = size
        state.colourMode = mode
        state.params.block = 32
        state.params.steps = 16
        self.init(source: source, state: state)
        start()
        // The scan's figures, fixed so snapshots do not depend on timing.
        for i in self.state.layers.indices where self.state.layers[i].summary == nil {
            self.state.layers[i].summary = LayerSummary(maxAbs: Float(10 * (i + 1)), ratio: Float(5 * (i + 1)), error: 0.01 * Float(i + 1))
        }
    }

    func render(theme: String = "dark") -> CellGrid {
        var s = state
        if let i = s.themes.firstIndex(where: { $0.name == theme }) { s.themeIndex = i }
        return Screen.render(s, theme: Self.themes.first { $0.name == theme }!)
    }
}
