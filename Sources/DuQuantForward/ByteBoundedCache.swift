import Synchronization

/// Values kept by key inside a byte budget, the least recently used dropped first: the one policy of the
/// live loop's caches (``TransformCache``, ``PreparedCache``). Thread-safe.
///
/// ```swift
/// let cache = ByteBoundedCache<String, [Float]>(budgetBytes: 1 << 20)
/// cache.put("a", values, bytes: 4 * values.count)
/// let again = cache.get("a")
/// ```
final class ByteBoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var entries: [Key: (value: Value, bytes: Int, used: UInt64)] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }
    private let state = Mutex(State())
    /// Most bytes the kept values may hold.
    let budgetBytes: Int

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The kept value of `key`, if any (it becomes the most recently used).
    func get(_ key: Key) -> Value? {
        state.withLock { s in
            guard let e = s.entries[key] else { return nil }
            s.clock += 1
            s.entries[key]!.used = s.clock
            return e.value
        }
    }

    /// Keeps `value` (of `bytes`), dropping the least recently used entries beyond the budget; a value larger
    /// than the whole budget is not kept.
    func put(_ key: Key, _ value: Value, bytes: Int) {
        guard bytes <= budgetBytes else { return }
        state.withLock { s in
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

    /// Values kept, and the bytes they hold.
    var usage: (count: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
