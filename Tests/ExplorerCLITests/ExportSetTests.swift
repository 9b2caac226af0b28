import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// Issue 29: an `export --all-layers` set is named after what makes it, so one run, N shards and a
/// distributed driver's parts write the same directory byte for byte; a rerun keeps the files of the
/// same input, parameters and binary, and never writes over one it cannot keep.
@Suite struct ExportSetTests {
    typealias T = ExportAllLayersTests
    static let names = ["l.a", "l.b", "l.c", "l.d"]

    static func export(_ dump: String, _ out: String, _ extra: [String] = []) throws(CLIError) -> String {
        try CLI.dispatch(["export", dump, "--all-layers", "-o", out, "--method", "duquant", "--block", "8", "--steps", "4"] + extra)
    }

    /// The directory without its part-indexes (what the distributed driver removes once merged).
    static func withoutParts(_ dir: String) -> [String: Data] {
        T.snapshot(dir).filter { ExportNames.parsePartIndex($0.key) == nil }
    }

    @Test func issue29_oneRunShardsAndPositionsWriteTheSameBytes() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = dir + "/dump.safetensors"
        try T.writeDump(Self.names, to: dump)
        _ = try Self.export(dump, dir + "/one")
        for k in 1...3 { _ = try Self.export(dump, dir + "/shards", ["--shard", "\(k)/3"]) }
        // Parts as the driver makes them: any positions, in any order, then its own empty part last.
        _ = try Self.export(dump, dir + "/parts", ["--shard", "2/3", "--positions", "4,1"])
        _ = try Self.export(dump, dir + "/parts", ["--shard", "1/3", "--positions", "2-3"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/parts/index.json"), "merged before the last part")
        let last = try Self.export(dump, dir + "/parts", ["--shard", "3/3", "--positions", ""])
        #expect(last.contains("merged from 3 parts"), "\(last)")
        let one = T.snapshot(dir + "/one")
        #expect(one.keys.contains { ExportNames.isGeneration(String($0.prefix(20))) })
        #expect(Self.withoutParts(dir + "/shards") == one)
        #expect(Self.withoutParts(dir + "/parts") == one)
        // Positions out of range or named twice are refused; --positions needs --shard.
        for bad in [["--shard", "1/2", "--positions", "5"], ["--shard", "1/2", "--positions", "1,1"], ["--positions", "1"],
                    ["--shard", "1/2", "--positions", "0"], ["--shard", "1/2", "--positions", "3-2"]] {
            #expect(throws: CLIError.self, "\(bad)") { try Self.export(dump, dir + "/bad", bad) }
        }
    }

    @Test func issue29_aRerunKeepsFilesOfTheSameInputParametersAndBinary() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = dir + "/dump.safetensors", out = dir + "/out"
        try T.writeDump(Self.names, to: dump)
        _ = try Self.export(dump, out)
        let before = T.snapshot(out)
        let again = try Self.export(dump, out)
        #expect(again.contains("(4 kept)"), "\(again)")
        #expect(T.snapshot(out) == before)
        // Each file records what made it.
        let files = try T.layers(try T.index(out))
        for (layer, file) in files {
            let m = try DumpFile.open(out + "/" + file).metadata
            #expect(m["input_hash"]?.hasPrefix("fnv1a64:") == true && m["binary"] == BuildIdentity.binary && m["layer"] == layer)
        }
        // Other parameters: another generation, the old one removed once nothing names it.
        _ = try Self.export(dump, out, ["--steps", "2"])
        let moved = try T.layers(try T.index(out))
        #expect(Set(moved.values.map { $0.prefix(20) }).count == 1 && moved["l.a"]?.prefix(20) != files["l.a"]?.prefix(20))
        #expect(!FileManager.default.fileExists(atPath: out + "/" + files["l.a"]!))
    }

    /// A file of the set's name that the run may not keep (here: written by other parameters and put
    /// in its place) is never written over: that layer goes to a second, new generation.
    @Test func issue29_aFileThatCannotBeKeptIsNeverWrittenOver() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = dir + "/dump.safetensors", out = dir + "/out", other = dir + "/other"
        try T.writeDump(Self.names, to: dump)
        _ = try Self.export(dump, out)
        _ = try Self.export(dump, other, ["--steps", "2"])
        let files = try T.layers(try T.index(out))
        let foreign = try Data(contentsOf: URL(fileURLWithPath: other + "/" + (try T.layers(try T.index(other)))["l.b"]!))
        try foreign.write(to: URL(fileURLWithPath: out + "/" + files["l.b"]!))
        let text = try Self.export(dump, out)
        #expect(text.contains("(3 kept)"), "\(text)")
        let now = try T.layers(try T.index(out))
        #expect(now["l.a"] == files["l.a"] && now["l.b"] != files["l.b"])
        // The index no longer names the foreign file; it was not written over (collection removes it).
        #expect(try DumpFile.open(out + "/" + now["l.b"]!).metadata["params"]?.contains("steps 4") == true)
    }

    @Test func issue29_thePlanNamesEveryLayerAndWritesNothing() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = dir + "/dump.safetensors", out = dir + "/out"
        try T.writeDump(Self.names, to: dump)
        func plan() throws -> [String: Any] {
            let text = try Self.export(dump, out, ["--plan"])
            return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        let before = try plan()
        #expect(!FileManager.default.fileExists(atPath: out), "the plan made the directory")
        let layers = try #require(before["layers"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == Self.names && layers.allSatisfy { $0["present"] as? Bool == false })
        #expect(layers.allSatisfy { ($0["bytes"] as? Int ?? 0) > 0 && ($0["tokens"] as? Int) == 8 })
        _ = try Self.export(dump, out)
        let after = try plan()
        #expect((after["layers"] as? [[String: Any]])?.allSatisfy { $0["present"] as? Bool == true } == true)
        let files = try T.layers(try T.index(out))
        #expect(layers.allSatisfy { files[$0["name"] as! String] == $0["file"] as? String })
        #expect(after["binary"] as? String == BuildIdentity.binary)
        #expect(throws: CLIError.self) { try Self.export(dump, out, ["--plan", "--shard", "1/2"]) }
    }
}

extension ExportSetTests {
    /// A dump rewritten with the same tensors (a new modification time: a new generation) keeps the files
    /// the committed index names; a changed layer is exported again.
    @Test func issue29_aRewrittenDumpKeepsTheLayersWhoseTensorsDidNotChange() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = dir + "/dump.safetensors", out = dir + "/out"
        try T.writeDump(Self.names, to: dump)
        _ = try Self.export(dump, out)
        let files = try T.layers(try T.index(out))
        var later = timespec(tv_sec: 2_000_000_000, tv_nsec: 0)
        var times = [later, later]
        #expect(utimensat(AT_FDCWD, dump, &times, 0) == 0)
        let text = try Self.export(dump, out)
        #expect(text.contains("(4 kept)"), "\(text)")
        #expect(try T.layers(try T.index(out)) == files)
        // Another value in layer l.c's input: l.c only is exported again.
        try T.writeDump(Self.names, to: dump, channels: 16)
        var w = SafetensorsWriter()
        let original = try DumpFile.open(dump)
        for name in original.tensors.map(\.name) {
            var m = try original.loadTensor(name)
            if name == "l.c.input" { m.storage[0] += 1 }
            try w.add(name, m)
        }
        try w.write(to: dump)
        later.tv_sec += 10
        times = [later, later]
        _ = utimensat(AT_FDCWD, dump, &times, 0)
        let again = try Self.export(dump, out)
        #expect(again.contains("(3 kept)"), "\(again)")
        let now = try T.layers(try T.index(out))
        #expect(now["l.a"] == files["l.a"] && now["l.c"] != files["l.c"])
    }
}
