import DuQuantCore
import DuQuantIO
import Foundation

/// A Llama's weights in float32, as loaded: the embedding, each block's norms and seven linear weights
/// (out × in), the final norm and the output head.
///
/// ``load(directory:)`` reads a Hugging Face checkpoint: `config.json` and every `*.safetensors` file of
/// the directory (one file or shards; f32, f16, bf16 or f64 tensors) under the usual names
/// (`model.embed_tokens.weight`, `model.layers.N.input_layernorm.weight`, `…self_attn.q_proj.weight`, …,
/// `model.norm.weight`, `lm_head.weight` unless tied). The q and k rows are in Hugging Face order (the
/// rotary convention that pairs the two halves of a head, not the interleaved one GGUF files store).
///
/// ```swift
/// let model = try LlamaModel.load(directory: "out/eval/smollm2-135m-hf")
/// let ppl = ModelSession(model: model, tokens: ids).fullPrecision().perplexity
/// ```
public struct LlamaModel: Sendable {
    /// One decoder block's weights.
    public struct Block: Sendable {
        /// RMSNorm weight before attention (`input_layernorm`).
        public var attentionNorm: [Float]
        /// RMSNorm weight before the MLP (`post_attention_layernorm`).
        public var mlpNorm: [Float]
        /// The linear weights (out × in) by module.
        public var linear: [LlamaModule: Matrix]
    }

    /// The shape.
    public var config: LlamaConfig
    /// Token embedding, vocab × hidden.
    public var embedding: Matrix
    /// The blocks, in order.
    public var blocks: [Block]
    /// Final RMSNorm weight.
    public var finalNorm: [Float]
    /// Output head, vocab × hidden (the embedding when tied).
    public var head: Matrix

    /// A model from its parts (checked against `config`).
    public init(config: LlamaConfig, embedding: Matrix, blocks: [Block], finalNorm: [Float], head: Matrix) throws(ForwardError) {
        let c = config
        guard embedding.rows == c.vocab, embedding.cols == c.hidden else { throw ForwardError("embedding is \(embedding.rows)×\(embedding.cols), config says \(c.vocab)×\(c.hidden)") }
        guard head.rows == c.vocab, head.cols == c.hidden else { throw ForwardError("output head is \(head.rows)×\(head.cols), config says \(c.vocab)×\(c.hidden)") }
        guard blocks.count == c.layers else { throw ForwardError("\(blocks.count) blocks, config says \(c.layers)") }
        guard finalNorm.count == c.hidden else { throw ForwardError("final norm has \(finalNorm.count) values, config says \(c.hidden)") }
        for (b, block) in blocks.enumerated() {
            guard block.attentionNorm.count == c.hidden, block.mlpNorm.count == c.hidden else { throw ForwardError("block \(b): norm width differs from \(c.hidden)") }
            for m in LlamaModule.allCases {
                let (rows, cols) = Self.shape(of: m, c)
                guard let w = block.linear[m] else { throw ForwardError("block \(b): no \(m.rawValue) weight") }
                guard w.rows == rows, w.cols == cols else {
                    throw ForwardError("\(m.layerName(block: b)).weight is \(w.rows)×\(w.cols), config says \(rows)×\(cols)")
                }
            }
        }
        self.config = config
        self.embedding = embedding
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.head = head
    }

    /// The weight shape (out × in) of `module` under `c`.
    public static func shape(of module: LlamaModule, _ c: LlamaConfig) -> (rows: Int, cols: Int) {
        switch module {
        case .q: return (c.heads * c.headDim, c.hidden)
        case .k, .v: return (c.kvHeads * c.headDim, c.hidden)
        case .o: return (c.hidden, c.heads * c.headDim)
        case .gate, .up: return (c.intermediate, c.hidden)
        case .down: return (c.hidden, c.intermediate)
        }
    }

    /// The weight of a linear layer.
    public func weight(_ id: LinearID) -> Matrix { blocks[id.block].linear[id.module]! }

    /// Every linear layer, block by block in forward order.
    public var linearIDs: [LinearID] {
        (0..<config.layers).flatMap { b in LlamaModule.allCases.map { LinearID(block: b, module: $0) } }
    }

    /// Bytes the weights hold (float32).
    public var byteCount: Int {
        4 * (embedding.count + (config.tiedEmbeddings ? 0 : head.count) + finalNorm.count
             + blocks.reduce(0) { $0 + 2 * config.hidden + $1.linear.values.reduce(0) { $0 + $1.count } })
    }

    /// Reads a Hugging Face checkpoint directory (see the type's documentation).
    public static func load(directory: String) throws(ForwardError) -> LlamaModel {
        let fm = FileManager.default
        guard let configBytes = fm.contents(atPath: directory + "/config.json") else {
            throw ForwardError("\(directory): no config.json (a Hugging Face checkpoint: config.json + *.safetensors)")
        }
        let config = try LlamaConfig(configJSON: Array(configBytes))
        let files = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".safetensors") }.sorted()
        guard !files.isEmpty else { throw ForwardError("\(directory): no .safetensors file") }
        var where_: [String: DumpFile] = [:]
        for f in files {
            let dump: DumpFile
            do { dump = try DumpFile.open(directory + "/" + f) } catch { throw ForwardError(error.description) }
            for t in dump.tensors { where_[t.name] = dump }
        }
        func tensor(_ name: String) throws(ForwardError) -> Matrix {
            guard let dump = where_[name] else { throw ForwardError("\(directory): no tensor \(name)") }
            do { return try dump.loadTensor(name) } catch { throw ForwardError(error.description) }
        }
        func vector(_ name: String) throws(ForwardError) -> [Float] { try tensor(name).storage }
        var blocks: [Block] = []
        for b in 0..<config.layers {
            let p = "model.layers.\(b)."
            var linear: [LlamaModule: Matrix] = [:]
            for m in LlamaModule.allCases { linear[m] = try tensor(p + m.rawValue + ".weight") }
            blocks.append(Block(attentionNorm: try vector(p + "input_layernorm.weight"),
                                mlpNorm: try vector(p + "post_attention_layernorm.weight"), linear: linear))
        }
        let embedding = try tensor("model.embed_tokens.weight")
        let head = where_["lm_head.weight"] == nil ? embedding : try tensor("lm_head.weight")
        var c = config
        c.tiedEmbeddings = where_["lm_head.weight"] == nil
        return try LlamaModel(config: c, embedding: embedding, blocks: blocks, finalNorm: try vector("model.norm.weight"), head: head)
    }
}
