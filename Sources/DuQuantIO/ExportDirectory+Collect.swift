#if canImport(Glibc)
import Glibc
#endif

extension ExportDirectory {
    /// After a commit: removes what no index names any more, and returns a note for each generation it
    /// had to keep.
    ///
    /// Runs only when the lock can be taken exclusively at once: then no other run is writing into the
    /// directory (each holds the lock shared from before it makes its generation to its end) and no
    /// reader that takes the lock is reading; otherwise nothing is removed now and a later run does it.
    /// Conservative throughout:
    ///
    /// - an `index.json` or part-index that cannot be read as an export's index stops the collection
    ///   (what it names is unknown);
    /// - when this run committed `index.json` (`wholeCommitted`), a part-index it does not contain (same
    ///   layer, same file, for every layer) is superseded and removed;
    /// - a generation directory (`run-<16 hex>`, not a link) that no remaining index names loses the files
    ///   of the export's own naming in it (never the dump or its sidecar), then the directory itself if
    ///   that leaves it empty; anything else in it is kept, with the directory.
    package func collectGarbage(wholeCommitted: Bool) -> [String] {
        guard lockExclusively(), let entries = Self.list(path) else { return [] }
        var indexes: [(name: String, index: ExportIndex)] = []
        for e in entries where e == ExportNames.index || ExportNames.parsePartIndex(e) != nil {
            guard let bytes = Self.readSmall(path + "/" + e, limit: ExportIndex.maxBytes),
                  let index = ExportIndex.parse(bytes) else { return [] }
            indexes.append((e, index))
        }
        if wholeCommitted, let whole = indexes.first(where: { $0.name == ExportNames.index })?.index {
            indexes.removeAll { part in
                guard part.name != ExportNames.index, !whole.contains(part.index), !isInput(path + "/" + part.name) else { return false }
                return unlink(path + "/" + part.name) == 0
            }
        }
        let named = Set(indexes.flatMap { $0.index.layers.compactMap { layer -> String? in
            let parts = layer.file.split(separator: "/", maxSplits: 1)
            return parts.count == 2 ? String(parts[0]) : nil
        } })
        var notes: [String] = []
        for e in entries where ExportNames.isGeneration(e) && !named.contains(e) && e != generation && e != fallback {
            var st = stat()
            guard lstat(path + "/" + e, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            if !removeGeneration(e) {
                notes.append("kept \(path)/\(e): no index names it, but it holds files the export did not write")
            }
        }
        return notes
    }
}
