import DuQuantCore
import DuQuantIO
import ExplorerModel

extension ExportCommand {
    /// `export FILE --all-layers -o DIR --plan`: what an export of every layer would do, as JSON, for a
    /// driver that shares the work out (tools/distributed): the set's generation and binary, and per
    /// usable layer its position, name, file (relative to `DIR`), shape, the memory its calibration may
    /// take, the process included (``MemoryBudget/transformBytes(tokens:inFeatures:outFeatures:method:)``,
    /// the figure the binary refuses a layer by) and whether a file of this set is already there (`present`:
    /// its metadata matches but for the input's fingerprint, which the export itself checks). Writes
    /// nothing, not even `DIR`.
    ///
    /// ```json
    /// {"format": "duquant-explorer export plan v1", "binary": "duquant-explorer 0.1.0 (build …)",
    ///  "generation": "run-9c41…", "memory_budget": 12884901888, "layer_count": 2, …,
    ///  "layers": [{"position": 1, "name": "model.layers.0.mlp.down_proj", "file": "run-9c41…/0001-…",
    ///              "tokens": 256, "in": 1536, "out": 576, "bytes": 59154432, "present": false}, …]}
    /// ```
    static func plan(_ path: String, to dir: String, method: Method, _ p: QuantParams) throws(CLIError) -> String {
        let dump = try Commands.open(path)
        let all = try Commands.layerNames([], in: dump)
        let width = max(4, String(all.count).count)
        let set = ExportSet(dump: dump, method: method, params: p, layerCount: all.count)
        func q(_ s: String) -> String { JSONValue.quoted(s) }
        var rows: [String] = []
        let committed = ExportDirectory.committedFiles(in: dir)
        for (k, name) in all.enumerated() {
            guard let info = dump.layer(named: name) else { continue }
            let file = set.generation + "/" + ExportNames.layerFile(position: k + 1, width: width, name: name)
            let need = MemoryBudget.transformBytes(tokens: info.tokens, inFeatures: info.inFeatures, outFeatures: info.outFeatures, method: method)
            let identity = set.identity(layer: name, inputHash: nil)
            let present = ExportSet.check(dir + "/" + file, against: identity) == .keep
                || committed[name].map { ExportSet.check(dir + "/" + $0, against: identity) == .keep } == true
            rows.append("  {\"position\": \(k + 1), \"name\": \(q(name)), \"file\": \(q(file)), \"tokens\": \(info.tokens), "
                + "\"in\": \(info.inFeatures), \"out\": \(info.outFeatures.map(String.init) ?? "null"), "
                + "\"bytes\": \(need.map(String.init) ?? "null"), \"present\": \(present)}")
        }
        let head: [(String, String)] = [
            ("format", q("duquant-explorer export plan v1")), ("binary", q(set.binary)), ("generation", q(set.generation)),
            ("method", q(method.rawValue)), ("source", q(set.source)), ("source_stamp", q(set.stamp)),
            ("params", q(p.longSummary)), ("seed", q(String(p.seed))), ("layer_count", String(all.count)),
            ("memory_budget", String(MemoryBudget.bytes)),
        ]
        return "{\n" + head.map { " \(q($0.0)): \($0.1),\n" }.joined() + " \"layers\": [\n" + rows.joined(separator: ",\n") + "\n ]\n}\n"
    }
}
