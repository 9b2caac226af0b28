/// The seven linear layers of a Llama decoder block, in the order the forward pass calls them.
///
/// Raw values are the Hugging Face module paths inside a block (`self_attn.q_proj`, …), so a layer's full
/// name is ``LlamaModule/layerName(block:)``: `model.layers.3.mlp.down_proj`, as dumps and exports name it.
public enum LlamaModule: String, CaseIterable, Sendable, Hashable {
    case q = "self_attn.q_proj"
    case k = "self_attn.k_proj"
    case v = "self_attn.v_proj"
    case o = "self_attn.o_proj"
    case gate = "mlp.gate_proj"
    case up = "mlp.up_proj"
    case down = "mlp.down_proj"

    /// `model.layers.<block>.<module>`: the name of this module's layer in `block`.
    public func layerName(block: Int) -> String { "model.layers.\(block).\(rawValue)" }

    /// The block and module of a layer name such as `model.layers.3.mlp.down_proj`, or nil.
    public static func parse(_ name: String) -> (block: Int, module: LlamaModule)? {
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let block = Int(rest[..<dot]), block >= 0,
              let module = LlamaModule(rawValue: String(rest[rest.index(after: dot)...])) else { return nil }
        return (block, module)
    }
}

/// One linear layer of the model: a block and a module.
public struct LinearID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The decoder block.
    public var block: Int
    /// The module inside it.
    public var module: LlamaModule

    /// The layer `module` of `block`.
    public init(block: Int, module: LlamaModule) {
        self.block = block
        self.module = module
    }

    /// The layer a name such as `model.layers.3.mlp.down_proj` names, or nil.
    public init?(name: String) {
        guard let (b, m) = LlamaModule.parse(name) else { return nil }
        self.init(block: b, module: m)
    }

    /// Its Hugging Face name.
    public var name: String { module.layerName(block: block) }
    /// Its name.
    public var description: String { name }

    /// Forward order: by block, then by module as the block calls them.
    public static func < (a: LinearID, b: LinearID) -> Bool {
        (a.block, LlamaModule.allCases.firstIndex(of: a.module)!) < (b.block, LlamaModule.allCases.firstIndex(of: b.module)!)
    }
}
