import DuQuantCore

/// Optional JSON that travels beside a dump and says where the activations came from.
///
/// Looked for at the dump's path with its extension replaced by `.json` (`run.safetensors` →
/// `run.json`); for a directory `D`, at `D/sidecar.json`, then `D.json`. Known keys:
///
/// ```json
/// {"model": "meta-llama/Llama-2-7b", "text_source": "wikitext-2 test[0:512]",
///  "token_ids": [1, 450, 4996], "tokens": ["<s>", "The", "▁quick"],
///  "shared_inputs": {"model.layers.0.self_attn.k_proj": "model.layers.0.self_attn.q_proj"}}
/// ```
///
/// `model_eval` holds model-level figures per method (see ``parseModelEvaluation(_:)``).
/// `shared_inputs` works like the safetensors metadata key `duquant.shared_inputs`, for formats
/// without metadata. `explanation` is a text the explorer shows with the data (a teaching sample says
/// what to look for); `parameters` names the options the explorer opens with, as on the command line
/// (`{"block": 4, "steps": 0, "no-smooth": true}`; options given on the command line win). Every other
/// key is kept, as compact JSON text, in `extras`.
public struct Sidecar: Sendable {
    /// Sidecars larger than this are refused.
    static let maxBytes = 100_000_000

    /// Where the sidecar was read from.
    public var path: String
    /// The model the activations were captured from.
    public var model: String?
    /// What text was fed to the model.
    public var textSource: String?
    /// The token ids, one per row of the inputs.
    public var tokenIds: [Int]?
    /// The tokens as text, one per row of the inputs.
    public var tokens: [String]?
    /// Layer prefix → prefix whose `.input` it shares.
    public var sharedInputs: [String: String]
    /// What to look for in this data, in words.
    public var explanation: String?
    /// Explorer options to open with: option name (without `--`) → value text; a flag's value is "".
    public var parameters: [(name: String, value: String)] = []
    /// Any other keys, each value as compact JSON text.
    public var extras: [String: String]
    /// Model-level figures per method (key `model_eval`, see ``parseModelEvaluation(_:)``).
    public var modelEvaluation: ModelEvaluation?

    /// The candidate sidecar paths for a dump at `path`, in the order they are tried.
    package static func candidates(for path: String, isDirectory: Bool) -> [String] {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        if isDirectory { return [trimmed + "/sidecar.json", trimmed + ".json"] }
        let slash = trimmed.lastIndex(of: "/").map { trimmed.index(after: $0) } ?? trimmed.startIndex
        if let dot = trimmed[slash...].lastIndex(of: "."), dot != slash {
            return [String(trimmed[..<dot]) + ".json"]
        }
        return [trimmed + ".json"]
    }

    /// Parses the sidecar JSON in `bytes`, read from `path`.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws(DumpError) -> Sidecar {
        guard bytes.count <= maxBytes else { throw DumpError(file: path, message: "sidecar larger than \(maxBytes) bytes") }
        let json: JSONValue
        do throws(FormatError) { json = try JSONParser.parse(bytes) } catch { throw error.in(path) }
        guard let members = json.object else { throw DumpError(file: path, message: "sidecar is not a JSON object") }
        var s = Sidecar(path: path, sharedInputs: [:], extras: [:])
        func bad(_ key: String, _ what: String) -> DumpError {
            DumpError(file: path, message: "sidecar key \"\(key)\" must be \(what)")
        }
        for (key, value) in members {
            switch key {
            case "model":
                guard let v = value.string else { throw bad(key, "a string") }
                s.model = v
            case "text_source":
                guard let v = value.string else { throw bad(key, "a string") }
                s.textSource = v
            case "token_ids":
                guard let ids = value.array?.compactMap(\.int), ids.count == value.array?.count else {
                    throw bad(key, "an array of integers")
                }
                s.tokenIds = ids
            case "tokens":
                guard let tokens = value.array?.compactMap(\.string), tokens.count == value.array?.count else {
                    throw bad(key, "an array of strings")
                }
                s.tokens = tokens
            case "explanation":
                guard let v = value.string else { throw bad(key, "a string") }
                s.explanation = v
            case "parameters":
                guard let members = value.object else { throw bad(key, "an object of option names") }
                for (name, v) in members {
                    switch v {
                    case .number(let text), .string(let text): s.parameters.append((name, text))
                    case .bool(true): s.parameters.append((name, ""))
                    case .bool(false): continue
                    default: throw bad(key, "an object of numbers, strings or true")
                    }
                }
            case "shared_inputs":
                guard let map = SharedInputs.parse(value) else { throw bad(key, "an object of strings") }
                s.sharedInputs = map
            case "model_eval":
                guard let e = parseModelEvaluation(value) else { throw bad(key, "an object with \"fp\" and \"methods\" figures") }
                s.modelEvaluation = e
            default:
                s.extras[key] = value.encoded
            }
        }
        return s
    }
}
