import ExplorerModel
import ExplorerRuntime
import Foundation
import Testing
import TestSupport

/// The road of one keypress through the files, as `Hop.here()` records it: from the backend reading the
/// key to the frame drawn after it. docs/ARCHITECTURE.md lists the road of `]`; this test keeps that list
/// true (and prints the road of `5` for comparison).
@Suite struct HopTraceTests {
    /// The files visited (each once, in order of first visit) from the backend delivering `key` to the next
    /// time the loop asks the backend for input, in a session with an inline executor.
    static func road(of key: Character) -> [String] {
        let layers = ["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj"].enumerated().map { i, n in
            TestLayer.make(name: n, tokens: 16, channels: 32, out: 16, seed: UInt64(i + 1))
        }
        let source = FakeLayerSource(layers: layers)
        var state = AppState(files: source.files, layers: source.entries)
        state.shared.params.block = 16
        state.shared.params.steps = 4
        let backend = ScriptedBackend(size: Size(width: 100, height: 30), script: ScriptedBackend.keys("\(key)q"))
        let session = ExplorerSession(state: state, themes: ScreenThemes.all, backend: backend, source: source, synchronous: true)
        let hops = Hop.trace { _ = session.run() }
        let backendFile = "ExplorerRuntime/ScriptedBackend.swift"
        guard let from = hops.firstIndex(where: { $0.file == backendFile && $0.note.contains("char(\"\(key)\")") }) else { return [] }
        let to = hops[(from + 1)...].firstIndex { $0.file == backendFile } ?? hops.endIndex
        var seen: [String] = []
        for hop in hops[from..<to] where !seen.contains(hop.file) { seen.append(hop.file) }
        return seen
    }

    /// The lines of the fenced block after `marker` in docs/ARCHITECTURE.md.
    static func documented(after marker: String) throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let m = lines.firstIndex(where: { $0.contains(marker) }),
              let open = lines[m...].firstIndex(where: { $0.hasPrefix("```") }) else { return [] }
        let close = lines[(open + 1)...].firstIndex { $0.hasPrefix("```") } ?? lines.endIndex
        return lines[(open + 1)..<close].map { $0.split(separator: " ").first.map(String.init) ?? "" }
    }

    @Test func theRoadOfBracketIsTheOneDocumented() throws {
        let road = Self.road(of: "]")
        print("road of ]:\n" + road.joined(separator: "\n"))
        print("road of 5:\n" + Self.road(of: "5").joined(separator: "\n"))
        #expect(road.first == "ExplorerRuntime/ScriptedBackend.swift")
        #expect(road.contains("ExplorerRuntime/EffectExecutor.swift"))
        #expect(try Self.documented(after: "<!-- road of ] -->") == road)
    }
}
