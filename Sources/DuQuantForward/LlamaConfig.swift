import Foundation

/// The shape of a Llama model as SmolLM2 uses it: RMSNorm, rotary positions, grouped-query attention, SwiGLU.
///
/// Read from a Hugging Face `config.json` (``init(configJSON:)``); `headDim` is `hidden_size / num_attention_heads`
/// unless the file names `head_dim`.
///
/// ```swift
/// let c = try LlamaConfig(configJSON: Array(FileManager.default.contents(atPath: "m/config.json")!))
/// print(c.layers, c.hidden)
/// ```
public struct LlamaConfig: Sendable, Equatable {
    /// Decoder blocks.
    public var layers: Int
    /// Width of the residual stream (`hidden_size`).
    public var hidden: Int
    /// Width of the MLP (`intermediate_size`).
    public var intermediate: Int
    /// Query heads.
    public var heads: Int
    /// Key/value heads (grouped-query attention: `heads` is a multiple of it).
    public var kvHeads: Int
    /// Width of one head.
    public var headDim: Int
    /// Rotary base (`rope_theta`).
    public var ropeTheta: Double
    /// RMSNorm epsilon (`rms_norm_eps`), as the file writes it.
    public var rmsEps: Double
    /// Vocabulary size.
    public var vocab: Int
    /// Whether the output head is the embedding (`tie_word_embeddings`).
    public var tiedEmbeddings: Bool

    /// A configuration from its fields (checked: heads divide evenly, the head width is even).
    public init(layers: Int, hidden: Int, intermediate: Int, heads: Int, kvHeads: Int, headDim: Int,
                ropeTheta: Double, rmsEps: Double, vocab: Int, tiedEmbeddings: Bool) throws(ForwardError) {
        guard layers > 0, hidden > 0, intermediate > 0, heads > 0, kvHeads > 0, headDim > 0, vocab > 0 else {
            throw ForwardError("config: every size must be positive")
        }
        guard heads % kvHeads == 0 else { throw ForwardError("config: \(heads) heads is not a multiple of \(kvHeads) key/value heads") }
        guard headDim % 2 == 0 else { throw ForwardError("config: head width \(headDim) is odd (rotary positions pair halves)") }
        self.layers = layers
        self.hidden = hidden
        self.intermediate = intermediate
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ropeTheta = ropeTheta
        self.rmsEps = rmsEps
        self.vocab = vocab
        self.tiedEmbeddings = tiedEmbeddings
    }

    /// Parses a Hugging Face `config.json` of a Llama (`model_type` "llama" or absent).
    public init(configJSON bytes: [UInt8]) throws(ForwardError) {
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw ForwardError("config.json: not JSON (\(error.localizedDescription))")
        }
        guard let o = any as? [String: Any] else { throw ForwardError("config.json: not a JSON object") }
        if let type = o["model_type"] as? String, type != "llama" {
            throw ForwardError("config.json: model_type \(type) (only llama is supported)")
        }
        func int(_ key: String) throws(ForwardError) -> Int {
            guard let n = o[key] as? NSNumber, let v = Int(exactly: n.doubleValue) else { throw ForwardError("config.json: \(key) missing or not an integer") }
            return v
        }
        func double(_ key: String, _ fallback: Double? = nil) throws(ForwardError) -> Double {
            if let n = o[key] as? NSNumber { return n.doubleValue }
            if let fallback { return fallback }
            throw ForwardError("config.json: \(key) missing")
        }
        let hidden = try int("hidden_size"), heads = try int("num_attention_heads")
        try self.init(layers: try int("num_hidden_layers"), hidden: hidden, intermediate: try int("intermediate_size"),
                      heads: heads, kvHeads: o["num_key_value_heads"] == nil ? heads : try int("num_key_value_heads"),
                      headDim: o["head_dim"] == nil ? hidden / max(heads, 1) : try int("head_dim"),
                      ropeTheta: try double("rope_theta", 10000), rmsEps: try double("rms_norm_eps", 1e-6),
                      vocab: try int("vocab_size"), tiedEmbeddings: (o["tie_word_embeddings"] as? Bool) ?? false)
        if (o["rope_scaling"].map { !($0 is NSNull) }) == true {
            throw ForwardError("config.json: rope_scaling is not supported")
        }
    }
}

/// A one-line error of the forward module (a checkpoint that does not fit, a bad token, a shape).
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
