import DuQuantCore
import DuQuantIO
import Foundation
import Testing
import TestSupport
@testable import ExplorerCLI

@Suite struct ArgumentsTests {
    @Test func parsesOptionsFlagsAndRepeats() throws {
        let a = try Arguments.parse(["f", "--layer", "a", "--layer=b", "--ascii", "--", "--x"],
                                    options: ["layer"], flags: ["ascii"], command: "t")
        #expect(a.positionals == ["f", "--x"])
        #expect(a.values("layer") == ["a", "b"])
        #expect(a.flag("ascii"))
    }

    @Test func rejectsUnknownAndMissingValues() {
        #expect(throws: CLIError.self) { try Arguments.parse(["--nope"], options: [], flags: [], command: "t") }
        #expect(throws: CLIError.self) { try Arguments.parse(["--layer"], options: ["layer"], flags: [], command: "t") }
    }

    @Test func parameterRangesAreChecked() throws {
        let bad = [["--abits", "1"], ["--alpha", "1.5"], ["--select", "best"], ["--block", "x"], ["--lac", "nan"]]
        for args in bad {
            let a = try Arguments.parse(args, options: ParameterOptions.names, flags: [], command: "t")
            #expect(throws: CLIError.self) { try ParameterOptions.params(from: a) }
        }
        let a = try Arguments.parse(["--select", "reference", "--layout", "shared", "--steps", "3"],
                                    options: ParameterOptions.names, flags: ParameterOptions.flags, command: "t")
        let p = try ParameterOptions.params(from: a)
        #expect(p.select == .reference && p.layout == .shared && p.steps == 3)
    }
}

@Suite struct ReportCommandTests {
    /// Writes a small two-layer dump (one with a weight, one without) and returns its path.
    static func writeDump() throws -> String {
        var w = SafetensorsWriter()
        let x = TestData.activation(tokens: 16, channels: 32, outlierChannels: [3], massive: (0, 9, 300))
        try w.add("model.layers.0.mlp.down_proj.input", x)
        try w.add("model.layers.0.mlp.down_proj.weight", TestData.weight(out: 8, in: 32))
        try w.add("model.layers.1.self_attn.o_proj.input", TestData.activation(tokens: 16, channels: 32, seed: 5))
        let path = NSTemporaryDirectory() + "duq-cli-\(UInt32.random(in: 0...UInt32.max)).safetensors"
        try w.write(to: path)
        return path
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let text = try CLI.dispatch(["report", path, "--block", "16", "--steps", "8", "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require(root["layers"] as? [[String: Any]])
        #expect(layers.count == 2)
        let first = layers[0]
        for key in ["name", "tokens", "in_features", "out_features", "methods"] { #expect(first[key] != nil, "\(key)") }
        let methods = try #require(first["methods"] as? [String: [String: Any]])
        #expect(Set(methods.keys) == ["rtn", "smoothquant", "hadamard", "duquant"])
        for (_, m) in methods {
            for key in ["act_max_abs", "act_mse", "weight_mse", "output_rel_error", "seconds"] { #expect(m[key] != nil, "\(key)") }
        }
        #expect((methods["duquant"]?["kept_steps"] as? [Int])?.count == 2)
        #expect(methods["rtn"]?["act_max_abs"] as? Double == 300)
        // No weight: weight metrics are null, not invented.
        let second = try #require((layers[1]["methods"] as? [String: [String: Any]])?["rtn"])
        #expect(second["weight_mse"] is NSNull)
        #expect(second["output_rel_error"] is NSNull)
        let params = try #require(root["params"] as? [String: Any])
        #expect(params["select"] as? String == "paper")
        #expect(params["layout"] as? String == "perblock")
    }

    @Test func selectedLayerAndMethodsAndCSV() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let csv = try CLI.dispatch(["report", path, "--layer", "down_proj", "--methods", "rtn,duquant",
                                    "--block", "16", "--steps", "4", "--format", "csv", "--select", "reference"])
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("model.layers.0.mlp.down_proj,16,32,8,rtn,"))
        #expect(lines[2].contains(",duquant,") && lines[2].hasSuffix(",reference,perblock,0,"))
    }

    @Test func tableNamesBothFidelitySwitches() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let t = try CLI.dispatch(["report", path, "--steps", "2", "--block", "16", "--layout", "shared"])
        #expect(t.contains("select paper layout shared"))
        #expect(t.contains("DuQuant"))
    }

    @Test func badInputIsOneLineExitTwo() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let cases: [[String]] = [["report", "/nonexistent/x.safetensors"], ["report", path, "--layer", "nope"],
                                 ["report", path, "--methods", "gptq"], ["report"], ["--bogus"],
                                 ["report", path, "--format", "xml"]]
        for args in cases {
            #expect(throws: CLIError.self) { try CLI.dispatch(args) }
            do { _ = try CLI.dispatch(args) } catch { #expect(!error.message.contains("\n"), "\(args)") }
        }
    }

    /// Regression (issue 9, item 7): `render --size 60x15` printed the live explorer's "Enlarge the window,
    /// or press q to quit" page and exited 0; a printed screen that cannot fit is an error (exit 2).
    @Test func renderRefusesASizeBelowTheMinimum() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        for size in ["60x15", "63x40", "120x19"] {
            do {
                _ = try CLI.dispatch(["render", path, "--layer", "down_proj", "--size", size, "--color", "never"])
                Issue.record("render --size \(size) succeeded")
            } catch {
                #expect(error.message.contains("too small") && error.message.contains("64x20"), "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
        }
        let fits = try CLI.dispatch(["render", path, "--layer", "down_proj", "--size", "64x20", "--color", "never",
                                     "--block", "16", "--steps", "2"])
        #expect(!fits.contains("Enlarge"))
    }

    /// Regression: `export FILE -o FILE` replaced the user's dump with the transform.
    @Test func exportRefusesToOverwriteItsInput() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: CLIError.self) {
            try CLI.dispatch(["export", path, "--layer", "down_proj", "-o", path, "--block", "16", "--steps", "2"])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func exportWritesATransformThatReproducesTheReport() throws {
        let path = try Self.writeDump()
        let out = path + ".transform.safetensors"
        defer { unlink(path); unlink(out) }
        _ = try CLI.dispatch(["export", path, "--layer", "model.layers.0.mlp.down_proj", "-o", out, "--block", "12",
                              "--steps", "6"])
        let t = try DumpFile.open(out)
        let names = Set(t.tensors.map(\.name))
        #expect(names == ["smooth_scales", "rotation.0", "rotation.0.tail", "rotation.1", "rotation.1.tail", "permutation.0"])
        #expect(t.tensor(named: "rotation.0")?.shape == [2, 12, 12])
        #expect(t.tensor(named: "rotation.0.tail")?.shape == [8, 8])
        let perm = try t.loadTensor("permutation.0").storage.map { Int($0) }
        #expect(perm.sorted() == Array(0..<32))
    }
}
