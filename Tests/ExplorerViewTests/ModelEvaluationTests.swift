import DuQuantCore
import ExplorerModel
import ExplorerRuntime
import Foundation
import Testing
import TestSupport
@testable import ExplorerView

/// The model-level figures of `make eval`, read from a dump's sidecar (`model_eval`) and shown as a row of
/// the Methods table. The fixture sidecar (Fixtures/model-eval-sidecar.json) sits beside a copy of the
/// e2e fixture dump, so the path is the real one: file → `DumpLayerSource` → state → screen.
@Suite struct ModelEvaluationTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The fixture's figures as the explorer reads them from disk.
    static func fixtureEvaluation() throws -> ModelEvaluation? {
        let dir = NSTemporaryDirectory() + "duq-model-eval-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = here.deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: repo.appendingPathComponent("tests/e2e/fixtures/tiny.safetensors").path,
                                         toPath: dir + "/run.safetensors")
        try FileManager.default.copyItem(atPath: here.appendingPathComponent("Fixtures/model-eval-sidecar.json").path,
                                         toPath: dir + "/run.json")
        return try DumpLayerSource(paths: [dir + "/run.safetensors"]).modelEvaluation
    }

    @Test func sidecarFiguresAreRead() throws {
        let e = try #require(try Self.fixtureEvaluation())
        #expect(e.fullPrecision == 17.5265)
        #expect(e.figures["W4A4"]?[.duquant] == 27.14)
        #expect(e.figures["W8A8"]?[.rtn] == 17.91)
        // A method this build does not know ("someday") is left out, not an error.
        #expect(e.figures["W4A4"]?.count == 4)
        #expect(e.seedSpread == .init(method: .duquant, setting: "W4A4", seeds: 3, min: 26.8, max: 27.9))
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 120, height: 40)])
    func methodsTableShowsThePerplexityRow(size: Size) throws {
        var f = ScreenFixture(size: size)
        f.state.modelEvaluation = try Self.fixtureEvaluation()
        let grid = f.render()
        #expect(Snapshot.mismatch(grid.snapshot, named: "model-eval-\(size)") == nil)
        let text = grid.snapshot
        #expect(text.contains("ppl W4A4"))
        #expect(text.contains("27.1"))  // DuQuant, the best: marked
    }

    @Test func theRowFollowsTheBitsAndFallsBackToW4A4() throws {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.state.modelEvaluation = try Self.fixtureEvaluation()
        f.state.params.abits = 8
        f.state.params.wbits = 8
        #expect(f.render().snapshot.contains("ppl W8A8"))
        f.state.params.abits = 6
        #expect(f.render().snapshot.contains("ppl W4A4"))
    }

    @Test func noRowWithoutModelFigures() {
        let f = ScreenFixture(size: Size(width: 120, height: 40))
        #expect(!f.render().snapshot.contains("ppl W4A4"))
    }
}
