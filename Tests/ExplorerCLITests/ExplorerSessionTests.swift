import DuQuantCore
import ExplorerModel
import ExplorerView
import Foundation
import Testing
import TestSupport
@testable import ExplorerCLI
import ExplorerRuntime

/// The run loop with a scripted terminal and inline work: the real wiring of keys, update, effects and
/// frames, without a terminal or threads.
@Suite struct ExplorerSessionTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/e2e/fixtures/tiny.safetensors").path

    func session(_ script: [ScriptedBackend.Step]) -> (ExplorerSession, ScriptedBackend) {
        let source = FakeLayerSource(layers: (0..<2).map { TestLayer.make(name: "model.layers.\($0).mlp.down_proj", tokens: 16, channels: 64, seed: UInt64($0 + 1)) }, file: "fake.safetensors")
        let themes = try! ThemeLibrary.builtin()
        var state = AppState(files: source.files, layers: source.entries,
                             themes: themes.map { ThemeChoice(name: $0.name, hasRamp: $0.heat.count >= 2) })
        state.shared.params.block = 32
        state.shared.params.steps = 8
        let backend = ScriptedBackend(size: Size(width: 100, height: 30), script: script)
        return (ExplorerSession(state: state, themes: themes, backend: backend, source: source, synchronous: true), backend)
    }

    @Test func keysDriveTheRealLoopAndQuitRestores() {
        let (s, backend) = session(ScriptedBackend.keys("j") + [.event(.key(.enter))] + ScriptedBackend.keys("5]q"))
        let status = s.run()
        #expect(status == 0)
        #expect(backend.isShutDown)
        #expect(s.state.shared.open?.index == 1)
        #expect(s.state.heatmap.stage == .rotation2)
        #expect(s.state.shared.params.abits == 5)
        #expect(s.state.shared.evaluation?.params.abits == 5)
        #expect(backend.lastFrame!.text.contains("5 Rotation 2 · tok 0–15"))
    }

    @Test func signalsEndTheLoopWithTheirStatus() {
        let (s, backend) = session([.event(.signal(.interrupt))])
        #expect(s.run() == 130)
        #expect(backend.isShutDown)
    }

    @Test func resizeRedrawsAtTheNewSize() {
        let (s, backend) = session([.event(.resize(Size(width: 70, height: 20))), .event(.key(.char("q")))])
        _ = s.run()
        #expect(backend.lastFrame?.size == Size(width: 70, height: 20))
    }

    @Test func renderPrintsTheScreenAsText() throws {
        let text = try RenderCommand.run([Self.fixture, "--layer", "down_proj", "--stage", "permutation",
                                          "--size", "90x26", "--color", "never"])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 26)
        #expect(text.contains("4 Permutation · tok 0–39 × ch 0–255"))
        #expect(text.contains("model.layers.0.mlp.down_proj"))
        #expect(text.contains("out rel err"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func renderWithColourUsesSGR256AndASCIIUsesTheRamp() throws {
        let colour = try RenderCommand.run([Self.fixture, "--size", "80x24", "--color", "always"])
        #expect(colour.contains("\u{1B}[0;38;5;"))
        let ascii = try RenderCommand.run([Self.fixture, "--size", "80x24", "--color", "never", "--ascii", "--log"])
        #expect(!ascii.contains("▀"))
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func renderRejectsBadOptions() {
        #expect(throws: CLIError.self) { try RenderCommand.run([Self.fixture, "--stage", "nope"]) }
        #expect(throws: CLIError.self) { try RenderCommand.run([Self.fixture, "--size", "12"]) }
        #expect(throws: CLIError.self) { try RenderCommand.run([Self.fixture, "--theme", "nope"]) }
        #expect(throws: CLIError.self) { try RenderCommand.run([Self.fixture, "--layer", "zzz"]) }
        #expect(throws: CLIError.self) { try RenderCommand.run([Self.fixture, "--layer", "proj"]) }
    }
}
