import DuQuantIO
import Foundation
import Synchronization
import Testing
@testable import ExplorerCLI

/// `export --all-layers` when a write fails, a run dies or runs overlap (issue 22, item 3): all at once
/// or not at all. Failures are simulated with ``ExportCommand/failingWrite`` (a full disk at a chosen
/// file); tests/e2e/test-export-all-layers.sh does the same with `ulimit -f` against the release binary.
@Suite struct ExportAllLayersFailureTests {
    typealias T = ExportAllLayersTests
    static let names = ["l.a", "l.b", "l.c"]

    /// A dump of three layers in a scratch directory, exported once with RTN into `out`.
    static func exported() throws -> (dir: String, dump: String, out: String) {
        let dir = try T.scratch()
        try T.writeDump(names, to: dir + "/dump.safetensors")
        _ = try T.export(dir + "/dump.safetensors", dir + "/out")
        return (dir, dir + "/dump.safetensors", dir + "/out")
    }

    static func run(_ dump: String, _ out: String, failingAt file: Int?, _ extra: [String]) -> CLIError? {
        ExportCommand.$failingWrite.withValue(file) { () -> CLIError? in
            do throws(CLIError) {
                _ = try CLI.dispatch(["export", dump, "--all-layers", "-o", out, "--block", "8"] + extra)
                return nil
            } catch { return error }
        }
    }

    /// Regression (issue 22): a re-export that failed half-way (the disk full) left `index.json`
    /// describing one method while the files before the failure held another. Now, wherever it fails (a
    /// layer file, the index), the directory is exactly as before: the previous index, every file it
    /// names, and no file of the failed run.
    @Test func issue22_aFailedReexportLeavesThePreviousSetIntact() throws {
        let (dir, dump, out) = try Self.exported()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = T.snapshot(out)
        for file in 0...Self.names.count {
            let error = Self.run(dump, out, failingAt: file, ["--method", "hadamard"])
            #expect(error?.message.contains("No space left on device") == true, "\(file): \(String(describing: error))")
            #expect(T.snapshot(out) == before, "failing at file \(file) changed the directory")
        }
        // The same run without the failure replaces the set, and nothing of the old one is left.
        #expect(Self.run(dump, out, failingAt: nil, ["--method", "hadamard"]) == nil)
        try T.expectComplete(out, method: "hadamard", layers: Self.names)
        let generations = Set(try T.layers(try T.index(out)).values.map { String($0.split(separator: "/")[0]) })
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == generations.union(["index.json", ".duquant-export.lock"]))
    }

    /// Shards: a shard that fails leaves the other shards' parts and the previous complete set intact; a
    /// failure to write the merged index leaves the parts, and any shard run again merges them.
    @Test func issue22_aFailedShardLeavesThePreviousSetAndTheOtherParts() throws {
        let (dir, dump, out) = try Self.exported()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let index = try Data(contentsOf: URL(fileURLWithPath: out + "/index.json"))
        #expect(Self.run(dump, out, failingAt: nil, ["--method", "hadamard", "--shard", "1/2"]) == nil)
        let withPart = T.snapshot(out)
        // Shard 2 has one layer: failing at its layer file, then at its part-index.
        for file in 0...1 {
            #expect(Self.run(dump, out, failingAt: file, ["--method", "hadamard", "--shard", "2/2"]) != nil)
            #expect(T.snapshot(out) == withPart, "failing at file \(file) changed the directory")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/index.json")) == index)
        try T.expectComplete(out, method: "rtn", layers: Self.names)
        // The merged index fails: the part is written, the old set still complete; shard 1 again merges.
        let error = Self.run(dump, out, failingAt: 2, ["--method", "hadamard", "--shard", "2/2"])
        #expect(error?.message.contains("index-2-of-2.json is written") == true, "\(String(describing: error))")
        try T.expectComplete(out, method: "rtn", layers: Self.names)
        #expect(FileManager.default.fileExists(atPath: out + "/index-2-of-2.json"))
        #expect(Self.run(dump, out, failingAt: nil, ["--method", "hadamard", "--shard", "1/2"]) == nil)
        try T.expectComplete(out, method: "hadamard", layers: Self.names)
    }

    /// A run that died (killed) leaves its generation: the next run that finishes alone in the directory
    /// removes it. A live run's files (it holds the lock) are never removed, nor anything of another
    /// naming: a file of the user's in a generation keeps the generation, and the dump is never removed.
    @Test func issue22_collectionRemovesOnlyTheExportsOwnDeadFiles() throws {
        let (dir, dump, out) = try Self.exported()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = out + "/run-0123456789abcdef", mixed = out + "/run-fedcba9876543210", other = out + "/run-mine"
        for d in [dead, mixed, other] { mkdir(d, 0o755) }
        for d in [dead, mixed, other] { try Data("x".utf8).write(to: URL(fileURLWithPath: d + "/0001-l.a-01234567.safetensors")) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dead + "/.0002-l.b-01234567.safetensors.tmp-123-0"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: mixed + "/notes.txt"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        #expect(link(dump, mixed + "/0002-l.b-01234567.safetensors") == 0)
        // A live run: the lock held shared, as every run holds it from start to end.
        let fd = open(out + "/.duquant-export.lock", O_RDONLY)
        #expect(flock(fd, LOCK_SH) == 0)
        #expect(Self.run(dump, out, failingAt: nil, ["--method", "rtn"]) == nil)
        #expect(FileManager.default.fileExists(atPath: dead + "/0001-l.a-01234567.safetensors"), "a live run's file was removed")
        close(fd)
        #expect(Self.run(dump, out, failingAt: nil, ["--method", "rtn"]) == nil)
        #expect(!FileManager.default.fileExists(atPath: dead), "a dead run's generation was kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mixed).sorted() == ["0002-l.b-01234567.safetensors", "notes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["0001-l.a-01234567.safetensors"])
        #expect(FileManager.default.fileExists(atPath: out + "/notes.txt"))
        try T.expectComplete(out, method: "rtn", layers: Self.names)
    }

    /// Shards running at once into one directory: none removes another's files, and the last to finish
    /// merges a complete index (run three times, with an older set in place).
    @Test func issue22_concurrentShardsKeepEachOthersFiles() throws {
        let dir = try T.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = (0..<8).map { "layer.\($0)" }
        try T.writeDump(names, to: dir + "/dump.safetensors", channels: 64)
        let out = dir + "/out"
        for (round, method) in ["hadamard", "duquant", "smoothquant"].enumerated() {
            let errors = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 3) { k in
                do throws(CLIError) {
                    _ = try CLI.dispatch(["export", dir + "/dump.safetensors", "--all-layers", "-o", out, "--method", method,
                                          "--block", "16", "--steps", "4", "--shard", "\(k + 1)/3"])
                } catch { errors.withLock { $0.append(error.message) } }
            }
            #expect(errors.withLock { $0 }.isEmpty, "round \(round)")
            try T.expectComplete(out, method: method, layers: names)
        }
    }
}
