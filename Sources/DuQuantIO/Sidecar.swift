import DuQuantCore
#if canImport(Glibc)
import Glibc
#endif

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
/// key is skipped; small ones (up to 64 KB each, 1 MB in all) are kept, as compact JSON text, in `extras`.
///
/// Reading: a sidecar over 20 MB is refused from its size; the rest is read in chunks, skipping what is
/// not kept without building it. Every figure is checked where it is read (a perplexity ≥ 1 and finite as
/// a `Float`, a parameter in its ``ParameterSpec`` range, a token id in 0…2³¹−1): an entry that fails, or
/// a known key of the wrong kind, is left out and named with the reason in one warning; malformed JSON
/// makes the whole sidecar a warning.
public struct Sidecar: Sendable {
    /// Sidecars larger than this (20 MB) are refused from their size, before reading.
    static let maxBytes = 20 << 20

    /// Where the sidecar was read from.
    public var path: String
    /// The model the activations were captured from.
    public var model: String?
    /// What text was fed to the model.
    public var textSource: String?
    /// The token ids, one per row of the inputs (each in 0…2³¹−1).
    public var tokenIds: [Int32]?
    /// The tokens as text, one per row of the inputs.
    public var tokens: TokenTexts?
    /// Layer prefix → prefix whose `.input` it shares.
    public var sharedInputs: [String: String]
    /// What to look for in this data, in words.
    public var explanation: String?
    /// Explorer options to open with: option name (without `--`) → value text; a flag's value is "".
    public var parameters: [(name: String, value: String)] = []
    /// Other keys with small values (see ``maxExtraBytes``), each value as compact JSON text.
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

    /// Reads the sidecar at `path` (a regular file): the sidecar, or nil when it is refused, and one
    /// warning per problem (a sidecar over ``maxBytes``, malformed JSON, or an entry ignored and why).
    ///
    /// The size is checked before anything is read; the file is then read in chunks (``JSONStream``), so
    /// memory holds one chunk and what is kept, not the file.
    static func read(path: String) -> (sidecar: Sidecar?, warnings: [DumpError]) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return (nil, [DumpError(file: path, message: "sidecar: cannot open: \(String(cString: strerror(errno)))")])
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            return (nil, [DumpError(file: path, message: "sidecar: cannot stat: \(String(cString: strerror(errno)))")])
        }
        let size = Int(st.st_size)
        guard size <= maxBytes else {
            // Just over the limit, rounding would say "20 MB, over the 20 MB": then the bytes are given.
            let shown = MemoryBudget.describe(size) == MemoryBudget.describe(maxBytes) ? "\(size) bytes" : MemoryBudget.describe(size)
            return (nil, [DumpError(file: path, message: "sidecar is \(shown), over the \(MemoryBudget.describe(maxBytes)) "
                + "a sidecar may be; not read (the dump opens without it)")])
        }
        var r = JSONStream(fd: fd, size: size)
        do throws(DumpError) {
            let (s, ignored) = try parse(&r, path: path)
            return (s, ignored)
        } catch {
            return (nil, [error])
        }
    }

    /// Parses the sidecar JSON in `bytes` as if read from `path`, `chunk` bytes at a time.
    static func parse(_ bytes: [UInt8], path: String, chunk: Int = 1 << 16) throws(DumpError) -> (sidecar: Sidecar, ignored: [DumpError]) {
        var r = JSONStream(bytes: bytes, chunk: chunk)
        return try parse(&r, path: path)
    }

    /// The keys read into fields; any other key is skipped (and kept in ``extras`` when small).
    static let knownKeys: Set<String> = ["model", "text_source", "token_ids", "tokens", "explanation", "parameters",
                                         "shared_inputs", "model_eval"]
    /// Longest key kept (longer ones are neither known nor kept).
    static let maxKeyBytes = 256
    /// Largest value read as a tree: `parameters`, `shared_inputs`, `model_eval` and a kept extra.
    static let maxTreeBytes = 1 << 20
    /// Largest unknown value kept in ``extras``, and most bytes all of them may take.
    static let maxExtraBytes = 64 << 10, maxExtrasBytes = 1 << 20

    /// Reads one sidecar object from `r`: a malformed document throws; an entry of the wrong kind or
    /// out of range is ignored and named in the returned warnings.
    static func parse(_ r: inout JSONStream, path: String) throws(DumpError) -> (sidecar: Sidecar, ignored: [DumpError]) {
        var s = Sidecar(path: path, sharedInputs: [:], extras: [:])
        var notes = SidecarNotes()
        do throws(FormatError) {
            try r.skipSpace()
            guard try r.peek() == UInt8(ascii: "{") else {
                try r.skipDocument()
                throw FormatError("sidecar is not a JSON object")
            }
            r.advance()
            try r.skipSpace()
            if try r.peek() == UInt8(ascii: "}") {
                r.advance()
            } else {
                var known: Set<String> = []
                var extrasBytes = 0
                members: while true {
                    try r.skipSpace()
                    let key = try r.shortString(limit: maxKeyBytes)
                    try r.expect(UInt8(ascii: ":"), "':'")
                    try r.skipSpace()
                    if let key, knownKeys.contains(key) {
                        guard known.insert(key).inserted else { throw r.fail("duplicate key \"\(key)\"") }
                        try s.read(key, from: &r, notes: &notes)
                    } else {
                        let start = r.offset
                        try r.skipValue()
                        let size = r.offset - start
                        // Small unknown values are kept as compact text; the rest is skipped, never held.
                        // An entry is charged its key, its value and a dictionary slot's overhead.
                        let cost = size + (key?.utf8.count ?? 0) + 64
                        if let key, size <= maxExtraBytes, extrasBytes + cost <= maxExtrasBytes,
                           let value = try? JSONParser.parse(try r.bytes(from: start, to: r.offset)) {
                            guard s.extras[key] == nil else { throw r.fail("duplicate key \"\(key)\"") }
                            s.extras[key] = value.encoded
                            extrasBytes += cost
                        }
                    }
                    try r.skipSpace()
                    switch try r.peek() {
                    case UInt8(ascii: ","): r.advance()
                    case UInt8(ascii: "}"): r.advance(); break members
                    default: throw r.fail("expected ',' or '}'")
                    }
                }
            }
            try r.skipSpace()
            guard try r.atEnd() else { throw r.fail("unexpected data after the JSON value") }
        } catch {
            throw error.in(path)
        }
        return (s, notes.warnings(file: path))
    }
}
