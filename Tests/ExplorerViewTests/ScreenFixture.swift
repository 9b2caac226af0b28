import DuQuantCore
import ExplorerModel
import ExplorerView
import TestSupport

/// The view tests' driver: the three layers of ``EvaluationFixture/threeLayers``, the first open, its
/// figures and stage matrices answered from the fixture (not computed), driven by keys. Screens drawn from
/// it change only when the view does.
typealias ScreenFixture = FixtureDriver

/// The driver for tests of what the numeric core computes, as the screen shows it: three synthetic layers,
/// the first open and computed by the real effect executor (inline) on the real core, driven by keys.
typealias PipelineScreen = AppDriver

/// A driver whose state the tests draw.
protocol ScreenDriver {
    var state: AppState { get }
}

/// The built-in themes, as both drivers' states list them.
enum ScreenThemes {
    static let all = try! ThemeLibrary.builtin()
    static let choices = all.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) }
}

extension ScreenDriver {
    static var themes: [Theme] { ScreenThemes.all }

    /// The screen in `theme` (which becomes the state's theme).
    func render(theme: String = "dark") -> CellGrid {
        var s = state
        if let i = s.display.themes.firstIndex(where: { $0.name == theme }) { s.display.themeIndex = i }
        return Screen.render(s, theme: ScreenThemes.all.first { $0.name == theme }!)
    }
}

extension FixtureDriver: ScreenDriver {
    init(size: Size, mode: ColourMode = .xterm256) {
        let fixture = EvaluationFixture.threeLayers
        var state = AppState(files: fixture.files, layers: fixture.entries, themes: ScreenThemes.choices)
        state.display.size = size
        state.display.colourMode = mode
        state.shared.params.block = 32
        state.shared.params.steps = 16
        self.init(fixture: fixture, state: state)
        start()
        Self.fixScanFigures(&self.state)
    }

    /// The scan's figures of the layers not opened, fixed (the fixture does not scan).
    static func fixScanFigures(_ state: inout AppState) {
        for i in state.shared.layers.indices where state.shared.layers[i].summary == nil {
            state.shared.layers[i].summary = LayerSummary(maxAbs: Float(10 * (i + 1)), ratio: Float(5 * (i + 1)), error: 0.01 * Float(i + 1),
                                                   errorParams: state.shared.params, errorMethod: state.list.method)
        }
    }
}

extension AppDriver: ScreenDriver {
    init(size: Size, mode: ColourMode = .xterm256) {
        let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]
        let layers = names.enumerated().map { i, n in TestLayer.make(name: n, tokens: 32, channels: 96, out: 48, seed: UInt64(i + 1)) }
        let source = FakeLayerSource(layers: layers, tokens: ["<s>", "The", "▁cat", "▁sat"])
        var state = AppState(files: source.files, layers: source.entries, themes: ScreenThemes.choices)
        state.display.size = size
        state.display.colourMode = mode
        state.shared.params.block = 32
        state.shared.params.steps = 16
        self.init(source: source, state: state)
        start()
        // The scan's figures, fixed so snapshots do not depend on timing.
        FixtureDriver.fixScanFigures(&self.state)
    }
}
