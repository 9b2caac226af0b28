import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

/// The sidecar's `model_eval` key (`make eval`): model-level figures per method and setting.
@Suite struct SidecarModelEvaluationTests {
    /// A one-layer dump with `sidecar` as its JSON; returns the opened dump.
    static func open(sidecar: String) throws -> DumpFile {
        let dir = NSTemporaryDirectory() + "duq-sidecar-eval-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var w = SafetensorsWriter()
        try w.add("l.input", shape: [2, 4], values: [1, 2, 3, 4, 5, 6, 7, 8])
        try w.write(to: dir + "/d.safetensors")
        try sidecar.write(toFile: dir + "/d.json", atomically: true, encoding: .utf8)
        return try DumpFile.open(dir + "/d.safetensors")
    }

    @Test func figuresPerSettingAndMethod() throws {
        let dump = try Self.open(sidecar: #"""
            {"tokens": ["a", "b"], "model_eval": {"fp": 17.5, "text": "t",
             "methods": {"rtn": {"W4A4": 900.5, "W8A8": 18}, "duquant": {"W4A4": 21.25}, "future": {"W4A4": 1}},
             "seed_spread": {"method": "duquant", "setting": "W4A4", "seeds": 3, "min": 21, "max": 22}}}
            """#)
        let e = try #require(dump.sidecar?.modelEvaluation)
        #expect(e.fullPrecision == 17.5 && e.metric == "perplexity" && e.text == "t")
        #expect(e.figures == ["W4A4": [.rtn: 900.5, .duquant: 21.25], "W8A8": [.rtn: 18]])
        #expect(e.seedSpread?.seeds == 3)
        var p = QuantParams()
        p.abits = 8
        p.wbits = 8
        #expect(e.figures(for: p)?.setting == "W8A8")
        p.wbits = 3
        #expect(e.figures(for: p)?.setting == "W4A4")
        #expect(dump.sidecar?.extras["model_eval"] == nil)
    }

    /// A malformed entry is a warning naming it; the entry is left out, the rest of the sidecar is kept
    /// (issue 23: before, one bad entry dropped the whole sidecar) and the dump still opens.
    @Test func malformedEntryIsAWarning() throws {
        let dump = try Self.open(sidecar: #"{"tokens": ["a", "b"], "model_eval": {"fp": "high", "methods": {}}}"#)
        #expect(dump.sidecar?.modelEvaluation == nil && dump.sidecar?.tokens == ["a", "b"])
        #expect(dump.warnings.contains { $0.description.contains("model_eval") })
        #expect(try dump.loadLayer("l").input.rows == 2)
    }
}
