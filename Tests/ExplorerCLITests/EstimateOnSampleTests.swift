import DuQuantCore
import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// Estimates on the bundled real SmolLM2 layers: a quarter of the tokens, heavy ones kept, within 15%.
@Suite struct EstimateOnSampleTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/smollm2-135m/activations.safetensors").path

    // Regression (issue 12, item 4): estimates were up to ~2× off the exact figures on layers with massive
    // activations; the promise is 15%.
    @Test(arguments: ["model.layers.5.mlp.down_proj", "model.layers.11.mlp.down_proj", "model.layers.28.mlp.down_proj",
                      "model.layers.11.self_attn.q_proj"])
    func estimateIsWithin15PercentOnTheBundledLayer(_ name: String) throws {
        let layer = try DumpFile.open(Self.sample).loadLayer(name)
        var p = QuantParams()
        p.steps = 32
        let ws = EvaluationWorkspace(layer)
        let estimate = try #require(ws.evaluate(p, sampleTokens: layer.tokens / 4))
        let exact = try #require(ws.evaluate(p))
        for m in Method.allCases {
            let e = try #require(estimate.methods[m]?.outputRelError), x = try #require(exact.methods[m]?.outputRelError)
            #expect(abs(e - x) <= 0.15 * x, "\(name) \(m): ≈\(e) vs \(x)")
        }
    }

    // Issue 12, item 4: the first DuQuant figure of a large layer comes from rotations searched on a
    // preview of the tokens (32 here, an eighth). Its rotations are another draw, so it can differ from the
    // exact figure as another seed's calibration does: it must land within 15% of the range the exact
    // figure spans over seeds 0–2 (on the flat layers that range is narrow; on layer 11's massive token
    // the seed alone moves DuQuant's figure by ~20%).
    @Test(arguments: ["model.layers.5.mlp.down_proj", "model.layers.11.mlp.down_proj", "model.layers.28.mlp.down_proj"])
    func previewEstimateIsAsNearAsAnotherSeed(_ name: String) throws {
        let layer = try DumpFile.open(Self.sample).loadLayer(name)
        var p = QuantParams()
        p.steps = 32
        let ws = EvaluationWorkspace(layer)
        let estimate = try #require(ws.evaluate(p, methods: [.duquant], sampleTokens: layer.tokens / 4, previewTokens: 32))
        let note = try #require(estimate.methods[.duquant]?.note)
        #expect(note.contains("preview: rotations searched on 32 of \(layer.tokens) tokens"))
        #expect(ws.cachedCalibration(p) == nil, "a preview is not the calibration")
        var exact: [Float] = []
        for seed in UInt64(0)...2 {
            p.seed = seed
            exact.append(try #require(ws.evaluate(p, methods: [.duquant])?.methods[.duquant]?.outputRelError))
        }
        let e = try #require(estimate.methods[.duquant]?.outputRelError)
        let lo = exact.min()!, hi = exact.max()!
        #expect(e >= 0.85 * lo && e <= 1.15 * hi, "\(name): preview ≈\(e), exact over seeds 0–2 \(exact)")
    }

    // Issue 13, item 4: on the bundled layer 11, fit on the first half of the tokens and score on the
    // second: both figures are reported and differ.
    @Test func heldOutFiguresOnTheBundledLayer() throws {
        let json = try CLI.dispatch(["report", Self.sample, "--layer", "model.layers.11.mlp.down_proj", "--steps", "32",
                                     "--calib-tokens", "0:128", "--format", "json"])
        #expect(json.contains("\"split\"") && json.contains("\"fit_tokens\": 128") && json.contains("\"eval_tokens\": 128"))
        let table = try CLI.dispatch(["report", Self.sample, "--layer", "model.layers.11.mlp.down_proj", "--steps", "32",
                                      "--calib-tokens", "0:128"])
        let line = try #require(table.split(separator: "\n").first { $0.contains("DuQuant held out:") })
        // "out rel err X (fit Y)": the two differ.
        let parts = line.split(separator: " ")
        let i = try #require(parts.firstIndex(of: "err"))
        let heldOut = String(parts[i + 1]), fit = String(parts[i + 3]).trimmingCharacters(in: CharacterSet(charactersIn: "),"))
        #expect(heldOut != fit, "\(line)")
    }

    // Issue 13, item 4: calibrate on one file's layer and score on another file's layer of the same name.
    // Cutting layer 11 into its first 128 tokens and the rest gives two files on which `--eval-file` must
    // reproduce `--calib-tokens 0:128` on the whole layer exactly: same fit tokens, same scored tokens,
    // nothing refitted on the scored ones.
    @Test func evalFileIsTheTokenSplitAcrossTwoFiles() throws {
        let name = "model.layers.11.mlp.down_proj"
        let layer = try DumpFile.open(Self.sample).loadLayer(name)
        let weight = try #require(layer.weight)
        let dir = NSTemporaryDirectory() + "duquant-evalfile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write(_ rows: [Int], _ file: String) throws {
            var w = SafetensorsWriter()
            try w.add(name + ".input", layer.input.gatheringRows(rows))
            try w.add(name + ".weight", weight)
            try w.write(to: dir + "/" + file)
        }
        try write(Array(0..<128), "fit.safetensors")
        try write(Array(128..<layer.tokens), "eval.safetensors")
        let common = ["--layer", name, "--steps", "32", "--format", "json"]
        let split = try CLI.dispatch(["report", Self.sample, "--calib-tokens", "0:128"] + common)
        let files = try CLI.dispatch(["report", dir + "/fit.safetensors", "--eval-file", dir + "/eval.safetensors"] + common)
        // The same figures (to rounding: BLAS may split a product differently when other work runs beside it).
        func figures(_ json: String, _ key: String) throws -> [String: [String: Double]] {
            let root = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let layer = try #require((root["layers"] as? [[String: Any]])?.first)
            let methods = try #require(layer[key] as? [String: [String: Any]])
            return methods.mapValues { m in m.compactMapValues { $0 as? Double } }
        }
        for key in ["held_out", "methods"] {
            let a = try figures(split, key), b = try figures(files, key)
            #expect(a.count == Method.allCases.count && Set(a.keys) == Set(b.keys), "\(key)")
            for (m, fa) in a {
                for field in ["output_rel_error", "act_mse", "act_max_abs", "weight_mse"] {
                    let x = try #require(fa[field], "\(key) \(m) \(field)"), y = try #require(b[m]?[field])
                    #expect(abs(x - y) <= 1e-5 * max(abs(x), 1e-12), "\(key) \(m) \(field): \(x) vs \(y)")
                }
            }
        }
        #expect(files.contains("\"eval_file\": \"\(dir)/eval.safetensors\"") && files.contains("\"eval_tokens\": \(layer.tokens - 128)"))
        let table = try CLI.dispatch(["report", dir + "/fit.safetensors", "--eval-file", dir + "/eval.safetensors", "--layer", name, "--steps", "32"])
        #expect(table.contains("fit on all 128 tokens of this file, scored on the \(layer.tokens - 128) tokens of the same layer in \(dir)/eval.safetensors"))
        #expect(table.contains("DuQuant held out:"))
        // A file without the layer, or with other widths, is one line.
        let other = #expect(throws: CLIError.self) {
            try CLI.dispatch(["report", dir + "/fit.safetensors", "--eval-file", Self.sample, "--layer", name, "--calib-tokens", "even"])
        }
        #expect(other?.message.contains("choose one") == true)
    }
}
