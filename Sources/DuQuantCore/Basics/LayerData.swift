/// One linear layer `Y = X Wᵀ` as the explorer sees it: the input activation and, when known, the weight.
///
/// `input` is tokens × in_features (leading batch dimensions already flattened); `weight` is
/// out_features × in_features. Without a weight, weight and output metrics are absent, not invented.
public struct LayerData: Sendable {
    /// The layer's prefix, e.g. `model.layers.3.mlp.down_proj`.
    public var name: String
    /// Activations entering the layer, tokens × in_features.
    public var input: Matrix
    /// The layer's weight, out_features × in_features, if the dump carries it.
    public var weight: Matrix?
    /// Non-finite values that were replaced by 0 before this layer reached the analysis
    /// (see `replacingNonFinite()`); empty when the data was finite.
    public var nonFinite: [NonFiniteReport] = []

    /// A layer from its input (tokens × in) and optional weight (out × in); traps if their in_features differ.
    public init(name: String, input: Matrix, weight: Matrix? = nil) {
        precondition(weight == nil || weight!.cols == input.cols, "weight in_features differs from input")
        self.name = name
        self.input = input
        self.weight = weight
    }

    /// Number of tokens (rows of the input).
    public var tokens: Int { input.rows }
    /// Input channels.
    public var inFeatures: Int { input.cols }
    /// Output channels, if the weight is known.
    public var outFeatures: Int? { weight?.rows }
}
