/// Which projection of a transformer block a linear layer is, guessed from its name.
///
/// The raw value is the short label the explorer shows. Llama-style names (`q_proj` … `down_proj`),
/// GPT-2 style (`c_attn`, `c_proj`, `c_fc`), OPT/BERT style (`fc1`, `fc2`, `out_proj`, `query`),
/// Falcon/GPT-NeoX style (`query_key_value`, `dense_h_to_4h`, `dense_4h_to_h`) and Mixtral experts
/// (`w1`, `w2`, `w3`) are recognised; anything else is `.other`.
public enum ModuleKind: String, Sendable, CaseIterable {
    case q, k, v, qkv, o, gate, up
    case gateUp = "gate/up"
    case down, other

    /// The kind of the layer named `name` (a dotted prefix such as `model.layers.0.mlp.up_proj`).
    public init(layerName name: String) {
        // Only the last component is lowercased up front; the others only for the two names that need
        // them (a million layers used to spend a quarter of opening here).
        let parts = name.split(separator: ".")
        let last = parts.last?.lowercased() ?? ""
        var inAttention: Bool {
            parts.dropLast().contains { let p = $0.lowercased(); return p.contains("attn") || p.contains("attention") }
        }
        switch last {
        case "q_proj", "query", "q", "wq": self = .q
        case "k_proj", "key", "k", "wk": self = .k
        case "v_proj", "value", "v", "wv": self = .v
        case "qkv_proj", "qkv", "c_attn", "query_key_value", "wqkv", "in_proj": self = .qkv
        case "o_proj", "out_proj", "wo", "o": self = .o
        case "gate_proj", "w1", "gate": self = .gate
        case "up_proj", "w3", "c_fc", "fc1", "dense_h_to_4h", "up": self = .up
        case "gate_up_proj", "gate_up": self = .gateUp
        case "down_proj", "w2", "fc2", "dense_4h_to_h", "down": self = .down
        case "c_proj": self = inAttention ? .o : .down
        case "dense": self = inAttention ? .o : .other
        default: self = .other
        }
    }
}
