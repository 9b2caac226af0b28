/// A linear layer found in a dump: which tensors make it up and its dimensions, known without loading.
///
/// A layer is a name prefix `P` with an input tensor `P.input` (or one shared from another layer, see
/// `DumpFile.sharedInputsKey`) and optionally a weight `P.weight` of shape out × in. When something
/// makes the layer unusable (its weight disagrees with its input, an unsupported dtype, …) it is still
/// listed, with `problem` saying why; `DumpFile.loadLayer` then throws that problem.
public struct LayerInfo: Sendable, Hashable {
    /// The prefix, e.g. `model.layers.3.mlp.down_proj`.
    public var name: String
    /// The tensor holding the input activations (may belong to another layer when shared).
    public var inputTensor: String
    /// The weight tensor, if the dump has one.
    public var weightTensor: String?
    /// The layer whose input this one shares, when the input comes from `duquant.shared_inputs`.
    public var sharesInputWith: String?
    /// Rows of the flattened input (all leading dimensions multiplied).
    public var tokens: Int
    /// Input channels (the input's last dimension).
    public var inFeatures: Int
    /// Output channels (the weight's first dimension), if there is a weight.
    public var outFeatures: Int?
    /// The input's stored element type.
    public var dtype: DType
    /// Which projection this is, from the name.
    public var moduleKind: ModuleKind
    /// Why the layer cannot be loaded, or nil when it can.
    public var problem: String?

    /// `tokens×in` and, with a weight, `→ out`: the sizes a budget check names.
    public var shapeText: String { "\(tokens)×\(inFeatures)" + (outFeatures.map { " → \($0)" } ?? "") }

    /// Whether `loadLayer` can succeed (the data may still turn out corrupt, e.g. a bad CRC).
    public var isLoadable: Bool { problem == nil }
}
