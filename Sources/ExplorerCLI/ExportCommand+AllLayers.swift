#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import DuQuantIO
import ExplorerModel
import Foundation

extension ExportCommand {
    /// Every usable layer of `path` into a new generation `dir/run-<hex>/`, one file per layer
    /// (``ExportNames``), committed by renaming `dir/index.json` into place last; one progress line per
    /// layer on stderr. With a shard `K/N`, only layers K, K+N, K+2N, … (counting from 1), committed as
    /// `dir/index-K-of-N.json`; the shard that completes a set of agreeing parts merges them into
    /// `index.json` (``ExportIndex/merged(_:)``). N processes then share one export.
    ///
    /// Before any work, an index that would replace the dump, its sidecar or a file that is not an
    /// export's index is refused (``ExportDirectory/open(_:indexes:dump:sidecars:)``). A failure before
    /// the commit removes the run's files and leaves the previous index and every file it names as they
    /// were; after the commit, generations no index names are removed (see docs/EXPORT.md).
    static func exportAll(_ path: String, to dir: String, method: Method, _ p: QuantParams,
                          shard: (k: Int, n: Int)? = nil) throws(CLIError) -> String {
        let dump = try Commands.open(path)
        let all = try Commands.layerNames([], in: dump)
        let chosen = all.enumerated().filter { e in shard.map { e.offset % $0.n == $0.k - 1 } ?? true }
            .map { (position: $0.offset + 1, name: $0.element) }
        let width = max(4, String(all.count).count)
        let indexName = shard.map { ExportNames.partIndex($0.k, of: $0.n) } ?? ExportNames.index
        let out = try io { () throws(DumpError) in
            try ExportDirectory.open(dir, indexes: shard == nil ? [indexName] : [indexName, ExportNames.index],
                                     dump: path, sidecars: Commands.sidecarCandidates(of: path))
        }
        defer { out.close() }
        let clock = ContinuousClock()
        let start = clock.now
        var layers: [ExportIndex.Layer] = []
        do throws(CLIError) {
            try io { () throws(DumpError) in try out.beginGeneration() }
            for (k, (position, name)) in chosen.enumerated() {
                let t0 = clock.now
                let file = ExportNames.layerFile(position: position, width: width, name: name)
                try simulateWriteFailure(k, out.path(of: file))
                let (layer, e) = try export(name, of: dump, method: method, p, to: out.path(of: file))
                layers.append(.init(name: name, file: out.indexed(file)))
                let took = format1(seconds(clock.now - t0))
                CLI.writeErr("export \(method.rawValue): [\(k + 1)/\(chosen.count)] \(name) \(took) s\(e.note.map { " (\($0))" } ?? "")\n")
                for note in Commands.nonFiniteNotes(layer.nonFinite) { CLI.writeErr("  \(name): \(note)\n") }
            }
            let index = ExportIndex(method: method.rawValue, source: dump.path, sourceStamp: stamp(path), params: p.longSummary,
                                    seed: String(p.seed), layerCount: all.count, shard: shard, layers: layers)
            try simulateWriteFailure(chosen.count, dir + "/" + indexName)
            try io { () throws(DumpError) in try out.commit(index, as: indexName) }
        } catch {
            guard !out.committed else { throw error }  // the index is in place; only syncing the directory failed
            out.abandon()
            let kept = FileManager.default.fileExists(atPath: dir + "/" + indexName)
            throw CLIError(error.message + " (nothing committed: "
                + (kept ? "\(indexName) and the files it names are unchanged)" : "the run's files were removed)"))
        }
        var wrote = "wrote \(dir): \(chosen.count) \(method.title) transforms in \(out.generation ?? "")/ and \(indexName)"
        var whole = shard == nil
        if let shard {
            let parts = out.partIndexes(of: shard.n)
            if let merged = ExportIndex.merged(parts) {
                do throws(CLIError) {
                    try simulateWriteFailure(chosen.count + 1, dir + "/" + ExportNames.index)
                    try io { () throws(DumpError) in try out.commit(merged, as: ExportNames.index) }
                } catch {
                    throw CLIError("\(error.message) (\(indexName) is written; export any shard again to merge the parts)")
                }
                whole = true
                wrote += "; \(ExportNames.index) merged from \(shard.n) parts"
            } else {
                wrote += "; \(ExportNames.index) waits for " + waitingFor(parts, n: shard.n)
            }
        }
        for note in out.collectGarbage(wholeCommitted: whole) { CLI.writeErr("export: \(note)\n") }
        return wrote + " in \(format1(seconds(clock.now - start))) s\n"
    }

    /// What keeps the parts of `n` shards from making a set: the shards missing, or that they disagree.
    static func waitingFor(_ parts: [ExportIndex], n: Int) -> String {
        let have = Set(parts.compactMap(\.shard))
        let missing = (1...n).filter { !have.contains($0) }
        if !missing.isEmpty { return "part" + (missing.count > 1 ? "s " : " ") + missing.map(String.init).joined(separator: ", ") + " of \(n)" }
        return "parts that agree (the \(n) parts differ in method, parameters or source; export the others again)"
    }

    /// The dump's size and modification time: the parts of one set must have read the same dump.
    static func stamp(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "" }
        let ns = String(st.st_mtim.tv_nsec)
        return "\(st.st_size) \(st.st_mtim.tv_sec).\(String(repeating: "0", count: max(0, 9 - ns.count)))\(ns)"
    }

    /// `body`'s file error as the command's.
    static func io<T>(_ body: () throws(DumpError) -> T) throws(CLIError) -> T {
        do { return try body() } catch { throw CLIError(error.description) }
    }
}
