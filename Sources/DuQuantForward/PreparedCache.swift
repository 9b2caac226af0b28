import DuQuantCore

/// Quantized layers (``PreparedLinear``: transform and `Q(W̃)`) kept by (layer, parameters), the least
/// recently used dropped first once they hold more than a byte budget: tuning one layer, or going back to
/// a setting, does not transform and quantize every weight again.
///
/// ```swift
/// let cache = PreparedCache(budgetBytes: 512 << 20)
/// cache.put("model.layers.3.mlp.down_proj", key, prepared)
/// let again = cache.get("model.layers.3.mlp.down_proj", key)
/// ```
public final class PreparedCache: Sendable {
    private struct Key: Hashable { var layer: String; var params: String }
    private let cache: ByteBoundedCache<Key, PreparedLinear>
    /// Most bytes the kept layers may hold.
    public var budgetBytes: Int { cache.budgetBytes }

    /// An empty cache holding at most `budgetBytes`.
    public init(budgetBytes: Int) { cache = ByteBoundedCache(budgetBytes: budgetBytes) }

    /// The kept layer of `layer` under `params` (any text naming what it depends on), if any.
    public func get(_ layer: String, _ params: String) -> PreparedLinear? { cache.get(Key(layer: layer, params: params)) }

    /// Keeps `value`, dropping the least recently used entries beyond the budget (a value larger than the
    /// whole budget is not kept).
    public func put(_ layer: String, _ params: String, _ value: PreparedLinear) {
        cache.put(Key(layer: layer, params: params), value, bytes: value.byteCount)
    }

    /// Layers kept, and the bytes they hold.
    public var usage: (count: Int, bytes: Int) { cache.usage }
}
