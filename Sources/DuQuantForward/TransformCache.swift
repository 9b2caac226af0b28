import DuQuantCore
import Synchronization

/// Calibrated transforms kept by (layer, method, parameters), least recently used dropped first once they
/// hold more than a byte budget: a live session recalibrates only what a parameter change touched.
///
/// ```swift
/// let cache = TransformCache(budgetBytes: 256 << 20)
/// let t = cache.transform(layer: name, method: .duquant, key: p.calibrationSummary) { calibrate() }
/// ```
public final class TransformCache: Sendable {
    private struct Key: Hashable { var layer: String; var method: Method; var params: String }
    private struct State {
        var entries: [Key: (transform: DuQuantTransform, bytes: Int, used: UInt64)] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }
    private let state = Mutex(State())
    /// Most bytes the kept transforms may hold.
    public let budgetBytes: Int

    /// An empty cache holding at most `budgetBytes` of transforms.
    public init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The kept transform of `layer` under `method` and `params` (any text naming the parameters the
    /// calibration depends on), else `calibrate()`'s, kept; nil (nothing kept) when `calibrate` gives nil.
    public func transform(layer: String, method: Method, params: String,
                          calibrate: () throws -> DuQuantTransform?) rethrows -> DuQuantTransform? {
        let key = Key(layer: layer, method: method, params: params)
        if let hit = state.withLock({ s -> DuQuantTransform? in
            guard let e = s.entries[key] else { return nil }
            s.clock += 1
            s.entries[key]!.used = s.clock
            return e.transform
        }) { return hit }
        guard let t = try calibrate() else { return nil }
        let bytes = TransformBytes.of(t)
        state.withLock { s in
            s.clock += 1
            if let old = s.entries[key] { s.bytes -= old.bytes }
            s.entries[key] = (t, bytes, s.clock)
            s.bytes += bytes
            while s.bytes > budgetBytes, let oldest = s.entries.min(by: { $0.value.used < $1.value.used }) {
                s.bytes -= oldest.value.bytes
                s.entries[oldest.key] = nil
            }
        }
        return t
    }

    /// Transforms kept, and the bytes they hold.
    public var usage: (count: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
