import DuQuantCore
import DuQuantIO
import Foundation
import Testing
import TestSupport
@testable import ExplorerCLI

/// `export --all-layers -o DIR`: injective file names, never over an input, all at once or not at all
/// (issue 22). Helpers shared with ``ExportAllLayersFailureTests``.
@Suite struct ExportAllLayersTests {
    /// A fresh scratch directory.
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "duquant-all-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    /// Writes a dump at `path` with one layer per name (an input and a weight, `channels` wide).
    static func writeDump(_ names: [String], to path: String, channels: Int = 16) throws {
        var w = SafetensorsWriter()
        for (k, name) in names.enumerated() {
            try w.add(name + ".input", TestData.activation(tokens: 8, channels: channels, seed: UInt64(k + 1)))
            try w.add(name + ".weight", TestData.weight(out: 4, in: channels, seed: UInt64(k + 50)))
        }
        try w.write(to: path)
    }

    /// Every file and directory under `dir` (relative path → bytes; a directory maps to "<dir>").
    static func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
        while let rel = e.nextObject() as? String {
            var st = stat()
            guard lstat(dir + "/" + rel, &st) == 0 else { continue }
            out[rel] = (st.st_mode & S_IFMT) == S_IFREG
                ? FileManager.default.contents(atPath: dir + "/" + rel) ?? Data() : Data("<dir>".utf8)
        }
        return out
    }

    /// The parsed `DIR/NAME` (index.json by default).
    static func index(_ dir: String, _ name: String = "index.json") throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))) as? [String: Any])
    }

    static func layers(_ index: [String: Any]) throws -> [String: String] {
        try #require(index["layers"] as? [String: String])
    }

    /// Every layer file the index at `dir` names exists, is a transform of that layer and of `method`.
    static func expectComplete(_ dir: String, method: String, layers names: [String],
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let index = try Self.index(dir)
        #expect(index["method"] as? String == method, sourceLocation: sourceLocation)
        let files = try Self.layers(index)
        #expect(Set(files.keys) == Set(names), sourceLocation: sourceLocation)
        for (layer, file) in files {
            let t = try DumpFile.open(dir + "/" + file)
            #expect(t.metadata["layer"] == layer && t.metadata["method"] == method, "\(file)", sourceLocation: sourceLocation)
        }
    }

    static func export(_ dump: String, _ dir: String, _ extra: [String] = []) throws(CLIError) -> String {
        try CLI.dispatch(["export", dump, "--all-layers", "-o", dir, "--method", "rtn"] + extra)
    }

    /// Regression (issue 22, item 1): a layer's file was its name with `/` replaced by `_`, so `a/b` and
    /// `a_b` shared one file (one transform silently lost), a NUL ended the path early (a file the index
    /// did not describe) and a 10 000-character name failed with "File name too long" after the files
    /// before it were written, leaving no index. Every name now maps to its own portable file.
    @Test func issue22_layerFileNamesAreInjectiveAndPortable() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = ["a/b", "a_b", "x\u{0}y", "x", "../up", "ctl\u{1b}[31m\nz", "ünï cödé ✓", "/abs/olute",
                     String(repeating: "L", count: 10_000), String(repeating: "L", count: 10_001)]
        try Self.writeDump(names, to: dir + "/dump.safetensors")
        _ = try Self.export(dir + "/dump.safetensors", dir + "/out")
        try Self.expectComplete(dir + "/out", method: "rtn", layers: names)
        let files = try Self.layers(try Self.index(dir + "/out"))
        #expect(Set(files.values).count == names.count, "two layers share a file")
        let portable = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
        for file in files.values {
            let parts = file.split(separator: "/", omittingEmptySubsequences: false)
            #expect(!file.hasPrefix("/") && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }, "\(file)")
            #expect(parts.allSatisfy { $0.utf8.count <= 120 && $0.utf8.allSatisfy(portable.contains) }, "\(file)")
        }
        // Nothing the index does not describe: every regular file is the index, the lock or a named file.
        let named = Set(files.values).union(["index.json", ".duquant-export.lock"])
        for (rel, data) in Self.snapshot(dir + "/out") where data != Data("<dir>".utf8) {
            #expect(named.contains(rel), "\(rel) is not in the index")
        }
    }

    /// Regression (issue 22, item 2): a dump named `index.safetensors`, exported into its own directory,
    /// had its sidecar `index.json` (which held the model evaluation) replaced by the export's index. The
    /// same for a part-index, and through a hard link. Refused in one line, exit 2, before any work.
    @Test func issue22_allLayersRefusesToReplaceTheDumpsSidecar() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sidecar = #"{"model": "tiny", "model_eval": {"fp": {"wikitext2": 9.5}, "methods": {}}}"#
        for (dump, part, extra) in [("index", "index.json", [String]()), ("index-1-of-2", "index-1-of-2.json", ["--shard", "1/2"])] {
            let d = dir + "/" + dump
            mkdir(d, 0o755)
            try Self.writeDump(["a", "b"], to: d + "/\(dump).safetensors")
            try sidecar.write(toFile: d + "/\(dump).json", atomically: false, encoding: .utf8)
            let before = Self.snapshot(d)
            #expect(throws: CLIError.self) { try Self.export(d + "/\(dump).safetensors", d, extra) }
            do { _ = try Self.export(d + "/\(dump).safetensors", d, extra) } catch {
                #expect(error.message.contains("sidecar") && error.message.contains(part), "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
            #expect(CLI.run(["export", d + "/\(dump).safetensors", "--all-layers", "-o", d, "--method", "rtn"] + extra) == 2)
            #expect(Self.snapshot(d) == before, "\(dump): the directory changed")
        }
        // Without a sidecar, index.json would become one (and the next export would refuse it): refused too.
        mkdir(dir + "/bare", 0o755)
        try Self.writeDump(["a"], to: dir + "/bare/index.safetensors")
        do {
            _ = try Self.export(dir + "/bare/index.safetensors", dir + "/bare")
            Issue.record("index.json was written where the dump reads its sidecar")
        } catch {
            #expect(error.message.contains("sidecar is read from"), "\(error.message)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/bare") == ["index.safetensors"])
        // A hard link to the sidecar of a dump elsewhere, in the place of index.json.
        mkdir(dir + "/src", 0o755)
        mkdir(dir + "/linked", 0o755)
        try Self.writeDump(["a"], to: dir + "/src/run.safetensors")
        try sidecar.write(toFile: dir + "/src/run.json", atomically: false, encoding: .utf8)
        #expect(link(dir + "/src/run.json", dir + "/linked/index.json") == 0)
        do {
            _ = try Self.export(dir + "/src/run.safetensors", dir + "/linked")
            Issue.record("a hard link to the sidecar was replaced")
        } catch {
            #expect(error.message.contains("sidecar"), "\(error.message)")
        }
        #expect(try String(contentsOfFile: dir + "/src/run.json", encoding: .utf8) == sidecar)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/linked") == ["index.json"])
    }

    /// Regression (issue 22, item 2): a layer whose file name equalled the dump's (`m` of `m.safetensors`,
    /// exported into the dump's own directory) had the input dump replaced by its transform.
    @Test func issue22_allLayersNeverWritesOverTheInputDump() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeDump(["m", "n"], to: dir + "/m.safetensors")
        let dump = try Data(contentsOf: URL(fileURLWithPath: dir + "/m.safetensors"))
        for _ in 0..<2 {
            _ = try Self.export(dir + "/m.safetensors", dir)
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.safetensors")) == dump, "the input dump was replaced")
            try Self.expectComplete(dir, method: "rtn", layers: ["m", "n"])
        }
    }

    /// Regression (issue 22, item 2): an `index.json` that is not an export's index (a file of the
    /// user's, a link, a directory) was replaced. It is refused and kept; an export's index (of this
    /// version or of the one before) is replaced.
    @Test func issue22_allLayersRefusesAForeignIndex() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeDump(["a", "b"], to: dir + "/dump.safetensors")
        let cases: [(String, (String) throws -> Void, String)] = [
            ("json", { try #"{"note": "mine"}"#.write(toFile: $0 + "/index.json", atomically: false, encoding: .utf8) }, "not an export"),
            ("text", { try "notes".write(toFile: $0 + "/index.json", atomically: false, encoding: .utf8) }, "not an export"),
            ("link", { _ = symlink("notes.txt", $0 + "/index.json") }, "symbolic link"),
            ("link to the dump", { _ = symlink("../dump.safetensors", $0 + "/index.json") }, "input dump"),
            ("dir", { _ = mkdir($0 + "/index.json", 0o755) }, "directory"),
        ]
        for (name, make, expected) in cases {
            let out = dir + "/" + name
            mkdir(out, 0o755)
            try make(out)
            let before = Self.snapshot(out)
            do {
                _ = try Self.export(dir + "/dump.safetensors", out)
                Issue.record("\(name): index.json was replaced")
            } catch {
                #expect(error.message.contains("index.json") && error.message.contains(expected) && !error.message.contains("\n"),
                        "\(name): \(error.message)")
            }
            #expect(Self.snapshot(out) == before, "\(name): the directory changed")
        }
        // The index of an export made before this version is an export's index: replaced.
        let legacy = dir + "/legacy"
        mkdir(legacy, 0o755)
        try #"{"method": "rtn", "source": "x", "params": "p", "seed": "0", "layers": {"a": "a.safetensors"}}"#
            .write(toFile: legacy + "/index.json", atomically: false, encoding: .utf8)
        _ = try Self.export(dir + "/dump.safetensors", legacy)
        try Self.expectComplete(legacy, method: "rtn", layers: ["a", "b"])
    }

    /// Issue 22, item 3, for shards: each shard commits its part-index; the shard that completes a set of
    /// agreeing parts merges them into `index.json`, the one commit point readers follow. Until then the
    /// previous `index.json` and its files stay as they were.
    @Test func issue22_shardsCommitPartsAndTheLastMergesTheIndex() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = ["l.a", "l.b", "l.c"]
        try Self.writeDump(names, to: dir + "/dump.safetensors")
        let out = dir + "/out"
        _ = try Self.export(dir + "/dump.safetensors", out)
        let old = try Data(contentsOf: URL(fileURLWithPath: out + "/index.json"))
        _ = try CLI.dispatch(["export", dir + "/dump.safetensors", "--all-layers", "-o", out, "--method", "hadamard",
                              "--block", "8", "--shard", "1/2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/index.json")) == old, "a part replaced the index")
        try Self.expectComplete(out, method: "rtn", layers: names)
        #expect(try Self.layers(try Self.index(out, "index-1-of-2.json")).keys.sorted() == ["l.a", "l.c"])
        _ = try CLI.dispatch(["export", dir + "/dump.safetensors", "--all-layers", "-o", out, "--method", "hadamard",
                              "--block", "8", "--shard", "2/2"])
        try Self.expectComplete(out, method: "hadamard", layers: names)
        // A part that disagrees (another method) does not complete the set: the merged index stays.
        let merged = try Data(contentsOf: URL(fileURLWithPath: out + "/index.json"))
        _ = try CLI.dispatch(["export", dir + "/dump.safetensors", "--all-layers", "-o", out, "--method", "rtn",
                              "--shard", "1/2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/index.json")) == merged)
        try Self.expectComplete(out, method: "hadamard", layers: names)
    }
}
