import DuQuantCore
import ExplorerModel
import TestSupport

/// Drives `App.update` with scripted input and runs effects inline with the real core on synthetic
/// layers, as the executor would (minus threads).
struct Harness {
    var state: AppState
    var effects: [Effect] = []
    let layers: [LayerData]
    /// Run effects immediately (otherwise they only accumulate in `effects`).
    var runEffects = true
    var params = QuantParams()

    static let names = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"]

    init(size: Size = Size(width: 120, height: 40), runEffects: Bool = true) {
        layers = Harness.names.enumerated().map { i, n in
            SyntheticLayer.make(name: n, tokens: 24, channels: 64, out: 32, seed: UInt64(i + 1))
        }
        let entries = layers.map {
            LayerEntry(name: $0.name, kind: String($0.name.split(separator: ".").last!.split(separator: "_").first!),
                       tokens: $0.tokens, inFeatures: $0.inFeatures, outFeatures: $0.outFeatures)
        }
        state = AppState(files: ["synthetic.safetensors"], layers: entries,
                         themes: [ThemeChoice(name: "dark", hasRamp: true), ThemeChoice(name: "mono", hasRamp: false)])
        state.size = size
        state.params.steps = 16
        state.params.block = 16
        self.runEffects = runEffects
    }

    mutating func start() {
        handle(App.start(&state))
    }

    mutating func send(_ msg: Msg) {
        handle(App.update(&state, msg))
    }

    mutating func press(_ keys: String) {
        for ch in keys { send(.key(.char(ch))) }
    }

    mutating func press(_ key: Key) { send(.key(key)) }

    mutating func handle(_ new: [Effect]) {
        effects += new
        guard runEffects else { return }
        for e in new { run(e) }
    }

    /// What the executor would answer.
    mutating func run(_ effect: Effect) {
        switch effect {
        case let .loadLayer(index, generation):
            send(.layerLoaded(generation: generation, index: index, layer: layers[index], tokens: nil,
                              summary: LayerSummary(maxAbs: 1, ratio: 1), stats: StageStats.of(layers[index].input)))
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
