import DuQuantCore
import ExplorerModel
import TestSupport

/// The model tests' driver: three synthetic layers behind the real effect executor, run inline.
typealias Harness = AppDriver

extension AppDriver {
    static let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]

    init(size: Size = Size(width: 120, height: 40), runEffects: Bool = true) {
        let layers = Self.names.enumerated().map { i, n in
            TestLayer.make(name: n, tokens: 24, channels: 64, out: 32, seed: UInt64(i + 1))
        }
        let source = FakeLayerSource(layers: layers)
        var state = AppState(files: source.files, layers: source.entries,
                             themes: [ThemeChoice(name: "dark", hasRamp: true), ThemeChoice(name: "mono", hasRamp: false)])
        state.size = size
        state.params.steps = 16
        state.params.block = 16
        self.init(source: source, state: state, runEffects: runEffects)
    }
}
