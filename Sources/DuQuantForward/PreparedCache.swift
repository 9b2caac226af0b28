import DuQuantCore
import Synchronization

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
    private struct State {
        var entries: [Key: (value: PreparedLinear, bytes: Int, used: UInt64)] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }
    private let state = Mutex(State())
    /// Most bytes the kept layers may hold.
    public let budgetBytes: Int

    /// An empty cache holding at most `budgetBytes`.
    public init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The kept layer of `layer` under `params` (any text naming what it depends on), if any.
    public func get(_ layer: String, _ params: String) -> PreparedLinear? {
        state.withLock { s in
            let key = Key(layer: layer, params: params)
            guard let e = s.entries[key] else { return nil }
            s.clock += 1
            s.entries[key]!.used = s.clock
            return e.value
        }
    }

    /// Keeps `value`, dropping the least recently used entries beyond the budget (a value larger than the
    /// whole budget is not kept).
    public func put(_ layer: String, _ params: String, _ value: PreparedLinear) {
        let bytes = value.byteCount
        guard bytes <= budgetBytes else { return }
        state.withLock { s in
            let key = Key(layer: layer, params: params)
            s.clock += 1
            if let old = s.entries[key] { s.bytes -= old.bytes }
            s.entries[key] = (value, bytes, s.clock)
            s.bytes += bytes
            while s.bytes > budgetBytes, let oldest = s.entries.min(by: { $0.value.used < $1.value.used }) {
                s.bytes -= oldest.value.bytes
                s.entries[oldest.key] = nil
            }
        }
    }

    /// Layers kept, and the bytes they hold.
    public var usage: (count: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
