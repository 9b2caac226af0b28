/// The index of an `export --all-layers` directory: which file holds each layer's transform, and what
/// made them.
///
/// `index.json` describes a whole set; `index-K-of-N.json` the part shard K of N wrote. Written as
///
/// ```json
/// {
///  "format": "duquant-explorer export index v2",
///  "method": "duquant", "source": "calib.safetensors", "source_stamp": "268992 1733600000.123456789",
///  "params": "W4A4 block 128 …", "seed": "0", "layer_count": 3, "shard": "1/2",
///  "layers": {"model.layers.0.self_attn.q_proj": "run-3f0c…/0001-model.layers.0.self_attn.q_proj-1a2b3c4d.safetensors"}
/// }
/// ```
///
/// (`shard` only in a part-index; an `index.json` merged from parts is the one a single run writes, and
/// one written before that may carry `shards: N`). An index of the
/// format before (`{"method", "source", "params", "seed", "layers"}` and nothing else) is read as
/// `legacy`: still an export's index (it may be replaced), but never merged.
package struct ExportIndex: Sendable, Equatable {
    package static let format = "duquant-explorer export index v2"
    /// An index larger than this is not read (not an export's index).
    static let maxBytes = 256 << 20

    package var method: String
    package var source: String
    /// The dump's size and modification time when exported: parts of one set must agree on it.
    package var sourceStamp: String = ""
    package var params: String
    package var seed: String
    /// How many usable layers the dump has: a merged set must cover that many.
    package var layerCount: Int = 0
    /// This part's shard `k` (of `shards`), for a part-index.
    package var shard: Int? = nil
    /// N: for a part-index, its shard count; for an index merged from parts, how many.
    package var shards: Int? = nil
    /// Layer → file (relative to the directory), in the dump's order.
    package var layers: [Layer]
    /// Written before this format (see the type's notes).
    package var legacy = false

    package struct Layer: Sendable, Equatable {
        package var name: String
        package var file: String
        package init(name: String, file: String) { self.name = name; self.file = file }
    }

    package init(method: String, source: String, sourceStamp: String, params: String, seed: String, layerCount: Int,
                 shard: (k: Int, n: Int)?, layers: [Layer]) {
        self.method = method
        self.source = source
        self.sourceStamp = sourceStamp
        self.params = params
        self.seed = seed
        self.layerCount = layerCount
        self.shard = shard?.k
        self.shards = shard?.n
        self.layers = layers
    }

    /// The index in `bytes`, or nil when they are not an export's index.
    package static func parse(_ bytes: [UInt8]) -> ExportIndex? {
        guard bytes.count <= maxBytes, let json = try? JSONParser.parse(bytes), let members = json.object else { return nil }
        var layers: [Layer] = []
        guard let map = json["layers"]?.object else { return nil }
        for (name, file) in map {
            guard let file = file.string else { return nil }
            layers.append(Layer(name: name, file: file))
        }
        guard let method = json["method"]?.string, let source = json["source"]?.string,
              let params = json["params"]?.string, let seed = json["seed"]?.string else { return nil }
        var index = ExportIndex(method: method, source: source, sourceStamp: "", params: params, seed: seed,
                                layerCount: 0, shard: nil, layers: layers)
        guard json["format"] != nil else {
            // The format before: exactly these five keys.
            guard Set(members.map(\.key)) == ["method", "source", "params", "seed", "layers"] else { return nil }
            index.legacy = true
            return index
        }
        guard json["format"]?.string == format, let stamp = json["source_stamp"]?.string,
              let count = json["layer_count"]?.int, count >= 0 else { return nil }
        index.sourceStamp = stamp
        index.layerCount = count
        if let shard = json["shard"] {
            let kn = shard.string?.split(separator: "/", omittingEmptySubsequences: false) ?? []
            guard kn.count == 2, let p = ExportNames.parsePartIndex("index-\(kn[0])-of-\(kn[1]).json") else { return nil }
            index.shard = p.k
            index.shards = p.n
        } else if let n = json["shards"] {
            guard let n = n.int, n >= 1 else { return nil }
            index.shards = n
        }
        return index
    }

    /// The index as JSON text, one member per line.
    package func rendered() -> [UInt8] {
        var head: [(String, String)] = [
            ("format", JSONValue.quoted(Self.format)), ("method", JSONValue.quoted(method)),
            ("source", JSONValue.quoted(source)), ("source_stamp", JSONValue.quoted(sourceStamp)),
            ("params", JSONValue.quoted(params)), ("seed", JSONValue.quoted(seed)), ("layer_count", String(layerCount)),
        ]
        if let shard, let shards { head.append(("shard", JSONValue.quoted("\(shard)/\(shards)"))) }
        else if let shards { head.append(("shards", String(shards))) }
        var out = "{\n" + head.map { " \(JSONValue.quoted($0.0)): \($0.1),\n" }.joined() + " \"layers\": {"
        out += layers.isEmpty ? "}\n}\n"
            : "\n" + layers.map { "  \(JSONValue.quoted($0.name)): \(JSONValue.quoted($0.file))" }.joined(separator: ",\n") + "\n }\n}\n"
        return Array(out.utf8)
    }

    /// Whether every layer of `part` maps to the same file here.
    package func contains(_ part: ExportIndex) -> Bool {
        let files = Dictionary(layers.map { ($0.name, $0.file) }, uniquingKeysWith: { a, _ in a })
        return part.layers.allSatisfy { files[$0.name] == $0.file }
    }

    /// The whole set the part-indexes `parts` make, or nil unless they make one.
    ///
    /// The rule (docs/EXPORT.md): N parts of this format, shards 1 … N of N once each, agreeing on the
    /// method, the source and its stamp, the parameters, the seed and the layer count, with disjoint
    /// layers that number the layer count. The merged layers are in the dump's order (the position that
    /// begins each file name).
    package static func merged(_ parts: [ExportIndex]) -> ExportIndex? {
        guard let first = parts.first, let n = first.shards, parts.count == n else { return nil }
        for p in parts {
            guard !p.legacy, p.shards == n, p.method == first.method, p.source == first.source,
                  p.sourceStamp == first.sourceStamp, p.params == first.params, p.seed == first.seed,
                  p.layerCount == first.layerCount else { return nil }
        }
        guard Set(parts.compactMap(\.shard)) == Set(1...n) else { return nil }
        let all = parts.flatMap(\.layers)
        guard all.count == first.layerCount, Set(all.map(\.name)).count == all.count else { return nil }
        // The merged set is the set one run writes (no trace of the shards): with the generation named
        // after the set, `--shard K/N` for every K gives index.json byte for byte as one run does.
        var whole = first
        whole.shard = nil
        whole.shards = nil
        whole.layers = all.sorted { position($0.file) < position($1.file) }
        return whole
    }

    /// The number that begins a layer file's name (after its generation directory).
    package static func position(_ file: String) -> Int {
        let base = file.split(separator: "/").last ?? ""
        return Int(base.prefix { $0.isASCII && $0.isNumber }) ?? Int.max
    }
}
