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
        f.state.shared.modelEvaluation = try Self.fixtureEvaluation()
        let grid = f.render()
        #expect(Snapshot.mismatch(grid.snapshot, named: "model-eval-\(size)") == nil)
        let text = grid.snapshot
        #expect(text.contains("ppl W4A4"))
        #expect(text.contains("27.1"))  // DuQuant, the best: marked
    }

    @Test func theRowFollowsTheBitsAndFallsBackToW4A4() throws {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.state.shared.modelEvaluation = try Self.fixtureEvaluation()
        f.state.shared.params.abits = 8
        f.state.shared.params.wbits = 8
        #expect(f.render().snapshot.contains("ppl W8A8"))
        f.state.shared.params.abits = 6
        #expect(f.render().snapshot.contains("ppl W4A4"))
    }

    @Test func noRowWithoutModelFigures() {
        let f = ScreenFixture(size: Size(width: 120, height: 40))
        #expect(!f.render().snapshot.contains("ppl W4A4"))
    }
}

/// Sidecar figures are checked when read (issue 23, item 3), on the real path file → source → screen.
@Suite struct ModelEvaluationValidationTests {
    /// Regression (issue 23, item 3): a perplexity of 1e308 was shown as `inf` and a negative one got the
    /// best mark (★) as the lowest. Both are now left out when the sidecar is read, the ★ goes to the
    /// lowest valid figure, and the explorer's problem list names each entry once.
    @Test func issue23_anOutOfRangePerplexityIsNotShownNorStarred() throws {
        let dir = NSTemporaryDirectory() + "duq-model-eval-bad-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = ModelEvaluationTests.here.deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: repo.appendingPathComponent("tests/e2e/fixtures/tiny.safetensors").path,
                                         toPath: dir + "/run.safetensors")
        try #"""
            {"model_eval": {"fp": 17.5, "methods": {"rtn": {"W4A4": 1e308}, "smoothquant": {"W4A4": 211.3},
             "hadamard": {"W4A4": 48.62}, "duquant": {"W4A4": -5}}}}
            """#.write(toFile: dir + "/run.json", atomically: true, encoding: .utf8)
        let source = try DumpLayerSource(paths: [dir + "/run.safetensors"])
        #expect(source.problems.filter { $0.contains("\"model_eval.methods.rtn.W4A4\" ignored") }.count == 1, "\(source.problems)")
        #expect(source.problems.filter { $0.contains("\"model_eval.methods.duquant.W4A4\" ignored") }.count == 1)
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.state.shared.modelEvaluation = source.modelEvaluation
        let row = try #require(f.render().snapshot.split(separator: "\n").first { $0.contains("ppl W4A4") })
        #expect(!row.contains("inf") && !row.contains("-5"), "\(row)")
        #expect(row.contains("48.6 ★") && row.components(separatedBy: "★").count == 2, "\(row)")
    }
}
