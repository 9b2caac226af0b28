import DuQuantCore

/// Calibrated transforms kept by (layer, method, parameters), least recently used dropped first once they
/// hold more than a byte budget: a live session recalibrates only what a parameter change touched.
///
/// ```swift
/// let cache = TransformCache(budgetBytes: 256 << 20)
/// let t = cache.transform(layer: name, method: .duquant, key: p.calibrationSummary) { calibrate() }
/// ```
public final class TransformCache: Sendable {
    private struct Key: Hashable { var layer: String; var method: Method; var params: String }
    private let cache: ByteBoundedCache<Key, DuQuantTransform>
    /// Most bytes the kept transforms may hold.
    public var budgetBytes: Int { cache.budgetBytes }

    /// An empty cache holding at most `budgetBytes` of transforms.
    public init(budgetBytes: Int) { cache = ByteBoundedCache(budgetBytes: budgetBytes) }

    /// The kept transform of `layer` under `method` and `params` (any text naming the parameters the
    /// calibration depends on), else `calibrate()`'s, kept; nil (nothing kept) when `calibrate` gives nil.
    public func transform(layer: String, method: Method, params: String,
                          calibrate: () throws -> DuQuantTransform?) rethrows -> DuQuantTransform? {
        let key = Key(layer: layer, method: method, params: params)
        if let hit = cache.get(key) { return hit }
        guard let t = try calibrate() else { return nil }
        cache.put(key, t, bytes: TransformBytes.of(t))
        return t
    }

    /// Transforms kept, and the bytes they hold.
    public var usage: (count: Int, bytes: Int) { cache.usage }
}
