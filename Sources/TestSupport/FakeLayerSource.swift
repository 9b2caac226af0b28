import DuQuantCore
import ExplorerModel
import ExplorerRuntime

/// Layers held in memory, served like a dump: what the explorer's tests open.
package struct FakeLayerSource: LayerSource {
    package let layers: [LayerData]
    /// Token texts, as a dump's sidecar would give (nil: none).
    package let tokens: [String]?
    package let files: [String]

    package init(layers: [LayerData], tokens: [String]? = nil, file: String = "synthetic.safetensors") {
        self.layers = layers
        self.tokens = tokens
        files = [file]
    }

    package var entries: [LayerEntry] {
        layers.map { l in
            let kind = String(l.name.split(separator: ".").last?.split(separator: "_").first ?? "")
            return LayerEntry(name: l.name, kind: kind, tokens: l.tokens, inFeatures: l.inFeatures, outFeatures: l.outFeatures)
        }
    }

    package func load(_ index: Int) throws(LayerSourceError) -> (LayerData, [String]?) {
        guard layers.indices.contains(index) else { throw LayerSourceError("no layer \(index)") }
        return (layers[index], tokens.map { t in (0..<layers[index].tokens).map { t[$0 % t.count] } })
    }
}

/// Drives `App.update` with scripted input and runs every effect through the real ``EffectExecutor``,
/// inline (synchronous), on a ``FakeLayerSource``: the explorer's logic as the run loop drives it, without
/// a terminal or threads. The background scan is skipped unless asked for (it would evaluate every layer).
package struct AppDriver {
    package var state: AppState
    /// Every effect `update` asked for, in order.
    package private(set) var effects: [Effect] = []
    /// Run effects as they come (otherwise they only accumulate in `effects`; `run` runs one).
    package var runEffects: Bool
    package let source: FakeLayerSource
    private let executor: EffectExecutor
    private let outbox = Locked<[Msg]>([])

    package init(source: FakeLayerSource, state: AppState, runEffects: Bool = true, scan: Bool = false) {
        self.source = source
        self.state = state
        self.runEffects = runEffects
        let outbox = self.outbox
        executor = EffectExecutor(source: source, synchronous: true) { msg in outbox.withLock { $0.append(msg) } }
        if !scan { executor.skipped = [.scan] }
    }

    package var layers: [LayerData] { source.layers }

    package mutating func start() { handle(App.start(&state)) }

    package mutating func send(_ msg: Msg) { handle(App.update(&state, msg)) }

    package mutating func press(_ keys: String) { for c in keys { send(.key(.char(c))) } }

    package mutating func press(_ key: Key) { send(.key(key)) }

    /// Runs `effect` through the executor and applies what it answers, in order.
    package mutating func run(_ effect: Effect) {
        executor.run(effect)
        let answers = outbox.withLock { box in defer { box.removeAll() }; return box }
        for msg in answers { send(msg) }
    }

    private mutating func handle(_ new: [Effect]) {
        effects += new
        guard runEffects else { return }
        for e in new { run(e) }
    }
}
