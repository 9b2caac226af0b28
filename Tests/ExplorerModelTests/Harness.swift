import DuQuantCore
import ExplorerModel
import TestSupport

/// The model tests' driver: three synthetic layers whose loads, figures, stage matrices and greedy steps
/// are answered from an ``EvaluationFixture`` (no numeric core, no executor, no threads).
typealias Harness = FixtureDriver

extension FixtureDriver {
    static let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]

    /// 24 tokens × 64 channels in blocks of 16, outliers in channels 5 and 40 (30 at token 0 of channel 5).
    static let layersFixture = EvaluationFixture(
        names.map { EvaluationFixture.Spec(name: $0, tokens: 24, channels: 64, out: 32, block: 16, steps: 16, outliers: [5, 40],
                                           massive: 30, ratio: 40) },
        tokens: nil)

    init(size: Size = Size(width: 120, height: 40), runEffects: Bool = true) {
        let fixture = Self.layersFixture
        var state = AppState(files: fixture.files, layers: fixture.entries,
                             themes: [ThemeChoice(name: "dark", hasRamp: true), ThemeChoice(name: "mono", hasRamp: false)])
        state.display.size = size
        state.shared.params.steps = 16
        state.shared.params.block = 16
        self.init(fixture: fixture, state: state, runEffects: runEffects)
    }
}
