import DuQuantCore
import TestSupport
import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// `export --method M` and `export --all-layers -o DIR [--shard K/N]` (issue 15: the model-level
/// evaluation calibrates every method on every layer through these).
@Suite struct ExportMethodTests {
    static func tensors(_ path: String) throws -> [String: [Int]] {
        let t = try DumpFile.open(path)
        return Dictionary(uniqueKeysWithValues: t.tensors.map { ($0.name, $0.shape) })
    }

    @Test func eachMethodWritesWhatItNeeds() throws {
        let path = try ReportCommandTests.writeDump()
        let out = path + ".t.safetensors"
        defer { unlink(path); unlink(out) }
        func export(_ method: String) throws -> [String: [Int]] {
            _ = try CLI.dispatch(["export", path, "--layer", "model.layers.0.mlp.down_proj", "--method", method,
                                  "-o", out, "--block", "16", "--steps", "4"])
            return try Self.tensors(out)
        }
        #expect(try export("rtn").isEmpty)
        #expect(try export("smoothquant") == ["smooth_scales": [32]])
        #expect(try export("hadamard") == ["rotation.0": [2, 16, 16]])
        #expect(try export("duquant") == ["smooth_scales": [32], "rotation.0": [2, 16, 16], "rotation.1": [2, 16, 16],
                                          "permutation.0": [32]])
        #expect(try DumpFile.open(out).metadata["method"] == "duquant")
        #expect(throws: CLIError.self) { try export("gptq") }
    }

    @Test func listMethodsNamesEveryMethod() throws {
        let lines = try CLI.dispatch(["export", "--list-methods"]).split(separator: "\n")
        #expect(lines.map { String($0.split(separator: " ")[0]) } == Method.allCases.map(\.rawValue))
    }

    @Test func allLayersWritesOneFilePerLayerAndAnIndex() throws {
        let path = try ReportCommandTests.writeDump()
        let dir = path + ".dir"
        defer { unlink(path); try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.dispatch(["export", path, "--all-layers", "--method", "hadamard", "-o", dir, "--block", "16"])
        let index = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/index.json"))) as? [String: Any])
        let layers = try #require(index["layers"] as? [String: String])
        #expect(Set(layers.keys) == ["model.layers.0.mlp.down_proj", "model.layers.1.self_attn.o_proj"])
        #expect(index["method"] as? String == "hadamard")
        for file in layers.values { #expect(try Self.tensors(dir + "/" + file) == ["rotation.0": [2, 16, 16]]) }
        // Two shards cover the layers once between them.
        let sharded = path + ".shards"
        defer { try? FileManager.default.removeItem(atPath: sharded) }
        var seen: [String] = []
        for k in 1...2 {
            _ = try CLI.dispatch(["export", path, "--all-layers", "--shard", "\(k)/2", "--method", "rtn", "-o", sharded])
            let part = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sharded + "/index-\(k)-of-2.json"))) as? [String: Any])
            seen += (part["layers"] as? [String: String] ?? [:]).keys
        }
        #expect(seen.sorted() == layers.keys.sorted())
        #expect(throws: CLIError.self) { try CLI.dispatch(["export", path, "--all-layers", "--shard", "3/2", "-o", sharded]) }
        // A regular file where the directory should be is refused.
        #expect(throws: CLIError.self) { try CLI.dispatch(["export", path, "--all-layers", "-o", path]) }
    }
}
