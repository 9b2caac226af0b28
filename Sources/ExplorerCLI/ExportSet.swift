#if canImport(Glibc)
import Glibc
#endif
import DuQuantCore
import DuQuantIO
import ExplorerModel

/// What an `export --all-layers` set is made of, and so what names its generation: the binary, the
/// method, the parameters, the dump (its path as given, size and modification time) and its number of
/// usable layers.
///
/// Runs of one set — a single run, the N shards of `--shard K/N`, the distributed driver's tasks on N
/// machines — write into the same generation `run-<hex of the key>/` (no random name, no timestamp), so
/// they give the same directory and `index.json` byte for byte. Each file records what it was made of
/// (``identity(layer:inputHash:)``); a run keeps a file already there only when all of it matches,
/// including the fingerprint of the layer's tensors, and otherwise never writes over it.
///
/// ```swift
/// let set = ExportSet(dump: dump, method: .duquant, params: p, layerCount: 10)
/// set.generation                    // "run-9c41…"
/// ```
struct ExportSet {
    var method: Method
    var params: QuantParams
    var source: String
    var stamp: String
    var layerCount: Int
    var binary: String = BuildIdentity.binary

    init(dump: DumpFile, method: Method, params: QuantParams, layerCount: Int) {
        self.method = method
        self.params = params
        self.source = dump.path
        self.stamp = ExportCommand.stamp(dump.path)
        self.layerCount = layerCount
    }

    /// The text the generation's name hashes, one item per line.
    var key: String {
        ["duquant-explorer export set v1", binary, method.rawValue, params.longSummary, String(params.seed),
         source, stamp, String(layerCount)].joined(separator: "\n")
    }

    /// `run-` and 16 hex digits of the key's hash.
    var generation: String { ExportNames.generation(for: key) }

    /// The metadata a file of layer `name` carries that says what made it: a file is kept only if every
    /// entry matches (`input_hash`, when nil, is left out of the comparison: the plan's quick look).
    func identity(layer name: String, inputHash: String?) -> [String: String] {
        var m = ["layer": name, "source": source, "method": method.rawValue, "params": params.longSummary,
                 "method_settings": ExportCommand.methodSettings(params), "seed": String(params.seed), "binary": binary]
        if let inputHash { m["input_hash"] = inputHash }
        return m
    }

    /// What is at `path` for a layer file of this set.
    enum Found { case absent, keep, differs }

    /// Whether `path` is absent, a file whose metadata holds every entry of `identity`, or anything else
    /// (another input, another build, not a readable transform, a link, a directory).
    static func check(_ path: String, against identity: [String: String]) -> Found {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT ? .absent : .differs }
        guard (st.st_mode & S_IFMT) == S_IFREG, let file = try? DumpFile.open(path) else { return .differs }
        return identity.allSatisfy { file.metadata[$0.key] == $0.value } ? .keep : .differs
    }
}
