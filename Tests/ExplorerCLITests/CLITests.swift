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
        #expect(Set(methods.keys) == ["rtn", "smoothquant", "hadamard", "quarot", "duquant"])
        for (_, m) in methods {
            for key in ["settings", "act_max_abs", "act_mse", "weight_mse", "output_rel_error", "seconds"] {
                #expect(m[key] != nil, "\(key)")
            }
        }
        // Each method's own settings: SmoothQuant's α 0.5 unclipped, QuaRot-style's searched weight clip.
        let sq = try #require(methods["smoothquant"]?["settings"] as? [String: Any])
        #expect(sq["alpha"] as? Double == 0.5 && sq["lac"] as? Double == 1 && sq["swc"] as? Double == 1)
        #expect((methods["quarot"]?["settings"] as? [String: Any])?["weight_clip"] as? String == "search")
        let duq = try #require(methods["duquant"]?["settings"] as? [String: Any])
        #expect(abs((duq["alpha"] as? Double ?? 0) - 0.6) < 1e-6 && abs((duq["lac"] as? Double ?? 0) - 0.9) < 1e-6)
        #expect((methods["rtn"]?["settings"] as? [String: Any])?["alpha"] is NSNull)
        #expect((root["params"] as? [String: Any])?["method_settings"] as? [String: Any] != nil)
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
        #expect(lines[0].hasSuffix(",method_alpha,method_lac,method_swc,method_weight_clip"))
        #expect(lines[1].hasSuffix(",reference,perblock,0,,,1.0,1.0,1.0"))  // RTN: no smoothing, no clipping
        #expect(lines[2].contains(",duquant,") && lines[2].hasSuffix(",reference,perblock,0,,0.6,0.9,0.8,0.8"))
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

    /// Issue 13, item 2: `report --anatomy` carries the error's anatomy in every format; without the flag the
    /// outputs are as before.
    @Test func reportAnatomyInTableJSONAndCSV() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let base = ["report", path, "--layer", "down_proj", "--block", "16", "--steps", "2"]
        let json = try CLI.dispatch(base + ["--anatomy", "--format", "json"])
        for key in ["\"anatomy\"", "\"out_act_only\"", "\"out_weight_only\"", "\"out_both\"", "\"act_clip_share\"",
                    "\"weight_clip_share\""] {
            #expect(json.contains(key), "\(key) missing")
        }
        let csv = try CLI.dispatch(base + ["--anatomy", "--format", "csv"])
        #expect(csv.hasPrefix("layer,") && csv.split(separator: "\n")[0].hasSuffix(",out_act_only,out_weight_only,act_clip_share,weight_clip_share"))
        #expect(csv.split(separator: "\n").dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 25 })
        let table = try CLI.dispatch(base + ["--anatomy"])
        #expect(table.contains("DuQuant: anatomy: out err with only activations quantized"))
        let plain = try CLI.dispatch(base + ["--format", "json"])
        #expect(!plain.contains("\"anatomy\""))
        // Clip ratios 1: nothing is clipped.
        let unclipped = try CLI.dispatch(base + ["--anatomy", "--lac", "1", "--swc", "1"])
        #expect(unclipped.contains("clipping's share of the error: activations 0.0%, weights 0.0%"))
    }

    /// Issue 13, item 1: `report --baseline "PARAMS"` compares every figure with the same layer under the
    /// baseline's parameters; the baseline's figures are those of a report run with them.
    @Test func reportBaselineMatchesARunWithItsParameters() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let base = ["report", path, "--layer", "down_proj", "--block", "16", "--steps", "4", "--format", "csv"]
        let reference = try CLI.dispatch(["report", path, "--layer", "down_proj", "--lac", "1", "--swc", "1", "--format", "csv"])
        let csv = try CLI.dispatch(base + ["--baseline", "--lac 1 --swc 1"])
        let header = csv.split(separator: "\n")[0]
        #expect(header.hasSuffix(",baseline_output_rel_error,baseline_ratio"))
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let refRows = reference.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == Method.allCases.count && refRows.count == Method.allCases.count)
        for (row, ref) in zip(rows, refRows) {
            #expect(row[4] == ref[4])
            let baseErr = try #require(Double(row[row.count - 2])), refErr = try #require(Double(ref[9]))
            #expect(abs(baseErr - refErr) <= 1e-6 * refErr, "\(row[4])")
            let ratio = try #require(Double(row[row.count - 1])), now = try #require(Double(row[9]))
            #expect(abs(ratio - now / refErr) <= 1e-5 * ratio, "\(row[4])")
        }
        let table = try CLI.dispatch(Array(base.dropLast(2)) + ["--baseline", "--lac 1 --swc 1"])
        #expect(table.contains("DuQuant vs baseline: out rel err"))
        #expect(throws: CLIError.self) { try CLI.dispatch(base + ["--baseline", "--lac 7"]) }
        #expect(throws: CLIError.self) { try CLI.dispatch(base + ["--baseline", "file.npy"]) }
    }

    /// Issue 13, item 3: `report --seeds N` gives DuQuant's spread over seeds 0…N−1, and it equals what
    /// N single-seed reports give.
    @Test func reportSeedSpreadMatchesSingleSeedRuns() throws {
        let path = try Self.writeDump()
        defer { unlink(path) }
        let base = ["report", path, "--layer", "down_proj", "--block", "16", "--steps", "4", "--methods", "duquant"]
        var errors: [Double] = []
        for seed in 0..<3 {
            let single = try CLI.dispatch(base + ["--seed", "\(seed)", "--format", "csv"])
            let cells = single.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
            errors.append(try #require(Double(cells[9])))
        }
        let csv = try CLI.dispatch(base + ["--seeds", "3", "--format", "csv"])
        let header = csv.split(separator: "\n")[0]
        #expect(header.hasSuffix(",seeds,seed_out_mean,seed_out_min,seed_out_max,seed_out_std"))
        let row = csv.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let n = row.count
        #expect(row[n - 5] == "3")
        let mean = errors.reduce(0, +) / 3
        #expect(abs(try #require(Double(row[n - 4])) - mean) <= 1e-6 * mean)
        #expect(abs(try #require(Double(row[n - 3])) - errors.min()!) <= 1e-6 * mean)
        #expect(abs(try #require(Double(row[n - 2])) - errors.max()!) <= 1e-6 * mean)
        let json = try CLI.dispatch(base + ["--seeds", "3", "--format", "json"])
        #expect(json.contains("\"seed_spread\"") && json.contains("\"seeds\": 3"))
        let table = try CLI.dispatch(base + ["--seeds", "3"])
        #expect(table.contains("DuQuant over seeds 0…2: out rel err mean"))
        #expect(throws: CLIError.self) { try CLI.dispatch(base + ["--seeds", "0"]) }
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
